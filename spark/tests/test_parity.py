"""The Spark job over 3 shard exports gives byte for byte the file `fdb export --entities` gives
on one store holding the same data: rollbacks (and an undo), TTL, tombstones, late events, ties,
removed history, embeddings, odd ids and labels (issue 21, items 4 and 5).

The data is random from a printed seed; the same writes go to one store and, with
`--shard k/3`, to 3 shard stores."""

import csv
import io
import json
import os
from datetime import datetime, timezone
import random
import tempfile
import unittest

from featuredb_spark.shard import shard_of
from featuredb_spark.as_of import MissingHistoryError
from featuredb_spark.jobs import write_csv
from featuredb_spark.snapshot import snapshot
from featuredb_spark.training_set import training_set

from .support import fdb, spark

SEED = int(os.environ.get("PARITY_SEED", "2101"))
SHARDS = 3
FEATURES = [
    ("f.num", ["--type", "double", "--ttl", "6h", "--max-versions", "0"]),
    ("f.cat", ["--type", "string", "--max-versions", "0"]),
    ("f.cnt", ["--type", "int", "--ttl", "1d", "--max-versions", "3"]),
    ("f.vec", ["--type", "embedding:2", "--max-versions", "0"]),
]
ENTITIES = [f"u{i}" for i in range(24)] + ["a/b", "x y", "é", "c,d", 'q"t', "00123", "a:b=c%d"]
HOURS = [f"2026-01-0{d}T{h:02d}:00:00Z" for d in (1, 2) for h in (0, 3, 6, 9, 12)]


def csv_field(text):
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        for row in rows:
            f.write(",".join(csv_field(x) for x in row) + "\n")


class ParityTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        print(f"ParityTests seed {SEED}")
        rng = random.Random(SEED)
        cls.dir = tempfile.TemporaryDirectory(prefix="featuredb-parity-")
        d = cls.dir.name
        cls.stores = ["one.fdb"] + [f"shard{k}.fdb" for k in range(SHARDS)]
        for s in cls.stores:
            fdb(d, "init", "--db", s)
            for name, args in FEATURES:
                fdb(d, "define", name, *args, "--db", s)
        cls.times = set()
        # Four imported runs; times repeat (ties, exact matches) and go back (late events).
        for run in range(4):
            rows = [["id", "ts", "f.num", "f.cat", "f.cnt", "f.vec"]]
            for _ in range(60):
                e, t = rng.choice(ENTITIES), rng.choice(HOURS)
                if rng.random() < 0.3:
                    t = t.replace(":00:00Z", f":{rng.randrange(60):02d}:00.{rng.randrange(10**6):06d}Z")
                cls.times.add(t)
                rows.append(
                    [
                        e,
                        t,
                        rng.choice(["", str(rng.randrange(-50, 50) / 4), "1e-05", "-0.0"]),
                        rng.choice(["", "plain", "with, comma", 'with "quotes"', "line\nbreak"]),
                        rng.choice(["", str(rng.randrange(100))]),
                        rng.choice(["", f"[{rng.randrange(-8, 8) / 2},{rng.randrange(8) / 4}]"]),
                    ]
                )
            path = os.path.join(d, f"run{run}.csv")
            write(path, rows)
            empty = "null" if run in (1, 3) else "skip"  # tombstones for empty cells
            for s in cls.stores:
                shard = [] if s == "one.fdb" else ["--shard", f"{s[5]}/{SHARDS}"]
                fdb(d, "import", path, "--entity-column", "id", "--timestamp-column", "ts",
                    "--run", f"r{run}", "--empty-cells", empty, "--db", s, *shard)
        # Deletes (tombstones) of a few values, written where their entity lives.
        for e in rng.sample(ENTITIES, 5):
            t = rng.choice(HOURS)
            cls.times.add(t)
            for s in ["one.fdb", f"shard{shard_of(e, SHARDS)}.fdb"]:
                fdb(d, "delete", "f.cat", e, "--event-time", t, "--db", s, check=False)
        # Roll back run r2 everywhere; roll back r3 and undo it (its versions are restored).
        for s in cls.stores:
            status, _, err = fdb(d, "rollback", "--run", "r2", "--reason", "bad", "--db", s, check=False)
            assert status in (0, 3), err
            status, out, err = fdb(d, "rollback", "--run", "r3", "--json", "--db", s, check=False)
            assert status in (0, 3), err
            if status == 0:
                fdb(d, "undo", str(json.loads(out)["operation"]["id"]), "--db", s)
            status, _, err = fdb(d, "rollback", "--run", "r1", "--dry-run", "--db", s, check=False)
            assert status in (0, 3), err
        # One partitioned export per shard, all as of one write time W after every write.
        cls.w = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        cls.exports = []
        for k in range(SHARDS):
            out = os.path.join(d, f"export{k}")
            fdb(d, "export", "--all-features", "--partitioned", out, "--shard", f"{k}/{SHARDS}",
                "--as-of-write", cls.w, "--db", f"shard{k}.fdb")
            cls.exports.append(out)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def entity_rows(self, name, rng):
        """Rows at version times, 1 µs either side, TTL edges and random times; odd labels."""
        rows = [["label", "entity_id", "event_timestamp", "note"]]
        times = sorted(self.times)
        for i in range(150):
            base = rng.choice(times)
            t = rng.choice([
                base,
                base.replace("Z", "+00:00"),
                base[:-1],  # naive: UTC
                base.replace("T", " "),
                base.replace(":00Z", ":00.000001Z") if base.endswith(":00Z") else base,
                base.replace("T00:00:00Z", "") if "T00:00:00Z" in base else base,
                "2026-01-01T12:00:00Z", "2026-01-01T18:00:00Z", "2026-01-01T18:00:00.000001Z",
                "2026-01-02T12:00:00Z", "2026-01-03T12:00:00Z", "2026-01-03T12:00:00.000001Z",
            ])
            e = rng.choice(ENTITIES + ["nobody"])
            rows.append([str(i % 2), e, t, rng.choice(["", "a,b", 'say "hi"', "two\nlines", " pad "])])
        path = os.path.join(self.dir.name, name)
        write(path, rows)
        return path

    def compare(self, rows, features, fdb_flags=(), **job):
        """`fdb export --entities rows` on the one store against the training-set job."""
        return self.same_bytes(
            ["--entities", rows, *fdb_flags],
            lambda: training_set(spark(), self.exports, rows, features, **job),
            features,
        )

    def compare_snapshot(self, features, fdb_flags=(), **job):
        """`fdb export` (a snapshot) on the one store against the snapshot job."""
        return self.same_bytes(
            fdb_flags, lambda: snapshot(spark(), self.exports, features, **job), features
        )

    def same_bytes(self, fdb_flags, job, features):
        d = self.dir.name
        expected = os.path.join(d, "fdb.csv")
        status, _, err = fdb(
            d, "export", "--features", ",".join(features), "--as-of-write", self.w, "--out", expected,
            "--db", "one.fdb", *fdb_flags, check=False,
        )
        try:
            header, lines = job()
            produced = os.path.join(d, "spark.csv")
            write_csv(header, lines, produced)
        except MissingHistoryError as error:
            self.assertEqual(status, 3, err)
            self.assertIn(f"{error.cells} cell", err)
            return None
        self.assertEqual(status, 0, err)
        with open(expected, "rb") as f:
            want = f.read()
        with open(produced, "rb") as f:
            got = f.read()
        if want != got:
            w, g = want.decode().split("\n"), got.decode().split("\n")
            diff = [(i, a, b) for i, (a, b) in enumerate(zip(w, g)) if a != b][:5]
            self.fail(f"seed {SEED}: {len(w)} vs {len(g)} lines; first differences {diff}")
        return want

    def test_same_bytes_as_fdb_export(self):
        rng = random.Random(SEED + 1)
        rows = self.entity_rows("rows.csv", rng)
        out = self.compare(rows, ["f.num", "f.cat", "f.vec"], entity_column="entity_id",
                           timestamp_column="event_timestamp")
        self.assertIsNotNone(out, "no history was removed: both should export")
        lines = out.decode().count("\n")
        self.assertGreater(lines, 150)  # the labels' newlines add lines
        text = out.decode()
        # The data exercises what it should: values, empties, quoting.
        self.assertIn('"', text)
        self.assertIn(",,", text)

    def test_removed_history_fails_alike_or_is_written_empty(self):
        rng = random.Random(SEED + 2)
        rows = self.entity_rows("rows2.csv", rng)
        features = ["f.cnt", "f.num"]
        self.assertIsNone(self.compare(rows, features), "pruned history should fail both")
        out = self.compare(rows, features, ["--allow-missing-history"], allow_missing_history=True)
        self.assertIsNotNone(out)

    def test_embedding_columns_and_feature_order(self):
        rng = random.Random(SEED + 3)
        rows = self.entity_rows("rows3.csv", rng)
        out = self.compare(rows, ["f.vec", "f.cat"], ["--embedding-format", "columns"],
                           embedding_format="columns")
        self.assertTrue(out.decode().startswith("label,entity_id,event_timestamp,note,f.vec_0,f.vec_1,f.cat\n"))

    def test_snapshot_of_latest_values(self):
        out = self.compare_snapshot(["f.cat", "f.num", "f.vec"])
        self.assertIsNotNone(out)
        text = out.decode()
        self.assertTrue(text.startswith("entity_id,f.cat,f.num,f.vec\n"))
        self.assertGreater(text.count("\n"), 25)

    def test_snapshot_as_of_an_event_time_with_a_prefix(self):
        for t in ["2026-01-01T12:00:00Z", "2026-01-02T03:00:00Z"]:
            out = self.compare_snapshot(
                ["f.vec", "f.num", "f.cat"], ["--as-of", t, "--entities-like", "u1", "--embedding-format", "columns"],
                event_time=t, entities_like="u1", embedding_format="columns")
            self.assertIsNotNone(out)
            rows = list(csv.reader(io.StringIO(out.decode(), newline="")))[1:]
            self.assertTrue(rows and all(r[0].startswith("u1") for r in rows), rows)
        self.assertIsNone(self.compare_snapshot(["f.cnt"], ["--as-of", "2026-01-01T03:00:00Z"],
                                                event_time="2026-01-01T03:00:00Z"),
                          "pruned history should fail both")
        self.assertIsNotNone(self.compare_snapshot(
            ["f.cnt"], ["--as-of", "2026-01-01T03:00:00Z", "--allow-missing-history"],
            event_time="2026-01-01T03:00:00Z", allow_missing_history=True))


if __name__ == "__main__":
    unittest.main()
