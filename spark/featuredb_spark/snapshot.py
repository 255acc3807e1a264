"""The snapshot ``fdb export --features … [--as-of T] [--entities-like P]`` writes, from the
partitioned exports of N shard stores: one row per entity that has any of the features in the
exports (a version of any status, or removed history), ordered by entity id (UTF-8 byte order),
each cell the value as of event time T by the as-of rule (``featuredb_spark.as_of``) — the latest
values when T is the exports' write time W, their default.

Run it as ``python -m featuredb_spark.snapshot --exports DIR… --features F1,F2 [--as-of T]
--out SNAPSHOT.csv`` (see spark/README.md)."""

import argparse
import sys

from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F

from . import as_of, csv_text, jobs
from .exports import ExportError
from .times import parse_micros


def snapshot(
    spark: SparkSession,
    exports,
    features,
    event_time: str = None,
    entities_like: str = None,
    embedding_format: str = "json",
    allow_missing_history: bool = False,
):
    """The snapshot as (header fields, DataFrame of ``row_id``, ``line``), ``row_id`` in entity
    order. ``event_time`` (FeatureDB's time rule) defaults to the exports' write time, which
    must then be the same in every export (``fdb export --partitioned … --as-of-write W``)."""
    store = as_of.prepare(spark, exports, features, embedding_format)
    if event_time is None:
        times = {m["writeTime"] for m in store.heads}
        if len(times) != 1:
            raise ExportError(
                f"the exports were written as of different write times ({', '.join(sorted(times))}); give --as-of"
            )
        event_time = times.pop()
    t_us = parse_micros(event_time)
    if t_us is None:
        raise ExportError(f"'{event_time}' is not an ISO-8601 time")
    wanted = F.col("feature").isin(features)
    present = store.versions().filter(wanted).select("entity_id").unionByName(
        store.removed().filter(wanted).select("entity_id")
    )
    if entities_like:
        present = present.filter(F.col("entity_id").startswith(entities_like))
    keys = (
        present.distinct()
        .withColumn("row_id", F.row_number().over(Window.orderBy("entity_id")).cast("long"))
        .withColumn("t_us", F.lit(t_us))
    )
    cells = as_of.cells(store, keys, features, allow_missing_history)
    names, columns = as_of.feature_columns(store, features, embedding_format)
    lines = keys.join(cells, "row_id", "left").select(
        "row_id", csv_text.record([F.col("entity_id")] + columns).alias("line")
    )
    return ["entity_id"] + names, lines


def main(argv=None) -> int:
    """The command line: exit 0, 2 (input it cannot use) or 3 (removed history)."""
    p = argparse.ArgumentParser(
        prog="python -m featuredb_spark.snapshot",
        description="Snapshot (one row per entity) from FeatureDB partitioned exports, as fdb export writes it.",
    )
    jobs.common_arguments(p)
    p.add_argument("--as-of", metavar="T", help="event time (default: the exports' write time)")
    p.add_argument("--entities-like", metavar="PREFIX", help="only entities whose id starts with this")
    a = p.parse_args(argv)
    return jobs.run(
        a,
        lambda spark: snapshot(
            spark,
            a.exports,
            a.features.split(","),
            event_time=a.as_of,
            entities_like=a.entities_like,
            embedding_format=a.embedding_format,
            allow_missing_history=a.allow_missing_history,
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
