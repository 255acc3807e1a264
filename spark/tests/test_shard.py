"""The Python shard function against the golden table the Swift tests check too."""

import json
import os
import unittest

from featuredb_spark.shard import fnv1a64, jump, shard_of

GOLDEN = os.path.join(os.path.dirname(__file__), "shard_golden.json")


class ShardTests(unittest.TestCase):
    def test_golden_table(self):
        with open(GOLDEN, encoding="utf-8") as f:
            golden = json.load(f)["entities"]
        self.assertGreaterEqual(len(golden), 15)
        for row in golden:
            self.assertEqual(format(fnv1a64(row["entity"].encode()), "016x"), row["fnv1a64"], row["entity"])
            for n, k in row["shards"].items():
                self.assertEqual(shard_of(row["entity"], int(n)), k, (row["entity"], n))

    def test_fnv_vectors(self):
        self.assertEqual(fnv1a64(b""), 0xCBF29CE484222325)
        self.assertEqual(fnv1a64(b"a"), 0xAF63DC4C8601EC8C)

    def test_one_shard_and_growth(self):
        self.assertEqual(jump(12345, 1), 0)
        for i in range(2000):
            before, after = shard_of(f"id{i}", 4), shard_of(f"id{i}", 5)
            self.assertIn(after, (before, 4))


if __name__ == "__main__":
    unittest.main()
