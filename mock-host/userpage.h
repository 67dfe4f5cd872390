/* userpage.h - writing the Users page: mapped users stored only when
 * something changed, and re-mapping the stored records after a mapping
 * change.  (The mapping choices themselves: mapping_config.h.) */
#ifndef MH_USERPAGE_H
#define MH_USERPAGE_H

#include <sis/connector.h>

#include "jsonw.h"
#include "mapping_config.h"
#include "store.h"
#include "store_users.h"

typedef enum mh_user_change {
    MH_USER_UNCHANGED = 0,
    MH_USER_CREATED = 1,
    MH_USER_UPDATED = 2
} mh_user_change;

typedef struct mh_user_counts {
    uint64_t created, updated, unchanged, deactivated, reactivated;
} mh_user_counts;

/* Statements and buffers reused for every user of a run. */
typedef struct mh_user_writer {
    mh_user_rows *rows;
    mh_user_row row;
    mh_user_counts counts;
    char now[32];
    int itxm;                        /* role and location mapping apply */
    int known_new;                   /* the caller knows no row exists: skip the lookup */
} mh_user_writer;

/* Appends "unmapped_roles":{role:n},"unmapped_orgs":{org:n} (orgs the roster
 * has, with no location),"unknown_orgs":{org:n} (orgs it does not have) for the app's
 * active users (ITxM; empty objects otherwise). */
void mh_unmapped_json(mh_store *s, const mh_app *app, mh_str *out);

int mh_user_writer_open(mh_user_writer *w, mh_store *s, const mh_app *app);
void mh_user_writer_close(mh_user_writer *w);
/* sis_user_fn-compatible: ctx is the writer.  Encodes the user and stores
 * the row only when it changed, counting what happened. */
int mh_user_write(void *ctx, const sis_host_user *u);

/* Re-applies the current mapping to every stored record of the app, in one
 * transaction, without asking the SIS.  Returns 0 or -1 (reason printed). */
int mh_reapply_mappings(mh_store *s, const mh_app *app, const sis_connector *conn,
                        sis_instance *inst, mh_user_counts *counts);
/* The same inside a transaction the caller holds (and commits or rolls back). */
int mh_reapply_mappings_in(mh_store *s, const mh_app *app, const sis_connector *conn,
                           sis_instance *inst, mh_user_counts *counts);

#endif
