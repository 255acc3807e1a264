"""Writes the benchmark's request bodies and wrk scripts into a directory.

Usage: python bodies.py OUT_DIR USERS
"""

import json
import os
import random
import sys

out, users = sys.argv[1], int(sys.argv[2])
rng = random.Random(20)  # fixed: the same bodies on every run
features = [f"user:f{i:02d}" for i in range(20)]


def read(n):
    ids = [f"u{rng.randrange(users)}" for _ in range(n)]
    return {"features": features, "entities": {"user_id": ids}}


# The write goes to /write-to-online-store, which both servers serve (a Feast push needs a push
# source; FeatureDB's /push takes the same frame).
write = {
    "feature_view_name": "user",
    "df": {
        "user_id": [f"u{i}" for i in range(1000)],
        **{f"f{j:02d}": [rng.random() for _ in range(1000)] for j in range(20)},
        "event_timestamp": ["2026-06-01T00:00:00Z"] * 1000,
    },
}
for name, body in [("read1", read(1)), ("read100", read(100)), ("write1000", write)]:
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump(body, f)
    with open(os.path.join(out, f"{name}.lua"), "w") as f:
        f.write(
            'wrk.method = "POST"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = {json.dumps(json.dumps(body))}\n"
        )
