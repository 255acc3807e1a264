"""Point-in-time training set: `fdb export --entities` on one store against the Spark job over
the exports of 1, 2 and 4 shard stores holding the same data (issue 21's benchmark).

Writes ENTITIES × FEATURES × VERSIONS random double versions (imported from one CSV, into one
store and into each shard store with `--shard k/N`), exports every shard (`--partitioned`), draws
ROWS entity rows, then times each way of building the training set (whole commands: the Spark
times include starting the JVM) and checks that every output is the same bytes.

    FDB=.build/release/fdb .venv-spark/bin/python spark/bench/training_set_bench.py [ROWS]
"""

import os
import random
import subprocess
import sys
import tempfile
import time

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
FEATURES = 10
ENTITIES = max(1, ROWS // 10)
VERSIONS = 3
SHARDS = [1, 2, 4]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FDB = os.environ.get("FDB") or os.path.join(ROOT, ".build", "release", "fdb")


def run(args, cwd, env=None):
    start = time.monotonic()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])}… exited {done.returncode}: {done.stderr[-2000:]}")
    return time.monotonic() - start


def main():
    rng = random.Random(21)
    names = [f"f.x{i}" for i in range(FEATURES)]
    with tempfile.TemporaryDirectory(prefix="featuredb-spark-bench-") as d:
        data = os.path.join(d, "data.csv")
        with open(data, "w") as f:
            f.write("id,ts," + ",".join(names) + "\n")
            for v in range(VERSIONS):
                for e in range(ENTITIES):
                    day, sec = rng.randrange(1, 29), rng.randrange(86_400)
                    ts = f"2026-01-{day:02d}T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}Z"
                    f.write(f"e{e},{ts}," + ",".join(str(rng.randrange(10_000) / 4) for _ in names) + "\n")
        rows = os.path.join(d, "rows.csv")
        with open(rows, "w") as f:
            f.write("entity_id,event_timestamp,label\n")
            for i in range(ROWS):
                day, h = rng.randrange(1, 31), rng.randrange(24)
                f.write(f"e{rng.randrange(ENTITIES)},2026-01-{day:02d}T{h:02d}:30:00Z,{i % 2}\n")
        print(f"{ROWS:,} entity rows × {FEATURES} features; {ENTITIES:,} entities × {VERSIONS} versions each")
        exports = {}
        for n in SHARDS:
            exports[n] = []
            for k in range(n):
                store, out = os.path.join(d, f"s{n}-{k}.fdb"), os.path.join(d, f"x{n}-{k}")
                shard = ["--shard", f"{k}/{n}"] if n > 1 else []
                run([FDB, "init", "--db", store], d)
                run([FDB, "import", data, "--entity-column", "id", "--timestamp-column", "ts",
                     "--define-missing", "--db", store, *shard], d)
                run([FDB, "export", "--features", ",".join(names), "--partitioned", out, "--db", store,
                     *shard], d)
                exports[n].append(out)
        want = os.path.join(d, "fdb.csv")
        t = run([FDB, "export", "--features", ",".join(names), "--entities", rows, "--out", want,
                 "--db", os.path.join(d, "s1-0.fdb")], d)
        print(f"fdb export --entities (one store): {t:.1f} s, {ROWS * FEATURES / t / 1e6:.2f}M cells/s")
        python = sys.executable
        env = {**os.environ, "PYTHONPATH": os.path.join(ROOT, "spark")}
        with open(want, "rb") as f:
            expected = f.read()
        for n in SHARDS:
            got = os.path.join(d, f"spark{n}.csv")
            t_spark = run([python, "-m", "featuredb_spark.training_set", "--exports", *exports[n],
                           "--entities", rows, "--features", ",".join(names), "--out", got], d, env)
            with open(got, "rb") as f:
                same = f.read() == expected
            print(f"Spark over {n} shard export(s), local[2]: {t_spark:.1f} s ({t_spark / t:.0f}× fdb); "
                  f"{'same bytes' if same else 'DIFFERENT OUTPUT'}")


if __name__ == "__main__":
    main()
