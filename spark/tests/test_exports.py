"""Reading partitioned exports: Hive-escaped folder names, the schema, and the checks that
refuse exports which cannot answer as one store (a shard missing or repeated, a feature missing
or defined differently); FeatureDB's CSV quoting as Spark writes it."""

import json
import os
import shutil
import tempfile
import unittest

from pyspark.sql import functions as F

from featuredb_spark import csv_text
from featuredb_spark.exports import ExportError, Exports

from .support import fdb, spark


class ExportsTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="featuredb-exports-")
        d = cls.tmp.name
        fdb(d, "init")
        fdb(d, "define", "f.x", "--type", "double", "--ttl", "1h")
        fdb(d, "define", "f.y", "--type", "string")
        for e in ["u1", "u2", "u3", "u4", "u5", "u6"]:
            fdb(d, "put", "f.x", e, "1.5", "--event-time", "2026-01-05T10:00:00.25Z")
        cls.shards = []
        for k in range(2):
            out = os.path.join(d, f"s{k}")
            fdb(d, "export", "--features", "f.x,f.y", "--partitioned", out, "--shard", f"{k}/2")
            cls.shards.append(out)
        cls.whole = os.path.join(d, "whole")
        fdb(d, "export", "--features", "f.x", "--partitioned", cls.whole)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_reads_every_shard_with_exact_times(self):
        exports = Exports(spark(), self.shards)
        self.assertEqual(exports.features["f.x"]["ttlMicroseconds"], 3_600_000_000)
        rows = exports.versions().orderBy("entity_id").collect()
        self.assertEqual([r.entity_id for r in rows], ["u1", "u2", "u3", "u4", "u5", "u6"])
        self.assertEqual({r.event_us for r in rows}, {1767607200250000})
        self.assertEqual({(r.feature, r.status, r.value, r.version) for r in rows}, {("f.x", "active", "1.5", 1)})

    def test_refuses_incomplete_or_mixed_shards(self):
        with self.assertRaisesRegex(ExportError, r"shards 0 to 1, once each: missing \[1\], repeated \[\]"):
            Exports(spark(), self.shards[:1])
        with self.assertRaisesRegex(ExportError, r"missing \[1\], repeated \[0\]"):
            Exports(spark(), [self.shards[0], self.shards[0]])
        with self.assertRaisesRegex(ExportError, "mixed"):
            Exports(spark(), self.shards + [self.whole])
        with self.assertRaisesRegex(ExportError, "whole stores"):
            Exports(spark(), [self.whole, self.whole])
        with self.assertRaisesRegex(ExportError, "no readable _manifest.json"):
            Exports(spark(), [self.tmp.name])
        with self.assertRaisesRegex(ExportError, "unknown feature 'f.z'"):
            Exports(spark(), self.shards).require(["f.x", "f.z"])

    def test_refuses_features_defined_differently(self):
        copy = os.path.join(self.tmp.name, "changed")
        shutil.copytree(self.shards[1], copy)
        path = os.path.join(copy, "_manifest.json")
        with open(path) as f:
            manifest = json.load(f)
        manifest["features"][0]["ttlMicroseconds"] = 60_000_000
        with open(path, "w") as f:
            json.dump(manifest, f)
        with self.assertRaisesRegex(ExportError, "feature 'f.x' is double with TTL 60000000"):
            Exports(spark(), [self.shards[0], copy])

    def test_malformed_entity_rows_are_refused_as_fdb_refuses_them(self):
        from featuredb_spark.training_set import training_set

        d = self.tmp.name
        for name, text in [
            ("short.csv", "entity_id,event_timestamp,label\nu1,2026-01-05T01:00:00Z\n"),
            ("long.csv", "entity_id,event_timestamp\nu1,2026-01-05T01:00:00Z,extra\n"),
            ("badtime.csv", "entity_id,event_timestamp\nu1,yesterday\n"),
            ("empty.csv", ""),
            ("nocolumn.csv", "id,event_timestamp\nu1,2026-01-05T01:00:00Z\n"),
            ("twice.csv", "entity_id,event_timestamp,entity_id\nu1,2026-01-05T01:00:00Z,u1\n"),
        ]:
            path = os.path.join(d, name)
            with open(path, "w") as f:
                f.write(text)
            status, _, _ = fdb(d, "export", "--features", "f.x", "--entities", path, check=False)
            self.assertEqual(status, 2, name)
            with self.assertRaises(ExportError, msg=name):
                _, lines = training_set(spark(), [self.whole], path, ["f.x"])
                lines.collect()

    def test_hive_escaped_partition_values_survive(self):
        copy = os.path.join(self.tmp.name, "escaped")
        shutil.copytree(self.whole, copy)
        os.rename(os.path.join(copy, "feature=f.x"), os.path.join(copy, "feature=a%3Ab%2Fc%3Dd%25e"))
        features = {r.feature for r in Exports(spark(), [copy]).versions().collect()}
        self.assertEqual(features, {"a:b/c=d%e"})

    def test_csv_quoting_matches_fdb(self):
        values = ["plain", "", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "\ufeffbom", " pad ", "é,ü"]
        df = spark().createDataFrame([(v,) for v in values], "v string")
        got = [r[0] for r in df.select(csv_text.field(F.col("v"))).collect()]
        self.assertEqual(got, [csv_text.python_record([v]) for v in values])
        self.assertEqual(
            got, ["plain", "", '"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\rhere"', '"\ufeffbom"', " pad ", '"é,ü"']
        )


if __name__ == "__main__":
    unittest.main()
