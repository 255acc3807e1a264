import FDBCLI

FDB.execute()
