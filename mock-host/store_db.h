/* store_db.h - what the storage modules (store*.c) share and nothing else
 * includes: the SQLite handle behind the opaque mh_store. */
#ifndef MH_STORE_DB_H
#define MH_STORE_DB_H

#include <sqlite3.h>

#include "secret_box.h"
#include "store.h"

struct mh_store {
    sqlite3 *db;
    char *path;
    mh_secret_box box;
    int read_only;           /* opened with MH_STORE_READ_ONLY_OK on a file we may not write */
};

#endif
