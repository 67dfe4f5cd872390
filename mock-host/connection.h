/* connection.h - the host core's part that connects an installed app to
 * its source: one plugin authenticate step in one transaction, whatever
 * started it (the command line, ClassLink Login's redirect, provisioning,
 * the console). */
#ifndef MH_CONNECTION_H
#define MH_CONNECTION_H

#include <stdint.h>

#include <sis/connector.h>

#include "services.h"

/* What an authenticate step handed back; strings owned, freed by
 * mh_auth_outcome_free. */
typedef struct mh_auth_outcome {
    char *url;            /* BEGIN: where to send the browser */
    char *tenant_name;    /* the district, when known */
    char *source;         /* where the roster comes from */
    uint64_t visible_users;
} mh_auth_outcome;

void mh_auth_outcome_free(mh_auth_outcome *o);

/* Runs the plugin's authenticate inside one transaction: on success after
 * MANUAL or COMPLETE the app is marked connected and its "needs attention"
 * note cleared; on failure nothing is stored.  Returns a sis_status, with
 * err filled on failure. */
int mh_authenticate(mh_store *store, sis_host_app *happ, const sis_auth_request *req,
                    mh_auth_outcome *out, sis_error *err);

/* "Connected APP to DISTRICT." and what to do next. */
void mh_print_connected(const sis_host_app *happ, const mh_auth_outcome *o);

#endif
