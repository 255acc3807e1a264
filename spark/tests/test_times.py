"""FeatureDB's time rule in Python (the Swift parser's cases)."""

import unittest

from featuredb_spark.times import parse_micros

HOUR = 3_600_000_000


class TimesTests(unittest.TestCase):
    def test_forms(self):
        base = parse_micros("2026-01-05T10:30:00Z")
        self.assertEqual(base, 1767609000 * 1_000_000)
        self.assertEqual(parse_micros("2026-01-05T10:30:00"), base)  # naive: UTC
        self.assertEqual(parse_micros("2026-01-05 10:30:00Z"), base)
        self.assertEqual(parse_micros("2026-01-05T10:30Z"), base)
        self.assertEqual(parse_micros("2026-01-05T11:30:00+01:00"), base)
        self.assertEqual(parse_micros("2026-01-05T09:00:00-01:30"), base)
        self.assertEqual(parse_micros("2026-01-05"), base - 10 * HOUR - HOUR // 2)
        self.assertEqual(parse_micros("2026-01-05T10:30:00.5Z"), base + 500_000)
        self.assertEqual(parse_micros("2026-01-05T10:30:00.1234567Z"), base + 123_456)  # truncated
        self.assertEqual(parse_micros("1969-12-31T23:59:59.999999Z"), -1)

    def test_rejects(self):
        for bad in [
            "", "yesterday", "2026-1-05", "2026-02-30", "2026-01-05T24:00:00Z", "2026-01-05T10:60Z",
            "2026-01-05T10:30:60Z", "2026-01-05T10:30:00.Z", "2026-01-05T10:30:00+0100",
            "2026-01-05T10", "2026-01-05T10:30:00ZZ", "٢٠٢٦-01-05", "0000-01-01", " 2026-01-05",
        ]:
            self.assertIsNone(parse_micros(bad), bad)
        self.assertEqual(parse_micros("2024-02-29"), parse_micros("2024-02-28") + 24 * HOUR)
        self.assertIsNone(parse_micros("2100-02-29"))


if __name__ == "__main__":
    unittest.main()
