"""FeatureDB's CSV output rule as Spark column expressions: a field is quoted only when it holds
a comma, a quote, CR or LF, or starts with U+FEFF, quotes doubled inside; comma separators."""

from pyspark.sql import Column
from pyspark.sql import functions as F


def field(c: Column) -> Column:
    """``c`` (a string, null as empty) as one CSV field."""
    text = F.coalesce(c, F.lit(""))
    needs_quotes = text.rlike('[,"\\r\\n]') | text.startswith("\ufeff")
    quoted = F.concat(F.lit('"'), F.regexp_replace(text, '"', '""'), F.lit('"'))
    return F.when(needs_quotes, quoted).otherwise(text)


def record(columns) -> Column:
    """The fields of ``columns`` joined into one CSV line (without its line end)."""
    return F.concat_ws(",", *[field(c) for c in columns])


def python_record(fields) -> str:
    """The same rule in Python, for the header row."""

    def one(text: str) -> str:
        if any(ch in text for ch in ',"\r\n') or text.startswith("\ufeff"):
            return '"' + text.replace('"', '""') + '"'
        return text

    return ",".join(one(f) for f in fields)
