#ifndef FEATUREDB_CLMDB_SHIM_H
#define FEATUREDB_CLMDB_SHIM_H
#include <lmdb.h>
#endif
