"""Feast's own Python SDK against a FeatureDB server, as a Feast user would run it.

Usage: python sdk_exchange.py BASE_URL WORK_DIR [RECORDING.jsonl]

Sets up a Feast repository whose online store is `{type: remote, path: BASE_URL}` with the
`driver` feature view of the server tests' fixture, pushes one row through the SDK, reads it and
the fixture's rows back, and prints what the SDK returned as one JSON document. With a third
argument, every HTTP exchange between the SDK and the server (method, path, request body,
status, response body, exactly as sent) is also written there, one JSON object per line: the recording the
Swift tests replay.
"""

import json
import os
import sys
from datetime import datetime, timedelta, timezone

import pandas as pd
import requests

base_url, work_dir = sys.argv[1], sys.argv[2]
recording = open(sys.argv[3], "w") if len(sys.argv) > 3 else None

if recording:
    original = requests.Session.request

    def recorded(self, method, url, **kwargs):
        response = original(self, method, url, **kwargs)
        recording.write(json.dumps({
            "method": method.upper(),
            "path": url[len(base_url):],
            "body": (response.request.body or b"").decode("utf-8") if isinstance(response.request.body, bytes) else response.request.body,
            "status": response.status_code,
            "response": response.text,
        }, sort_keys=True) + "\n")
        return response

    requests.Session.request = recorded

from feast import Entity, FeatureService, FeatureStore, FeatureView, Field, FileSource, PushSource  # noqa: E402
from feast.data_source import PushMode  # noqa: E402
from feast.types import Array, Bool, Float32, Float64, Int64, String  # noqa: E402

os.makedirs(os.path.join(work_dir, "data"), exist_ok=True)
with open(os.path.join(work_dir, "feature_store.yaml"), "w") as f:
    f.write(f"""project: fdb_server_test
registry: data/registry.db
provider: local
online_store:
  type: remote
  path: {base_url}
offline_store:
  type: file
entity_key_serialization_version: 3
""")

driver = Entity(name="driver", join_keys=["driver_id"])
batch = FileSource(path=os.path.join(work_dir, "data", "driver.parquet"), timestamp_field="event_timestamp")
push = PushSource(name="driver_push", batch_source=batch)
view = FeatureView(
    name="driver",
    entities=[driver],
    ttl=timedelta(days=36500),
    schema=[
        Field(name="driver_id", dtype=Int64),
        Field(name="conv_rate", dtype=Float64),
        Field(name="trips", dtype=Int64),
        Field(name="active", dtype=Bool),
        Field(name="name", dtype=String),
        Field(name="vec", dtype=Array(Float32)),
    ],
    source=push,
    online=True,
)
service = FeatureService(name="driver_service", features=[view[["conv_rate", "trips"]]])

store = FeatureStore(repo_path=work_dir)
store.apply([driver, push, view, service])

store.push(
    "driver_push",
    pd.DataFrame({
        "driver_id": [2001],
        "conv_rate": [0.75],
        "trips": [5],
        "active": [False],
        "name": ["Cy"],
        "vec": [[1.0, 2.0, 3.0]],
        "event_timestamp": [datetime(2026, 2, 1, 12, 30, tzinfo=timezone.utc)],
    }),
    to=PushMode.ONLINE,
)

features = ["driver:conv_rate", "driver:trips", "driver:active", "driver:name", "driver:vec"]
rows = [{"driver_id": 1001}, {"driver_id": 1002}, {"driver_id": 1003}, {"driver_id": 2001}]
by_refs = store.get_online_features(features=features, entity_rows=rows).to_dict()
by_service = store.get_online_features(
    features=store.get_feature_service("driver_service"), entity_rows=rows, full_feature_names=True
).to_dict()
print(json.dumps({"features": by_refs, "service": by_service}, sort_keys=True))
if recording:
    recording.close()
