"""The windowed count, sum and mean features of `extract.windowed`, computed the way the
systems FeatureDB's pipeline replaces compute them: vectorised pandas and numpy over a
DataFrame of the events, compute only (reading the file is not timed).

For every event and each window w in 1h, 6h, 24h, 7d, over the same user's events with time in
(t - w, t] (the event included):
  count_w  events                     (FeatureDB: activity_count_w)
  sum_w    sum of purchase amounts    (FeatureDB: purchase_amount_w)
  mean_w   mean purchase amount, 0 without purchases

Two ways, both timed separately:
  pandas   df.groupby("user").rolling(w, on="time", closed="right") — the idiomatic form
  numpy    one sort, np.searchsorted for each window's start, differences of cumulative sums

Usage: python windowed_features.py EVENTS.jsonl
Prints one JSON line per way: events, seconds, events_per_s.
"""

import json
import sys
import time

import numpy as np
import pandas as pd

WINDOWS = {"1h": 3_600, "6h": 6 * 3_600, "24h": 86_400, "7d": 7 * 86_400}


def load(path):
    """The events as columns: user, time (datetime64[us], UTC), is_purchase, amount."""
    users, times, purchase, amount = [], [], [], []
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            users.append(e["user_id"])
            times.append(e["timestamp"])
            p = e["event_type"] == "purchase"
            purchase.append(p)
            a = e.get("data", {}).get("amount") if p else None
            amount.append(float(a) if isinstance(a, (int, float)) else 0.0)
    return pd.DataFrame(
        {
            "user": pd.Categorical(users),
            "time": pd.to_datetime(times, utc=True, format="ISO8601").astype("datetime64[us, UTC]"),
            "is_purchase": np.array(purchase),
            "amount": np.array(amount),
        }
    )


def with_pandas(df):
    """Each window's count, sum and mean per event, by groupby + time-based rolling."""
    d = df.sort_values(["user", "time"], kind="stable").reset_index(drop=True)
    d["one"] = 1.0
    d["purchase_amount"] = d["amount"].where(d["is_purchase"])  # NaN: not a purchase
    out = {}
    g = d.groupby("user", observed=True)
    for name, seconds in WINDOWS.items():
        r = g.rolling(f"{seconds}s", on="time", closed="right")
        out[f"count_{name}"] = r["one"].sum().to_numpy()
        s = r["purchase_amount"].agg(["sum", "count"])
        out[f"sum_{name}"] = s["sum"].to_numpy()
        out[f"mean_{name}"] = np.where(s["count"] > 0, s["sum"] / s["count"].clip(lower=1), 0.0)
    return out


def with_numpy(df):
    """The same with one sort, binary searches and cumulative sums."""
    codes = df["user"].cat.codes.to_numpy().astype(np.int64)
    t = df["time"].dt.tz_localize(None).to_numpy().astype("datetime64[us]").astype(np.int64)
    order = np.lexsort((t, codes))
    codes, t = codes[order], t[order]
    amount = np.where(df["is_purchase"].to_numpy(), df["amount"].to_numpy(), 0.0)[order]
    purchases = df["is_purchase"].to_numpy()[order].astype(np.int64)
    # User-major keys: each user's times in a range wider than the stream plus the longest
    # window, so a window never reaches the previous user's events.
    span = int(t.max() - t.min()) + max(WINDOWS.values()) * 1_000_000 + 1
    assert (int(codes.max()) + 1) * span < 2**63
    key = codes * span + (t - t.min())
    csum = np.concatenate(([0.0], np.cumsum(amount)))
    ccount = np.concatenate(([0], np.cumsum(purchases)))
    end = np.arange(1, len(key) + 1)
    out = {}
    for name, seconds in WINDOWS.items():
        start = np.searchsorted(key, key - seconds * 1_000_000, side="right")
        out[f"count_{name}"] = end - start
        total = csum[end] - csum[start]
        n = ccount[end] - ccount[start]
        out[f"sum_{name}"] = total
        out[f"mean_{name}"] = np.where(n > 0, total / np.maximum(n, 1), 0.0)
    return out


def main():
    df = load(sys.argv[1])
    results = {}
    for way, f in (("pandas", with_pandas), ("numpy", with_numpy)):
        start = time.perf_counter()
        results[way] = f(df)
        seconds = time.perf_counter() - start
        print(
            json.dumps(
                {
                    "peer": way,
                    "events": len(df),
                    "seconds": round(seconds, 3),
                    "events_per_s": int(len(df) / seconds),
                }
            ),
            flush=True,
        )
    # How many events the two ways count differently (pandas may count events tied in time
    # with the current one that come after it; numpy, like FeatureDB, counts those before it).
    differ = {
        name: int(np.sum(results["pandas"][f"count_{name}"] != results["numpy"][f"count_{name}"]))
        for name in WINDOWS
    }
    print(json.dumps({"counts_differing": differ}), flush=True)


if __name__ == "__main__":
    main()
