"""Builds the benchmark's Feast repository: the `user` feature view (20 double features f00…f19)
on a SQLite online store, loaded with the same values as the FeatureDB store (users.csv).

Usage: python feast_setup.py WORK_DIR USERS_CSV
"""

import os
import sys
from datetime import timedelta

import pandas as pd
from feast import Entity, FeatureStore, FeatureView, Field, FileSource
from feast.types import Float64, String

work_dir, users_csv = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(work_dir, "data"), exist_ok=True)
with open(os.path.join(work_dir, "feature_store.yaml"), "w") as f:
    f.write("""project: fdb_bench
registry: data/registry.db
provider: local
online_store:
  type: sqlite
  path: data/online.db
entity_key_serialization_version: 3
""")

df = pd.read_csv(users_csv).rename(columns=lambda c: c.removeprefix("user."))
df["event_timestamp"] = pd.to_datetime(df["event_timestamp"], utc=True)
df.to_parquet(os.path.join(work_dir, "data", "users.parquet"))
features = [c for c in df.columns if c.startswith("f")]
user = Entity(name="user", join_keys=["user_id"])
view = FeatureView(
    name="user",
    entities=[user],
    ttl=timedelta(days=36500),
    schema=[Field(name="user_id", dtype=String)] + [Field(name=c, dtype=Float64) for c in features],
    source=FileSource(path=os.path.join(work_dir, "data", "users.parquet"), timestamp_field="event_timestamp"),
)
store = FeatureStore(repo_path=work_dir)
store.apply([user, view])
store.write_to_online_store("user", df)
print(f"feast: {len(df)} users x {len(features)} features in the SQLite online store")
