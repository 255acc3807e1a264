"""What the jobs share: the Spark session, writing the one output file, the common options and
the exit codes."""

import os
import shutil
import sys
import uuid

from pyspark.sql import DataFrame, SparkSession

from . import csv_text
from .as_of import MissingHistoryError
from .exports import ExportError


def session(master: str = "local[2]") -> SparkSession:
    """A small local session: UTC, no UI, one shuffle partition, errors-only logging."""
    spark = (
        SparkSession.builder.master(master)
        .appName("featuredb")
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


def common_arguments(p):
    """The options every job takes."""
    p.add_argument("--exports", nargs="+", required=True, metavar="DIR", help="the export folder of every shard")
    p.add_argument("--features", required=True, metavar="F1,F2", help="features, in column order")
    p.add_argument("--embedding-format", default="json", choices=["json", "columns"])
    p.add_argument("--allow-missing-history", action="store_true", help="write cells that need removed history empty")
    p.add_argument("--out", required=True, metavar="FILE", help="the CSV file to write (a local path)")
    p.add_argument("--master", default="local[2]")


def run(args, build) -> int:
    """Runs ``build(spark)`` → (header, lines) and writes ``args.out``: exit 0, 2 for input the
    job cannot use, 3 for cells that need removed history, each error one line on stderr."""
    spark = session(args.master)
    try:
        header, lines = build(spark)
        write_csv(header, lines, args.out)
    except MissingHistoryError as error:
        print(f"featuredb: error: {error}", file=sys.stderr)
        return 3
    except ExportError as error:
        print(f"featuredb: error: {error}", file=sys.stderr)
        return 2
    finally:
        spark.stop()
    return 0
