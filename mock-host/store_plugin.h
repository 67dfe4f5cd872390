/* store_plugin.h - the plugin-owned part of an app's storage as a whole:
 * its configuration namespace and its secrets, forgotten wholesale. */
#ifndef MH_STORE_PLUGIN_H
#define MH_STORE_PLUGIN_H

#include <stdint.h>

#include "store.h"

/* Removes the app's plugin config keys starting with `prefix` (e.g. a
 * login's "pending." state).  0 or -1. */
int mh_store_plugin_forget_prefix(mh_store *s, int64_t app_id, const char *prefix);

/* Removes everything the plugin keeps for the app: every config key it
 * wrote and every secret.  Host-owned keys (mh_store_host_keys) stay.
 * 0 or -1. */
int mh_store_plugin_forget_all(mh_store *s, int64_t app_id);

#endif
