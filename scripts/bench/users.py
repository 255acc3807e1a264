"""Writes the benchmark's data: USERS users x 20 double features, as fdb import reads it
(user_id, event_timestamp, user.f00 … user.f19); Feast's setup drops the `user.` prefix.

Usage: python users.py USERS > users.csv
"""

import random
import sys

users = int(sys.argv[1])
rng = random.Random(7)
print("user_id,event_timestamp," + ",".join(f"user.f{i:02d}" for i in range(20)))
for u in range(users):
    print(f"u{u},2026-01-01T00:00:00Z," + ",".join(f"{rng.random():.6f}" for _ in range(20)))
