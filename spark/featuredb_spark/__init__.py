"""FeatureDB's training sets and snapshots from its partitioned exports, on Apache Spark.

The modules: ``shard`` (the entity → shard function), ``times`` (FeatureDB's ISO-8601 rule),
``exports`` (reading ``fdb export --partitioned`` folders), ``as_of`` (the as-of rule),
``csv_text`` (FeatureDB's CSV quoting as Spark expressions), ``jobs`` (session, output, exit
codes), and the jobs ``training_set`` and ``snapshot``.
"""
