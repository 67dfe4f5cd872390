/*
 * loader.c - dlopen a vetted plugin and check its vtable before any call.
 *
 * Plugins are never dlclose'd: a plugin that used libcurl may have left
 * resolver threads or atexit handlers behind (curl's own advice), and the
 * mock host is a short-lived process anyway.
 */
#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int refuse(char *errbuf, size_t cap, const mh_manifest *m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse(char *errbuf, size_t cap, const mh_manifest *m, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(errbuf, cap, "plugin %s (%s): %s", m->id, m->path, msg);
    return -1;
}

/* Names the first required slot that is NULL, or NULL when all are set. */
static const char *missing_slot(const sis_connector *c)
{
    if (c->id == NULL) return "id";
    if (c->name == NULL) return "name";
    if (c->version == NULL) return "version";
    if (c->create == NULL) return "create";
    if (c->destroy == NULL) return "destroy";
    if (c->authenticate == NULL) return "authenticate";
    if (c->discover_schema == NULL) return "discover_schema";
    if (c->fetch_users == NULL) return "fetch_users";
    if (c->apply_mappings == NULL) return "apply_mappings";
    return NULL;
}

static int check_connector(const sis_connector *c, const mh_manifest *m, char *errbuf, size_t cap)
{
    const char *slot;
    if (SIS_ABI_MAJOR(c->abi_version) != SIS_ABI_VERSION_MAJOR)
        return refuse(errbuf, cap, m, "the library was built for SIS ABI %u.%u but this host speaks "
                      "%d.%d; rebuild the plugin against this host's headers",
                      SIS_ABI_MAJOR(c->abi_version), SIS_ABI_MINOR(c->abi_version),
                      SIS_ABI_VERSION_MAJOR, SIS_ABI_VERSION_MINOR);
    if (c->struct_size < offsetof(sis_connector, apply_mappings) + sizeof(c->apply_mappings))
        return refuse(errbuf, cap, m, "its connector table is %u bytes, smaller than SIS ABI 1.0 "
                      "requires; rebuild the plugin against this host's headers",
                      (unsigned)c->struct_size);
    slot = missing_slot(c);
    if (slot != NULL)
        return refuse(errbuf, cap, m, "the required connector slot \"%s\" is NULL; the plugin is "
                      "incomplete, contact its author", slot);
    if (c->kind != SIS_KIND_SIS)
        return refuse(errbuf, cap, m, "the library says it is not an SIS plugin (kind %d)", (int)c->kind);
    if (strcmp(c->id, m->id) != 0 || strcmp(c->version, m->version) != 0)
        return refuse(errbuf, cap, m, "the library says it is \"%s\" version %s but the manifest "
                      "says \"%s\" version %s; the manifest and library do not belong together",
                      c->id, c->version, m->id, m->version);
    return 0;
}

int mh_plugin_load(mh_plugin *out, mh_manifest *m, const sis_host *host, char *errbuf, size_t cap)
{
    void *h;
    union { void *obj; sis_entry_fn fn; } entry;
    const sis_connector *c = NULL;
    sis_error err = {0, ""};
    int rc;

    h = dlopen(m->library, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL)
        return refuse(errbuf, cap, m, "cannot load %s: %s", m->library, dlerror());
    entry.obj = dlsym(h, m->entry);
    if (entry.obj == NULL)
        return refuse(errbuf, cap, m, "the library %s exports no entry \"%s\"; fix \"entry\" in the "
                      "manifest", m->library, m->entry);
    rc = entry.fn(SIS_ABI_VERSION, host, &c, &err);
    if (rc != SIS_OK)
        return refuse(errbuf, cap, m, "the plugin refused to load (%d): %s", rc,
                      err.message[0] ? err.message : "no reason given");
    if (c == NULL)
        return refuse(errbuf, cap, m, "the entry returned success but no connector table");
    if (check_connector(c, m, errbuf, cap) != 0)
        return -1;
    out->manifest = m;
    out->handle = h;
    out->connector = c;
    return 0;
}

static int push_refusal(mh_registry *reg, const char *msg)
{
    char **r = realloc(reg->refusals, (reg->n_refusals + 1) * sizeof *r);
    if (r == NULL)
        return -1;
    reg->refusals = r;
    reg->refusals[reg->n_refusals++] = strdup(msg);
    return 0;
}

static void consider(mh_registry *reg, const char *path, const sis_host *host)
{
    char err[1024];
    mh_manifest *m;
    mh_plugin p, *grown;

    if (mh_manifest_load(&m, path, err, sizeof err) != 0) {
        push_refusal(reg, err);
        return;
    }
    if (mh_registry_find(reg, m->id) != NULL) {
        snprintf(err, sizeof err, "plugin %s (%s): another manifest already provides this id; "
                 "remove one of them", m->id, path);
        mh_manifest_free(m);
        push_refusal(reg, err);
        return;
    }
    if (mh_plugin_load(&p, m, host, err, sizeof err) != 0) {
        mh_manifest_free(m);
        push_refusal(reg, err);
        return;
    }
    grown = realloc(reg->plugins, (reg->n_plugins + 1) * sizeof *grown);
    if (grown == NULL) {
        mh_manifest_free(m);
        return;
    }
    reg->plugins = grown;
    reg->plugins[reg->n_plugins++] = p;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void scan_entry(mh_registry *reg, const char *path, const sis_host *host)
{
    struct stat st;
    struct dirent **names;
    char full[4096];
    int n, i;

    if (stat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        consider(reg, path, host);
        return;
    }
    n = scandir(path, &names, NULL, by_name);
    for (i = 0; i < n; i++) {
        if (has_suffix(names[i]->d_name, ".manifest")) {
            snprintf(full, sizeof full, "%s/%s", path, names[i]->d_name);
            consider(reg, full, host);
        }
        free(names[i]);
    }
    if (n >= 0)
        free(names);
}

void mh_registry_scan(mh_registry *reg, const char *search_path, const sis_host *host)
{
    char *copy = strdup(search_path), *save = NULL, *tok;
    for (tok = strtok_r(copy, ":", &save); tok != NULL; tok = strtok_r(NULL, ":", &save))
        scan_entry(reg, tok, host);
    free(copy);
}

const mh_plugin *mh_registry_find(const mh_registry *reg, const char *id)
{
    size_t i;
    for (i = 0; i < reg->n_plugins; i++)
        if (strcmp(reg->plugins[i].manifest->id, id) == 0)
            return &reg->plugins[i];
    return NULL;
}

void mh_registry_free(mh_registry *reg)
{
    size_t i;
    for (i = 0; i < reg->n_plugins; i++)
        mh_manifest_free(reg->plugins[i].manifest);
    for (i = 0; i < reg->n_refusals; i++)
        free(reg->refusals[i]);
    free(reg->plugins);
    free(reg->refusals);
    memset(reg, 0, sizeof *reg);
}
