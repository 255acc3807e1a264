"""Incremental partitioned exports (`fdb export --partitioned DIR --from-change SEQ`): a shard's
full export followed by incremental ones gives the Spark jobs the same answers, byte for byte,
as `fdb export` on one store holding the same data (issue 21, item 3). Between the exports come
writes, late events, tombstones, a rollback, an undo, a prune and a redefinition.

The data is random from a printed seed; the same writes go to one store and, with
`--shard k/2`, to 2 shard stores."""

import json
import os
import random
import tempfile
import unittest

from featuredb_spark.exports import ExportError, Exports
from featuredb_spark.jobs import write_csv
from featuredb_spark.shard import shard_of
from featuredb_spark.snapshot import snapshot
from featuredb_spark.training_set import training_set

from .support import fdb, spark
from .test_parity import write

SEED = int(os.environ.get("PARITY_SEED", "2101")) + 7
SHARDS = 2
ENTITIES = [f"u{i}" for i in range(16)] + ["a/b", "x y", "é"]
HOURS = [f"2026-01-0{d}T{h:02d}:00:00Z" for d in (1, 2) for h in (0, 6, 12, 18)]


class IncrementalExportTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        print(f"IncrementalExportTests seed {SEED}")
        cls.rng = random.Random(SEED)
        cls.dir = tempfile.TemporaryDirectory(prefix="featuredb-incremental-")
        d = cls.dir.name
        cls.stores = ["one.fdb"] + [f"shard{k}.fdb" for k in range(SHARDS)]
        for s in cls.stores:
            fdb(d, "init", "--db", s)
            fdb(d, "define", "f.num", "--type", "double", "--max-versions", "0", "--db", s)
            fdb(d, "define", "f.cnt", "--type", "int", "--max-versions", "4", "--db", s)
        cls.exports = {k: [] for k in range(SHARDS)}
        cls.imported = 0
        cls.load(empty="skip")
        cls.export_all(full=True)
        cls.load(empty="null")  # tombstones
        for s in cls.stores:
            status, _, err = fdb(d, "rollback", "--run", "r0", "--db", s, check=False)
            assert status in (0, 3), err
        cls.export_all()
        cls.load(empty="skip")
        for s in cls.stores:
            status, out, err = fdb(d, "rollback", "--run", "r2", "--json", "--db", s, check=False)
            assert status in (0, 3), err
            if status == 0:
                fdb(d, "undo", str(json.loads(out)["operation"]["id"]), "--db", s)
            fdb(d, "define", "f.cnt", "--type", "int", "--max-versions", "2", "--db", s)
            fdb(d, "prune", "f.cnt", "--db", s)
        e = cls.rng.choice(ENTITIES)
        for s in ["one.fdb", f"shard{shard_of(e, SHARDS)}.fdb"]:
            fdb(d, "delete", "f.num", e, "--event-time", HOURS[-1], "--db", s)
        cls.export_all()

    @classmethod
    def load(cls, empty):
        """One imported run of random rows (late events and ties included) into every store."""
        d = cls.dir.name
        rows = [["id", "ts", "f.num", "f.cnt"]]
        for _ in range(40):
            rows.append([
                cls.rng.choice(ENTITIES), cls.rng.choice(HOURS),
                cls.rng.choice(["", str(cls.rng.randrange(-40, 40) / 4)]),
                cls.rng.choice(["", str(cls.rng.randrange(50))]),
            ])
        path = os.path.join(d, f"run{cls.imported}.csv")
        write(path, rows)
        for s in cls.stores:
            shard = [] if s == "one.fdb" else ["--shard", f"{s[5]}/{SHARDS}"]
            fdb(d, "import", path, "--entity-column", "id", "--timestamp-column", "ts",
                "--run", f"r{cls.imported}", "--empty-cells", empty, "--db", s, *shard)
        cls.imported += 1

    @classmethod
    def export_all(cls, full=False):
        """A full (first) or incremental export of every shard, continuing the last one."""
        d = cls.dir.name
        for k in range(SHARDS):
            chain = cls.exports[k]
            out = os.path.join(d, f"export{k}-{len(chain)}")
            since = [] if full else ["--from-change", str(cls.manifest(chain[-1])["toChange"])]
            fdb(d, "export", "--all-features", "--partitioned", out, "--shard", f"{k}/{SHARDS}",
                *since, "--db", f"shard{k}.fdb")
            chain.append(out)

    @staticmethod
    def manifest(path):
        with open(os.path.join(path, "_manifest.json"), encoding="utf-8") as f:
            return json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def all_exports(self):
        return [p for k in range(SHARDS) for p in self.exports[k]]

    def same_bytes(self, fdb_flags, job):
        d = self.dir.name
        expected = os.path.join(d, "fdb.csv")
        fdb(d, "export", "--features", "f.num,f.cnt", "--out", expected, "--db", "one.fdb",
            "--allow-missing-history", *fdb_flags)
        header, lines = job()
        produced = os.path.join(d, "spark.csv")
        write_csv(header, lines, produced)
        with open(expected, "rb") as f:
            want = f.read()
        with open(produced, "rb") as f:
            got = f.read()
        self.assertEqual(want.decode().split("\n"), got.decode().split("\n"), f"seed {SEED}")
        return want

    def test_incremental_exports_record_their_range_and_hold_only_changed_pairs(self):
        for k in range(SHARDS):
            full, first, second = (self.manifest(p) for p in self.exports[k])
            self.assertIsNone(full.get("fromChange"))
            self.assertEqual(first["fromChange"], full["toChange"])
            self.assertEqual(second["fromChange"], first["toChange"])
            self.assertGreater(second["toChange"], second["fromChange"])
            self.assertGreater(first["pairs"], 0)
        # The prune's redefinition changed f.cnt: the last exports list all its pairs.
        self.assertTrue(os.path.isdir(os.path.join(self.exports[0][2], "_pairs", "feature=f.cnt")))

    def test_training_set_over_full_and_incremental_exports_matches_fdb_export(self):
        rows = [["entity_id", "event_timestamp"]]
        rng = random.Random(SEED + 1)
        for _ in range(120):
            rows.append([rng.choice(ENTITIES + ["nobody"]), rng.choice(HOURS + ["2026-01-03T00:00:00Z"])])
        path = os.path.join(self.dir.name, "rows.csv")
        write(path, rows)
        out = self.same_bytes(
            ["--entities", path],
            lambda: training_set(spark(), self.all_exports(), path, ["f.num", "f.cnt"],
                                 allow_missing_history=True),
        )
        self.assertGreater(out.count(b"\n"), 120)

    def test_snapshot_over_full_and_incremental_exports_matches_fdb_export(self):
        t = "2026-01-03T00:00:00Z"
        self.same_bytes(
            ["--as-of", t],
            lambda: snapshot(spark(), self.all_exports(), ["f.num", "f.cnt"], event_time=t,
                             allow_missing_history=True),
        )

    def test_a_broken_chain_is_refused(self):
        k0 = self.exports[0]
        others = [p for k in range(1, SHARDS) for p in self.exports[k]]
        with self.assertRaisesRegex(ExportError, "needs the full export"):
            Exports(spark(), [k0[1]] + others)
        with self.assertRaisesRegex(ExportError, "no single export continues"):
            Exports(spark(), [k0[0], k0[2]] + others)


if __name__ == "__main__":
    unittest.main()
