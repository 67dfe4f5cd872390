/*
 * decls.c - declarations are the one description of what an admin can
 * tell a plugin: the host validates every value against them before
 * anything is stored, so a setting is either valid or absent, never
 * silently replaced by a default later.
 */
#include "decls.h"
#include "loopback.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST_INT(n, l, def, lo, hi, h) \
    {sizeof(sis_decl), SIS_DECL_SETTING, n, l, SIS_VALUE_INTEGER, 0, def, lo, hi, NULL, 0, h}

static const sis_decl threshold = HOST_INT("deactivation_threshold_pct",
    "Deactivation threshold (%)", "10", 0, 100,
    "A full run that would deactivate more than this share of active users (or all of one "
    "role) is held for confirmation.");
static const sis_decl full_every = HOST_INT("full_every_days", "Full run every (days)", "7", 1, 365,
    "An automatic run is a full run when the last complete one is older than this.");
static const sis_decl projection = {sizeof(sis_decl), SIS_DECL_SETTING, "fetch_projection",
    "Fetch only mapped fields", SIS_VALUE_BOOLEAN, 0, "off", 0, 0, NULL, 0,
    "on: ask the SIS only for the fields the mapping shows (faster; a field chosen later needs a "
    "full run)."};
static const sis_decl sync_every = HOST_INT("sync_every", "Sync every (minutes)", "60", 0, 525600,
    "mock-host worker syncs the app when its last finished run started longer ago than this; "
    "0: never automatically.");

const sis_decl *const mh_host_decls[] = {&threshold, &full_every, &projection, &sync_every};
const size_t mh_n_host_decls = sizeof mh_host_decls / sizeof mh_host_decls[0];

const sis_decl *mh_host_decl_find(const char *name)
{
    size_t i;
    for (i = 0; i < mh_n_host_decls; i++)
        if (strcmp(mh_host_decls[i]->name, name) == 0)
            return mh_host_decls[i];
    return NULL;
}

const sis_decl *mh_decl_find(const sis_plugin_header *h, sis_decl_scope scope, const char *name)
{
    size_t i;
    for (i = 0; i < h->n_decls; i++)
        if (h->decls[i]->scope == scope && strcmp(h->decls[i]->name, name) == 0)
            return h->decls[i];
    return NULL;
}

size_t mh_decl_count(const sis_plugin_header *h, sis_decl_scope scope)
{
    size_t i, n = 0;
    for (i = 0; i < h->n_decls; i++)
        n += h->decls[i]->scope == scope;
    return n;
}

void mh_decl_flag(const sis_decl *d, char *buf, size_t cap)
{
    size_t i, n = 2;
    snprintf(buf, cap, "--");
    for (i = 0; d->name[i] != '\0' && n + 1 < cap; i++)
        buf[n++] = d->name[i] == '_' ? '-' : d->name[i];
    buf[n < cap ? n : cap - 1] = '\0';
}

static int integer_ok(const sis_decl *d, const char *v, long long *out)
{
    char *end;
    errno = 0;
    if (!(isdigit((unsigned char)v[0]) || (v[0] == '-' && isdigit((unsigned char)v[1]))))
        return 0;
    *out = strtoll(v, &end, 10);
    return errno == 0 && *end == '\0' && *out >= d->min && *out <= d->max;
}

void mh_decl_allowed(const sis_decl *d, char *buf, size_t cap)
{
    size_t i, n;
    switch (d->type) {
    case SIS_VALUE_INTEGER:
        snprintf(buf, cap, "%lld..%lld", (long long)d->min, (long long)d->max);
        return;
    case SIS_VALUE_BOOLEAN:
        snprintf(buf, cap, "on|off");
        return;
    case SIS_VALUE_CHOICE:
        buf[0] = '\0';
        for (i = 0, n = 0; i < d->n_choices && n < cap; i++)
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "|" : "", d->choices[i]);
        return;
    case SIS_VALUE_URL:
        snprintf(buf, cap, "URL");
        return;
    case SIS_VALUE_SECRET:
        snprintf(buf, cap, "secret");
        return;
    case SIS_VALUE_PATH:
        snprintf(buf, cap, "path");
        return;
    default:
        snprintf(buf, cap, "text");
        return;
    }
}

