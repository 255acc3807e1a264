"""FeatureDB's one rule for reading times (``Timestamp(csv:)`` in Swift), to microseconds.

``YYYY-MM-DD`` (midnight UTC) or ``YYYY-MM-DD[T| ]HH:MM[:SS[.f…]]`` followed by ``Z``,
``±HH:MM`` or nothing (UTC). Fraction digits past the sixth are dropped. Anything else is None.
"""

import re

_PATTERN = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _leap(y: int) -> bool:
    return (y % 4 == 0 and y % 100 != 0) or y % 400 == 0


def _days_from_civil(y: int, m: int, d: int) -> int:
    y = y - 1 if m <= 2 else y
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_micros(text):
    """Microseconds since 1970-01-01T00:00:00Z of ``text``, or None when it is not a time
    FeatureDB accepts (years 0001 to 9999)."""
    if text is None:
        return None
    micros = _iso8601(text)
    return micros if micros is not None else _iso8601(text + "Z")


def _iso8601(text):
    m = _PATTERN.fullmatch(text)
    if m is None:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    y, mo, d = int(y), int(mo), int(d)
    if y == 0 or not 1 <= mo <= 12 or d < 1 or d > (29 if mo == 2 and _leap(y) else _DAYS[mo - 1]):
        return None
    micros = 0
    if h is not None:
        h, mi = int(h), int(mi)
        if h >= 24 or mi >= 60:
            return None
        micros = (h * 3600 + mi * 60) * 1_000_000
        if s is not None:
            if int(s) >= 60:
                return None
            micros += int(s) * 1_000_000
            if frac is not None:
                micros += int((frac + "00000")[:6])
        if zone not in (None, "Z"):
            oh, om = int(zone[1:3]), int(zone[4:6])
            if oh >= 24 or om >= 60:
                return None
            offset = (oh * 3600 + om * 60) * 1_000_000
            micros -= offset if zone[0] == "+" else -offset
    return _days_from_civil(y, mo, d) * 86_400_000_000 + micros
