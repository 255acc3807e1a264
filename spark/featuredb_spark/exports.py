"""Reading the folders ``fdb export --partitioned DIR [--shard k/N]`` writes.

Each DIR holds ``_manifest.json`` (features, TTLs, shard, write time, counts), ``_schema.json``
(the Spark schema of the part files), ``feature=<name>/date=<YYYY-MM-DD>/part-<k>-<n>.csv``
(every version: entity_id, event_time, write_time, version, status, value) and, when pruning or
vacuum removed history, ``_removed/feature=<name>/part-<k>-0.csv``.

An incremental export (``--from-change SEQ``) holds only the pairs (feature, entity) changed
after SEQ, each with its whole history, and lists them in ``_pairs/feature=<name>/``. Given a
shard's full export and the incremental ones that follow it (each starting where the one before
ends: ``fromChange`` = the previous ``toChange``), a pair's rows come from the newest export that
lists it, else from the full one: the same rows as one full export taken with the newest.
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


PAIRS_SCHEMA = StructType.fromJson(
    {
        "type": "struct",
        "fields": [
            {"name": n, "type": "string", "nullable": True, "metadata": {}}
            for n in ["entity_id", "feature"]
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
    """The partitioned exports of the N shards of one logical store (or of one whole store),
    each shard's full export optionally followed by incremental ones."""

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
        self.ranks, self.heads = self._chain()
        self._check_shards()
        self.features = self._merged_features()

    def _chain(self):
        """Each export's place in its shard's chain (0: the full export) and the newest
        manifest of every shard; refuses incremental exports that do not continue one another."""
        by_shard = {}
        for i, m in enumerate(self.manifests):
            by_shard.setdefault(m.get("shard"), []).append(i)
        ranks = [0] * len(self.manifests)
        heads = []
        for shard, members in by_shard.items():
            full = [i for i in members if self.manifests[i].get("fromChange") is None]
            if len(full) == len(members):
                # No incremental export: a shard given twice is for _check_shards to name.
                heads += [self.manifests[i] for i in members]
                continue
            if len(full) > 1:
                raise ExportError(
                    f"shard {shard or 'whole store'}: {len(full)} full exports among {len(members)}; "
                    "give one full export and the incremental ones that follow it"
                )
            if not full:
                raise ExportError(f"{self.paths[members[0]]}: an incremental export needs the full export it follows")
            chain = [full[0]]
            rest = [i for i in members if i != full[0]]
            while rest:
                end = self.manifests[chain[-1]].get("toChange")
                follow = [i for i in rest if self.manifests[i].get("fromChange") == end]
                if end is None or len(follow) != 1:
                    raise ExportError(
                        f"{self.paths[rest[0]]}: no single export continues change {end} "
                        f"(incremental exports start at fromChange = the previous toChange)"
                    )
                if self.manifests[follow[0]].get("storeID") != self.manifests[chain[0]].get("storeID"):
                    raise ExportError(f"{self.paths[follow[0]]}: an export of another store")
                chain.append(follow[0])
                rest.remove(follow[0])
            for rank, i in enumerate(chain):
                ranks[i] = rank
            heads.append(self.manifests[chain[-1]])
        return ranks, heads

    def _check_shards(self):
        shards = [m.get("shard") for m in self.heads]
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
        for path, m, rank in zip(self.paths, self.manifests, self.ranks):
            if m.get("versions", 0) == 0:
                continue
            schema = StructType.fromJson(_read_json(self.spark, path + "/_schema.json"))
            frames.append(_csv(self.spark, schema, path).withColumn("_rank", F.lit(rank)))
        return self._newest(
            self._union(
                frames,
                lambda df: df.select(
                    "feature",
                    "entity_id",
                    F.unix_micros("event_time").alias("event_us"),
                    "version",
                    "status",
                    "value",
                    "_rank",
                ),
                "feature string, entity_id string, event_us long, version long, status string, value string, _rank int",
            )
        )

    def _newest(self, df: DataFrame) -> DataFrame:
        """The rows of each pair from the newest export that lists it (the full export for the
        pairs no incremental one lists)."""
        deltas = [(p, r) for p, m, r in zip(self.paths, self.manifests, self.ranks) if r > 0]
        if not deltas:
            return df.drop("_rank")
        listed = [
            _csv(self.spark, PAIRS_SCHEMA, p + "/_pairs").withColumn("_rank", F.lit(r))
            for p, r in deltas
            if self.manifests[self.paths.index(p)].get("pairs", 0) > 0
        ]
        if not listed:
            return df.filter(F.col("_rank") == 0).drop("_rank")
        cover = listed[0]
        for other in listed[1:]:
            cover = cover.unionByName(other)
        cover = cover.groupBy("feature", "entity_id").agg(F.max("_rank").alias("_cover"))
        return (
            df.join(cover, ["feature", "entity_id"], "left")
            .filter(F.coalesce(F.col("_cover"), F.lit(0)) == F.col("_rank"))
            .drop("_rank", "_cover")
        )

    def removed(self) -> DataFrame:
        """History removed by pruning or vacuum, per chain: feature, entity_id, min_us, max_us."""
        frames = [
            _csv(self.spark, REMOVED_SCHEMA, path + "/_removed").withColumn("_rank", F.lit(rank))
            for path, m, rank in zip(self.paths, self.manifests, self.ranks)
            if m.get("removedRanges", 0) > 0
        ]
        return self._newest(
            self._union(
                frames,
                lambda df: df.select(
                    "feature",
                    "entity_id",
                    F.unix_micros("min_event_time").alias("min_us"),
                    F.unix_micros("max_event_time").alias("max_us"),
                    "_rank",
                ),
                "feature string, entity_id string, min_us long, max_us long, _rank int",
            )
        )

    def _union(self, frames, project, empty_schema) -> DataFrame:
        projected = [project(df) for df in frames]
        if not projected:
            return self.spark.createDataFrame([], empty_schema)
        out = projected[0]
        for df in projected[1:]:
            out = out.unionByName(df)
        return out
