"""Reading the folders ``fdb export --partitioned DIR [--shard k/N]`` writes.

Each DIR holds ``_manifest.json`` (features, TTLs, shard, write time, counts), ``_schema.json``
(the Spark schema of the part files), ``feature=<name>/date=<YYYY-MM-DD>/part-<k>-<n>.csv``
(every version: entity_id, event_time, write_time, version, status, value) and, when pruning or
vacuum removed history, ``_removed/feature=<name>/part-<k>-0.csv``.
"""

import json

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

FORMAT = "featuredb-partitioned/1"

REMOVED_SCHEMA = StructType.fromJson(
    {
        "type": "struct",
        "fields": [
            {"name": n, "type": t, "nullable": True, "metadata": {}}
            for n, t in [
                ("entity_id", "string"),
                ("removed_by", "string"),
                ("min_event_time", "timestamp"),
                ("max_event_time", "timestamp"),
                ("versions", "long"),
                ("feature", "string"),
            ]
        ],
    }
)


class ExportError(ValueError):
    """The exports cannot answer as one store would: not FeatureDB exports, a shard missing or
    repeated, features missing or defined differently."""


def _open(spark: SparkSession, path: str):
    """A Java reader of ``path`` through Hadoop's file systems (local, HDFS, S3…): Spark's own
    readers skip files whose names start with ``_`` or ``.``, as ``_manifest.json``."""
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    stream = fs.open(hadoop_path)
    return jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(stream, "UTF-8"))


def read_text(spark: SparkSession, path: str, first_line: bool = False) -> str:
    """The text of ``path`` (or its first line, without its line end; "" when empty)."""
    reader = _open(spark, path)
    try:
        if first_line:
            return reader.readLine() or ""
        return spark.sparkContext._jvm.org.apache.commons.io.IOUtils.toString(reader)
    finally:
        reader.close()


def _read_json(spark: SparkSession, path: str) -> dict:
    return json.loads(read_text(spark, path))


def _csv(spark: SparkSession, schema: StructType, path: str) -> DataFrame:
    # RFC 4180 as FeatureDB writes it: quotes doubled, quoted fields may hold line breaks.
    return (
        spark.read.schema(schema)
        .option("header", True)
        .option("multiLine", True)
        .option("escape", '"')
        .option("mode", "FAILFAST")
        .csv(path)
    )


class Exports:
    """The partitioned exports of the N shards of one logical store (or of one whole store)."""

    def __init__(self, spark: SparkSession, paths):
        if not paths:
            raise ExportError("no export folders given")
        self.spark = spark
        self.paths = [p.rstrip("/") for p in paths]
        self.manifests = []
        for p in self.paths:
            try:
                m = _read_json(spark, p + "/_manifest.json")
            except Exception as error:  # a missing or unreadable manifest
                raise ExportError(f"{p}: no readable _manifest.json ({error})") from None
            if m.get("format") != FORMAT:
                raise ExportError(f"{p}: format {m.get('format')!r}, expected {FORMAT!r}")
            self.manifests.append(m)
        self._check_shards()
        self.features = self._merged_features()

    def _check_shards(self):
        shards = [m.get("shard") for m in self.manifests]
        if all(s is None for s in shards):
            if len(shards) != 1:
                raise ExportError(
                    f"{len(shards)} exports of whole stores; give one, or the exports of every shard (--shard k/N)"
                )
            return
        if any(s is None for s in shards):
            raise ExportError("a whole-store export is mixed with shard exports")
        counts = {int(s.split("/")[1]) for s in shards}
        if len(counts) != 1:
            raise ExportError(f"shard exports of different shard counts: {sorted(shards)}")
        n = counts.pop()
        found = sorted(int(s.split("/")[0]) for s in shards)
        if found != list(range(n)):
            missing = sorted(set(range(n)) - set(found))
            twice = sorted({k for k in found if found.count(k) > 1})
            raise ExportError(
                f"the exports must be of shards 0 to {n - 1}, once each: missing {missing}, repeated {twice}"
            )

    def _merged_features(self) -> dict:
        merged = {}
        for path, m in zip(self.paths, self.manifests):
            for f in m["features"]:
                known = merged.setdefault(f["name"], f)
                if (known.get("type"), known.get("ttlMicroseconds")) != (
                    f.get("type"),
                    f.get("ttlMicroseconds"),
                ):
                    raise ExportError(
                        f"{path}: feature {f['name']!r} is {f.get('type')} with TTL "
                        f"{f.get('ttlMicroseconds')} µs, elsewhere {known.get('type')} with "
                        f"{known.get('ttlMicroseconds')} µs"
                    )
        return merged

    def require(self, features):
        """Checks that every export holds each of ``features`` (a shard without one would
        silently give its entities empty cells)."""
        for path, m in zip(self.paths, self.manifests):
            names = {f["name"] for f in m["features"]}
            for f in features:
                if f not in names:
                    known = "unknown feature" if f not in self.features else "not exported here"
                    raise ExportError(f"{path}: {known} {f!r}")

    def versions(self) -> DataFrame:
        """Every exported version: feature, entity_id, event_us, version, status, value."""
        frames = []
        for path, m in zip(self.paths, self.manifests):
            if m.get("versions", 0) == 0:
                continue
            schema = StructType.fromJson(_read_json(self.spark, path + "/_schema.json"))
            frames.append(_csv(self.spark, schema, path))
        return self._union(
            frames,
            lambda df: df.select(
                "feature",
                "entity_id",
                F.unix_micros("event_time").alias("event_us"),
                "version",
                "status",
                "value",
            ),
            "feature string, entity_id string, event_us long, version long, status string, value string",
        )

    def removed(self) -> DataFrame:
        """History removed by pruning or vacuum, per chain: feature, entity_id, min_us, max_us."""
        frames = [
            _csv(self.spark, REMOVED_SCHEMA, path + "/_removed")
            for path, m in zip(self.paths, self.manifests)
            if m.get("removedRanges", 0) > 0
        ]
        return self._union(
            frames,
            lambda df: df.select(
                "feature",
                "entity_id",
                F.unix_micros("min_event_time").alias("min_us"),
                F.unix_micros("max_event_time").alias("max_us"),
            ),
            "feature string, entity_id string, min_us long, max_us long",
        )

    def _union(self, frames, project, empty_schema) -> DataFrame:
        projected = [project(df) for df in frames]
        if not projected:
            return self.spark.createDataFrame([], empty_schema)
        out = projected[0]
        for df in projected[1:]:
            out = out.unionByName(df)
        return out
