"""FeatureDB's as-of rule over exported versions, for any (row, entity, time T) keys: the
training set gives each entity row its own T, the snapshot one T for every entity.

Of a feature's versions of the row's entity that are not ``retracted`` and have
``T − ttl ≤ event time ≤ T`` (no TTL: no lower bound), the one with the greatest event time
answers, ties going to the higher version; a ``deleted`` winner (a tombstone) or none is an empty
cell. Removed history (``_removed/``) reaching into ``[max(T − ttl, winner + 1 µs), T]`` makes a
cell unknown: ``MissingHistoryError``, or an empty cell when allowed.
"""

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from .exports import ExportError, Exports

MIN_LONG = -(1 << 63)


class MissingHistoryError(ValueError):
    """Cells whose answer needs history that pruning or vacuum removed (as FeatureDB's
    ``exportNeedsRemovedHistory``, exit 3)."""

    def __init__(self, cells: int, first):
        self.cells = cells
        self.first = first
        named = "; ".join(f"feature '{f}' entity '{e}'" for f, e in first)
        super().__init__(
            f"{cells} {'cell needs' if cells == 1 else 'cells need'} history that pruning or vacuum "
            f"removed (first: {named}); nothing was written (pass --allow-missing-history to write them empty)"
        )


def prepare(spark, exports, features, embedding_format: str) -> Exports:
    """The exports (paths or ``Exports``), checked to answer for ``features``."""
    if embedding_format not in ("json", "columns"):
        raise ExportError(f"embedding format must be json or columns, got '{embedding_format}'")
    if not features:
        raise ExportError("no features to export")
    for f in features:
        if features.count(f) > 1:
            raise ExportError(f"feature '{f}' is listed twice")
    store = exports if isinstance(exports, Exports) else Exports(spark, exports)
    store.require(features)
    return store


def cells(store: Exports, keys: DataFrame, features, allow_missing_history: bool) -> DataFrame:
    """For ``keys`` (row_id, entity_id, t_us): ``row_id`` and ``cells``, a map feature → cell
    text of the rows that have any answer (other cells are empty)."""
    spark = keys.sparkSession
    defs = spark.createDataFrame(
        [(f, store.features[f].get("ttlMicroseconds")) for f in features],
        "feature string, ttl_us long",
    )
    versions = store.versions().join(F.broadcast(defs), "feature")
    lowest = F.when(F.col("ttl_us").isNull(), F.lit(MIN_LONG)).otherwise(F.col("t_us") - F.col("ttl_us"))
    candidates = (
        keys.join(versions, "entity_id")
        .filter((F.col("status") != "retracted") & (F.col("event_us") <= F.col("t_us")))
        .filter(F.col("event_us") >= lowest)
    )
    newest = Window.partitionBy("row_id", "feature").orderBy(F.desc("event_us"), F.desc("version"))
    found = (
        candidates.withColumn("rank", F.row_number().over(newest))
        .filter(F.col("rank") == 1)
        .select(
            "row_id",
            "feature",
            "event_us",
            F.when(F.col("status") == "active", F.coalesce("value", F.lit(""))).otherwise(F.lit("")).alias("cell"),
        )
    )
    # A removed version could be the answer when it lies in [max(T − ttl, found + 1µs), T].
    removed = (
        keys.join(store.removed().join(F.broadcast(defs), "feature"), "entity_id")
        .join(found.select("row_id", "feature", F.col("event_us").alias("found_us")), ["row_id", "feature"], "left")
        .withColumn("lo", F.greatest(lowest, F.coalesce(F.col("found_us") + 1, F.lit(MIN_LONG))))
        .filter((F.col("max_us") >= F.col("lo")) & (F.col("min_us") <= F.col("t_us")))
        .select("row_id", "feature", "entity_id")
        .distinct()
    )
    missing = removed.count()
    if missing and not allow_missing_history:
        order = {f: i for i, f in enumerate(features)}
        first = removed.orderBy("row_id").limit(5 * len(features)).collect()
        first = sorted(first, key=lambda r: (r.row_id, order[r.feature]))[:5]
        raise MissingHistoryError(missing, [(r.feature, r.entity_id) for r in first])
    answered = found.join(
        removed.select("row_id", "feature", F.lit(True).alias("gone")), ["row_id", "feature"], "left"
    ).select("row_id", "feature", F.when(F.col("gone"), F.lit("")).otherwise(F.col("cell")).alias("cell"))
    return answered.groupBy("row_id").agg(
        F.map_from_entries(F.collect_list(F.struct("feature", "cell"))).alias("cells")
    )


def feature_columns(store: Exports, features, embedding_format: str):
    """(column names, column expressions over ``cells``) of the features, as ``fdb export``
    writes them: one column each, or ``NAME_0 …`` for embeddings with ``columns``."""
    names, columns = [], []
    for f in features:
        value: Column = F.coalesce(F.col("cells").getItem(f), F.lit(""))
        kind = store.features[f].get("type", "")
        if embedding_format == "columns" and kind.startswith("embedding:"):
            # "[a,b,…]" → a, b, … (each component as fdb export writes it).
            parts = F.split(value.substr(F.lit(2), F.length(value) - F.lit(2)), ",")
            for d in range(int(kind.split(":")[1])):
                names.append(f"{f}_{d}")
                columns.append(F.when(value == "", F.lit("")).otherwise(parts.getItem(d)))
            continue
        names.append(f)
        columns.append(value)
    return names, columns
