"""What the tests share: one local Spark session and the built fdb."""

import atexit
import os
import subprocess

from featuredb_spark.jobs import session

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spark = None


def spark():
    """The tests' session (local[2], one shuffle partition, no UI, UTC), made once."""
    global _spark
    if _spark is None:
        _spark = session("local[2]")
        atexit.register(_spark.stop)
    return _spark


def fdb_binary():
    """The fdb to run: $FDB, else the debug build. Missing is a failure, never a skip."""
    path = os.environ.get("FDB") or os.path.join(ROOT, ".build", "debug", "fdb")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"no fdb at {path}: build it (swift build --product fdb) or set FDB")
    return path


def fdb(cwd, *args, check=True):
    """Runs fdb in ``cwd``; returns (status, stdout, stderr)."""
    done = subprocess.run(
        [fdb_binary(), *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}
    )
    if check and done.returncode != 0:
        raise AssertionError(f"fdb {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done.returncode, done.stdout, done.stderr
