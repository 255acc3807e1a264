"""The point-in-time training set of ``fdb export --entities``, built by Spark from the
partitioned exports of N shard stores.

For every entity row (entity, timestamp T, labels…), each feature's cell is the answer of
FeatureDB's as-of rule at T (``featuredb_spark.as_of``: TTL, retractions, tombstones, ties to the
higher version, removed history). The output has the input rows in input order, every input
column passed through as FeatureDB re-writes it, then one column per feature, formatted as
``fdb export`` formats it.

Run it as ``python -m featuredb_spark.training_set --exports DIR… --entities ROWS.csv
--features F1,F2 --out TRAIN.csv`` (see spark/README.md).
"""

import argparse
import csv
import os
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, StringType, StructField, StructType

from . import as_of, csv_text, jobs
from .exports import ExportError, read_text
from .times import parse_micros


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
    try:
        bad = rows.filter(F.col("t_us").isNull()).select(time).first()
    except Exception as error:  # FAILFAST: a row with too few or too many fields
        if "MALFORMED" not in str(error):
            raise
        detail = next((line for line in str(error).splitlines() if "Malformed CSV record" in line), "")
        raise ExportError(
            f"{os.path.basename(path)}: a row has another number of fields than the header ({detail.strip()})"
        ) from None
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
    store = as_of.prepare(spark, exports, features, embedding_format)
    names, rows, entity = _entity_rows(spark, entity_rows, entity_column, timestamp_column)
    keys = rows.select("row_id", F.col(entity).alias("entity_id"), "t_us")
    cells = as_of.cells(store, keys, features, allow_missing_history)
    joined = rows.join(cells, "row_id", "left")
    out_names, out_columns = as_of.feature_columns(store, features, embedding_format)
    out_names = list(names) + out_names
    out_columns = [F.col(f"c{i}") for i in range(len(names))] + out_columns
    lines = joined.select("row_id", csv_text.record(out_columns).alias("line"))
    return out_names, lines


def main(argv=None) -> int:
    """The command line: exit 0, 2 (input it cannot use) or 3 (removed history), errors as one
    line on stderr."""
    p = argparse.ArgumentParser(
        prog="python -m featuredb_spark.training_set",
        description="Point-in-time training set from FeatureDB partitioned exports, as fdb export --entities writes it.",
    )
    jobs.common_arguments(p)
    p.add_argument("--entities", required=True, metavar="ROWS.csv", help="entity rows: entity, timestamp, labels…")
    p.add_argument("--entity-column", default="entity_id")
    p.add_argument("--timestamp-column", default="event_timestamp")
    a = p.parse_args(argv)
    return jobs.run(
        a,
        lambda spark: training_set(
            spark,
            a.exports,
            a.entities,
            a.features.split(","),
            entity_column=a.entity_column,
            timestamp_column=a.timestamp_column,
            embedding_format=a.embedding_format,
            allow_missing_history=a.allow_missing_history,
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
