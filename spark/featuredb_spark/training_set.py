"""The point-in-time training set of ``fdb export --entities``, built by Spark from the
partitioned exports of N shard stores.

For every entity row (entity, timestamp T, labels…) and feature, the answer is FeatureDB's as-of
rule: of the versions with ``T − ttl ≤ event time ≤ T`` (no TTL: no lower bound) that were not
retracted when the export was written, the one with the greatest event time, ties going to the
higher version; a tombstone (status ``deleted``) answers empty. Where pruning or vacuum removed a
version that could be the answer, the cell needs removed history: the job fails naming how many,
or writes them empty with ``allow_missing_history``. The output has the input rows in input
order, every input column passed through as FeatureDB re-writes it, then one column per feature,
formatted as ``fdb export`` formats it.

Run it as ``python -m featuredb_spark.training_set --exports DIR… --entities ROWS.csv
--features F1,F2 --out TRAIN.csv`` (see spark/README.md).
"""

import argparse
import csv
import os
import shutil
import sys
import uuid

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, StringType, StructField, StructType

from . import csv_text
from .exports import ExportError, Exports, read_text
from .times import parse_micros

MIN_LONG = -(1 << 63)


class MissingHistoryError(ValueError):
    """Cells whose answer needs history that pruning or vacuum removed (as FeatureDB's
    ``exportNeedsRemovedHistory``)."""

    def __init__(self, cells: int, first):
        self.cells = cells
        self.first = first
        named = "; ".join(f"feature '{f}' entity '{e}'" for f, e in first)
        super().__init__(
            f"{cells} {'cell needs' if cells == 1 else 'cells need'} history that pruning or vacuum "
            f"removed (first: {named}); nothing was written (pass --allow-missing-history to write them empty)"
        )


def _header(spark: SparkSession, path: str):
    try:
        text = read_text(spark, path, first_line=True)
    except Exception as error:
        raise ExportError(f"cannot read {path}: {error}") from None
    if not text:
        raise ExportError(f"{os.path.basename(path)}: the file is empty; a header row is needed")
    return next(csv.reader([text]))


def _entity_rows(spark, path, entity_column, timestamp_column):
    names = _header(spark, path)
    for i, n in enumerate(names):
        if names.index(n) != i:
            raise ExportError(f"{os.path.basename(path)}: column '{n}' appears twice")
    for c in (entity_column, timestamp_column):
        if c not in names:
            raise ExportError(f"{os.path.basename(path)}: no column '{c}' (columns: {', '.join(names)})")
    schema = StructType([StructField(f"c{i}", StringType()) for i in range(len(names))])
    rows = (
        spark.read.schema(schema)
        .option("header", True)
        .option("enforceSchema", True)
        .option("multiLine", True)
        .option("escape", '"')
        .option("mode", "FAILFAST")
        .csv(path)
    )
    # One file, read in one partition: the ids keep the input order.
    parse = F.udf(parse_micros, LongType())
    entity, time = f"c{names.index(entity_column)}", f"c{names.index(timestamp_column)}"
    rows = rows.select(
        F.monotonically_increasing_id().alias("row_id"),
        *[F.coalesce(F.col(f"c{i}"), F.lit("")).alias(f"c{i}") for i in range(len(names))],
    ).withColumn("t_us", parse(F.col(time)))
    bad = rows.filter(F.col("t_us").isNull()).select(time).first()
    if bad is not None:
        raise ExportError(
            f"{os.path.basename(path)}: column {names.index(timestamp_column) + 1}: '{bad[0]}' is not an ISO-8601 time"
        )
    return names, rows, entity


