"""Point-in-time training sets from FeatureDB's partitioned exports, on Apache Spark.

The modules: ``shard`` (the entity → shard function), ``times`` (FeatureDB's ISO-8601 rule),
``exports`` (reading ``fdb export --partitioned`` folders), ``csv_text`` (FeatureDB's CSV
quoting as Spark expressions) and ``training_set`` (the job).
"""