int mh_decl_check(const sis_decl *d, const char *v, char *errbuf, size_t cap)
{
    char allowed[256];
    long long n;
    size_t i;

    if (v == NULL || v[0] == '\0') {
        snprintf(errbuf, cap, "%s must not be empty", d->name);
        return -1;
    }
    if (strlen(v) > 8192) {
        snprintf(errbuf, cap, "%s is longer than 8192 characters", d->name);
        return -1;
    }
    switch (d->type) {
    case SIS_VALUE_INTEGER:
        if (integer_ok(d, v, &n))
            return 0;
        snprintf(errbuf, cap, "%s must be a whole number from %lld to %lld, not \"%.40s\"", d->name,
                 (long long)d->min, (long long)d->max, v);
        return -1;
    case SIS_VALUE_BOOLEAN:
        if (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)
            return 0;
        snprintf(errbuf, cap, "%s must be on or off, not \"%.40s\"", d->name, v);
        return -1;
    case SIS_VALUE_CHOICE:
        for (i = 0; i < d->n_choices; i++)
            if (strcmp(v, d->choices[i]) == 0)
                return 0;
        mh_decl_allowed(d, allowed, sizeof allowed);
        snprintf(errbuf, cap, "%s must be one of %s, not \"%.40s\"", d->name, allowed, v);
        return -1;
    case SIS_VALUE_URL:
        if (mh_url_is_allowed(v))
            return 0;
        snprintf(errbuf, cap, "%s must be an https:// URL (plain http:// only to this machine), "
                 "without a user name or password in it, not \"%.80s\"", d->name, v);
        return -1;
    default:
        for (i = 0; v[i] != '\0'; i++)
            if ((unsigned char)v[i] < 0x20) {
                snprintf(errbuf, cap, "%s must be one line of text", d->name);
                return -1;
            }
        return 0;
    }
}

static int name_ok(const char *s)
{
    if (s == NULL || !islower((unsigned char)*s))
        return 0;
    for (; *s != '\0'; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

static int vet_one(const sis_plugin_header *h, size_t i, char *errbuf, size_t cap)
{
    const sis_decl *d = h->decls[i];
    char why[256];
    size_t k;

    if (d == NULL || d->struct_size < offsetof(sis_decl, help) + sizeof d->help)
        return snprintf(errbuf, cap, "declaration %zu is missing or older than SIS ABI 2.0", i + 1), -1;
    if (!name_ok(d->name))
        return snprintf(errbuf, cap, "declaration %zu has no valid name (lower-case letters, digits, "
                        "'_')", i + 1), -1;
    if (d->scope < SIS_DECL_CREDENTIAL || d->scope > SIS_DECL_HOST_SETTING ||
        d->type < SIS_VALUE_TEXT || d->type > SIS_VALUE_PATH || d->label == NULL)
        return snprintf(errbuf, cap, "declaration \"%s\" has an unknown scope or type, or no label",
                        d->name), -1;
    if (d->type == SIS_VALUE_INTEGER && d->min > d->max)
        return snprintf(errbuf, cap, "declaration \"%s\" has min > max", d->name), -1;
    if (d->type == SIS_VALUE_CHOICE && (d->choices == NULL || d->n_choices == 0))
        return snprintf(errbuf, cap, "declaration \"%s\" is a choice without choices", d->name), -1;
    if (d->default_value != NULL && (d->type == SIS_VALUE_SECRET ||
                                     mh_decl_check(d, d->default_value, why, sizeof why) != 0))
        return snprintf(errbuf, cap, "the default of declaration \"%s\" is not valid for it", d->name), -1;
    if (d->scope == SIS_DECL_SETTING && mh_host_decl_find(d->name) != NULL)
        return snprintf(errbuf, cap, "the setting \"%s\" is one of the host's own; rename it",
                        d->name), -1;
    for (k = 0; k < i; k++)
        if (h->decls[k]->scope == d->scope && strcmp(h->decls[k]->name, d->name) == 0)
            return snprintf(errbuf, cap, "\"%s\" is declared twice", d->name), -1;
    return 0;
}

int mh_decls_vet(const sis_plugin_header *h, char *errbuf, size_t cap)
{
    size_t i;
    if (h->n_decls > 0 && h->decls == NULL)
        return snprintf(errbuf, cap, "n_decls is %zu but decls is NULL", h->n_decls), -1;
    for (i = 0; i < h->n_decls; i++)
        if (vet_one(h, i, errbuf, cap) != 0)
            return -1;
    if (mh_decl_count(h, SIS_DECL_CREDENTIAL) > MH_MAX_CREDENTIALS)
        return snprintf(errbuf, cap, "it declares more than %d credential fields",
                        MH_MAX_CREDENTIALS), -1;
    return 0;
}
