#include "store_plugin.h"

#include <string.h>

#include "decls.h"

/* The host's own per-app keys that still share the config table with the
 * plugin's namespace (to move into host state). */
static const char *const host_keys[] = {"show_metadata", "last_full_complete_s", "watermark",
                                        "attention"};

static int run(mh_store *s, const char *sql, int64_t app_id, const char *text)
{
    sqlite3_stmt *st;
    int rc;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, app_id);
    if (text != NULL)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int mh_store_plugin_forget_prefix(mh_store *s, int64_t app_id, const char *prefix)
{
    return run(s, "DELETE FROM config WHERE app_id = ?1 AND substr(key, 1, length(?2)) = ?2",
               app_id, prefix);
}

static int is_host_key(const char *key)
{
    size_t i;
    for (i = 0; i < sizeof host_keys / sizeof host_keys[0]; i++)
        if (strcmp(host_keys[i], key) == 0)
            return 1;
    return mh_host_decl_find(key) != NULL;
}

int mh_store_plugin_forget_all(mh_store *s, int64_t app_id)
{
    sqlite3_stmt *st;
    int rc = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT key FROM config WHERE app_id = ?1", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, app_id);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        if (!is_host_key(key))
            rc = mh_store_config_set(s, app_id, key, NULL);
    }
    sqlite3_finalize(st);
    return rc == 0 ? run(s, "DELETE FROM secrets WHERE app_id = ?1", app_id, NULL) : -1;
}
