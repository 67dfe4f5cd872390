#include "host_settings.h"

#include <stdio.h>
#include <stdlib.h>

#include "decls.h"

int mh_host_setting_get(mh_store *s, int64_t app_id, const char *name, char *buf, size_t cap)
{
    const sis_decl *d = mh_host_decl_find(name);
    if (mh_store_state_get(s, app_id, name, buf, cap) == 0)
        return 0;
    if (d == NULL || d->default_value == NULL)
        return 1;
    snprintf(buf, cap, "%s", d->default_value);
    return 0;
}

long mh_host_setting_long(mh_store *s, int64_t app_id, const char *name)
{
    char buf[32];
    return mh_host_setting_get(s, app_id, name, buf, sizeof buf) == 0 ? atol(buf) : 0;
}

int mh_host_setting_set(mh_store *s, int64_t app_id, const char *name, const char *value)
{
    return value != NULL ? mh_store_state_set(s, app_id, name, value)
                         : mh_store_state_delete(s, app_id, name);
}

int mh_app_attention_set(mh_store *s, int64_t app_id, const char *reason)
{
    return reason != NULL ? mh_store_state_set(s, app_id, "attention", reason)
                          : mh_store_state_delete(s, app_id, "attention");
}

int mh_app_attention_get(mh_store *s, int64_t app_id, char *buf, size_t cap)
{
    return mh_store_state_get(s, app_id, "attention", buf, cap);
}
