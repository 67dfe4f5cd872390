/* host_settings.h - the host's own per-app settings (decls.c's
 * mh_host_decls) and notes, kept in host state: never in the plugin's
 * namespace, so disconnect does not touch them. */
#ifndef MH_HOST_SETTINGS_H
#define MH_HOST_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The admin's value of host setting `name`, else its declared default;
 * 0, or 1 when the setting has neither. */
int mh_host_setting_get(mh_store *s, int64_t app_id, const char *name, char *buf, size_t cap);
/* An integer host setting, validated when it was set. */
long mh_host_setting_long(mh_store *s, int64_t app_id, const char *name);
/* Stores (value) or removes (NULL) the admin's value; the caller has
 * validated it against the declaration.  0 or -1. */
int mh_host_setting_set(mh_store *s, int64_t app_id, const char *name, const char *value);

/* Why a pre-created or reconnected app needs the admin's attention;
 * NULL clears it. */
int mh_app_attention_set(mh_store *s, int64_t app_id, const char *reason);
int mh_app_attention_get(mh_store *s, int64_t app_id, char *buf, size_t cap);

#endif