def training_set(
    spark: SparkSession,
    exports,
    entity_rows: str,
    features,
    entity_column: str = "entity_id",
    timestamp_column: str = "event_timestamp",
    embedding_format: str = "json",
    allow_missing_history: bool = False,
):
    """The training set as (header fields, DataFrame of ``row_id``, ``line``): one CSV line per
    entity row, ``row_id`` ascending in input order.

    Raises ``ExportError`` for exports that cannot answer as one store, unknown columns or bad
    times, and ``MissingHistoryError`` for cells that need removed history (unless
    ``allow_missing_history``)."""
    if embedding_format not in ("json", "columns"):
        raise ExportError(f"embedding format must be json or columns, got '{embedding_format}'")
    if not features:
        raise ExportError("no features to export")
    for f in features:
        if features.count(f) > 1:
            raise ExportError(f"feature '{f}' is listed twice")
    store = exports if isinstance(exports, Exports) else Exports(spark, exports)
    store.require(features)
    names, rows, entity = _entity_rows(spark, entity_rows, entity_column, timestamp_column)
    defs = spark.createDataFrame(
        [(f, store.features[f].get("ttlMicroseconds")) for f in features],
        "feature string, ttl_us long",
    )
    keys = rows.select("row_id", F.col(entity).alias("entity_id"), "t_us")
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
    cells = found.join(removed.select("row_id", "feature", F.lit(True).alias("gone")), ["row_id", "feature"], "left")
    cells = cells.select("row_id", "feature", F.when(F.col("gone"), F.lit("")).otherwise(F.col("cell")).alias("cell"))
    per_row = cells.groupBy("row_id").agg(F.map_from_entries(F.collect_list(F.struct("feature", "cell"))).alias("cells"))
    joined = rows.join(per_row, "row_id", "left")
    out_names = list(names)
    out_columns = [F.col(f"c{i}") for i in range(len(names))]
    for f in features:
        value = F.coalesce(F.col("cells").getItem(f), F.lit(""))
        kind = store.features[f].get("type", "")
        if embedding_format == "columns" and kind.startswith("embedding:"):
            # "[a,b,…]" → a, b, … (each component as fdb export writes it).
            parts = F.split(value.substr(F.lit(2), F.length(value) - F.lit(2)), ",")
            for d in range(int(kind.split(":")[1])):
                out_names.append(f"{f}_{d}")
                out_columns.append(F.when(value == "", F.lit("")).otherwise(parts.getItem(d)))
            continue
        out_names.append(f)
        out_columns.append(value)
    lines = joined.select("row_id", csv_text.record(out_columns).alias("line"))
    return out_names, lines


def write_csv(header, lines: DataFrame, out: str):
    """Writes the header and ``lines`` (in ``row_id`` order) to the local file ``out``, whole or
    not at all: Spark writes one part file into a temporary folder beside it, which is renamed."""
    folder = os.path.join(os.path.dirname(os.path.abspath(out)), f".{os.path.basename(out)}.{uuid.uuid4().hex}.tmp")
    try:
        spark = lines.sparkSession
        first = spark.createDataFrame([(-1, csv_text.python_record(header))], "row_id long, line string")
        (
            first.unionByName(lines)
            .repartition(1)
            .sortWithinPartitions("row_id")
            .select("line")
            .write.option("lineSep", "\n")
            .text("file://" + folder)
        )
        parts = sorted(n for n in os.listdir(folder) if n.startswith("part-"))
        if len(parts) != 1:
            raise RuntimeError(f"expected one part file in {folder}, found {parts}")
        os.replace(os.path.join(folder, parts[0]), out)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def session(master: str = "local[2]") -> SparkSession:
    """A small local session: UTC, no UI, one shuffle partition."""
    spark = (
        SparkSession.builder.master(master)
        .appName("featuredb-training-set")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.eventLog.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def main(argv=None) -> int:
    """The command line: exit 0, or 2 (bad input) / 3 (removed history) with one line on stderr."""
    p = argparse.ArgumentParser(
        prog="python -m featuredb_spark.training_set",
        description="Point-in-time training set from FeatureDB partitioned exports, as fdb export --entities writes it.",
    )
    p.add_argument("--exports", nargs="+", required=True, metavar="DIR", help="the export folder of every shard")
    p.add_argument("--entities", required=True, metavar="ROWS.csv", help="entity rows: entity, timestamp, labels…")
    p.add_argument("--features", required=True, metavar="F1,F2", help="features, in column order")
    p.add_argument("--entity-column", default="entity_id")
    p.add_argument("--timestamp-column", default="event_timestamp")
    p.add_argument("--embedding-format", default="json", choices=["json", "columns"])
    p.add_argument("--allow-missing-history", action="store_true", help="write cells that need removed history empty")
    p.add_argument("--out", required=True, metavar="FILE", help="the CSV file to write (a local path)")
    p.add_argument("--master", default="local[2]")
    a = p.parse_args(argv)
    spark = session(a.master)
    try:
        header, lines = training_set(
            spark,
            a.exports,
            a.entities,
            a.features.split(","),
            entity_column=a.entity_column,
            timestamp_column=a.timestamp_column,
            embedding_format=a.embedding_format,
            allow_missing_history=a.allow_missing_history,
        )
        write_csv(header, lines, a.out)
    except MissingHistoryError as error:
        print(f"training-set: error: {error}", file=sys.stderr)
        return 3
    except ExportError as error:
        print(f"training-set: error: {error}", file=sys.stderr)
        return 2
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
