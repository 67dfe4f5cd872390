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

#include "decls.h"

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
static const char *missing_sis_slot(const sis_connector *c)
{
    if (c->create == NULL) return "create";
    if (c->destroy == NULL) return "destroy";
    if (c->authenticate == NULL) return "authenticate";
    if (c->discover_schema == NULL) return "discover_schema";
    if (c->fetch_users == NULL) return "fetch_users";
    if (c->apply_mappings == NULL) return "apply_mappings";
    return NULL;
}

static const char *missing_sso_slot(const sis_sso_provider *p)
{
    if (p->create == NULL) return "create";
    if (p->destroy == NULL) return "destroy";
    if (p->sign_in_url == NULL) return "sign_in_url";
    if (p->complete == NULL) return "complete";
    return NULL;
}

const char *mh_kind_section(sis_plugin_kind kind)
{
    return kind == SIS_KIND_SIS ? "SIS" : kind == SIS_KIND_SSO ? "SSO" : "other";
}

static int check_header(const sis_plugin_header *h, const mh_manifest *m, char *errbuf, size_t cap)
{
    if (SIS_ABI_MAJOR(h->abi_version) != SIS_ABI_VERSION_MAJOR)
        return refuse(errbuf, cap, m, "the library was built for SIS ABI %u.%u but this host speaks "
                      "%d.%d; rebuild the plugin against this host's headers",
                      SIS_ABI_MAJOR(h->abi_version), SIS_ABI_MINOR(h->abi_version),
                      SIS_ABI_VERSION_MAJOR, SIS_ABI_VERSION_MINOR);
    if (h->struct_size < sizeof(sis_plugin_header))
        return refuse(errbuf, cap, m, "its table is %u bytes, smaller than the SIS ABI %d.0 "
                      "header; rebuild the plugin against this host's headers",
                      (unsigned)h->struct_size, SIS_ABI_VERSION_MAJOR);
    if (h->id == NULL || h->name == NULL || h->version == NULL)
        return refuse(errbuf, cap, m, "the header's identity (id, name, version) is incomplete; "
                      "the plugin is incomplete, contact its author");
    return 0;
}

static int check_kind(mh_plugin *p, char *errbuf, size_t cap)
{
    const sis_plugin_header *h = p->header;
    const char *slot = NULL;
    size_t need;

    if (h->kind == SIS_KIND_SIS) {
        p->connector = (const sis_connector *)(const void *)h;
        need = offsetof(sis_connector, apply_mappings) + sizeof p->connector->apply_mappings;
        if (h->struct_size >= need)
            slot = missing_sis_slot(p->connector);
        if ((h->capabilities & SIS_CAP_AUTH_MANUAL) && mh_decl_count(h, SIS_DECL_CREDENTIAL) == 0)
            return refuse(errbuf, cap, p->manifest, "it offers manual credentials but declares no "
                          "credential field");
    } else if (h->kind == SIS_KIND_SSO) {
        p->sso = (const sis_sso_provider *)(const void *)h;
        need = offsetof(sis_sso_provider, complete) + sizeof p->sso->complete;
        if (h->struct_size >= need)
            slot = missing_sso_slot(p->sso);
    } else {
        return refuse(errbuf, cap, p->manifest, "the library is of kind %d, which this host does "
                      "not know", (int)h->kind);
    }
    if (h->struct_size < need)
        return refuse(errbuf, cap, p->manifest, "its %s table is %u bytes, smaller than SIS ABI "
                      "%d.0 requires; rebuild the plugin against this host's headers",
                      mh_kind_section(h->kind), (unsigned)h->struct_size, SIS_ABI_VERSION_MAJOR);
    if (slot != NULL)
        return refuse(errbuf, cap, p->manifest, "the required slot \"%s\" is NULL; the plugin is "
                      "incomplete, contact its author", slot);
    return 0;
}

/* After the table is known to be whole: is it the plugin the manifest
 * names, and are its declarations sound? */
static int check_identity(const sis_plugin_header *h, const mh_manifest *m, char *errbuf, size_t cap)
{
    char why[512];
    if (strcmp(h->id, m->id) != 0 || strcmp(h->version, m->version) != 0)
        return refuse(errbuf, cap, m, "the library says it is \"%s\" version %s but the manifest "
                      "says \"%s\" version %s; the manifest and library do not belong together",
                      h->id, h->version, m->id, m->version);
    if (h->kind != m->kind)
        return refuse(errbuf, cap, m, "the library says it is an %s plugin but the manifest says "
                      "%s", mh_kind_section(h->kind), mh_kind_section(m->kind));
    if (mh_decls_vet(h, why, sizeof why) != 0)
        return refuse(errbuf, cap, m, "its declarations are unsound: %s", why);
    return 0;
}

int mh_plugin_load(mh_plugin *out, mh_manifest *m, const sis_host *host, char *errbuf, size_t cap)
{
    void *h;
    union { void *obj; sis_entry_fn fn; } entry;
    const sis_plugin_header *header = NULL;
    sis_error err = SIS_ERROR_LOCAL;
    mh_plugin p;
    int rc;

    memset(&p, 0, sizeof p);
    p.manifest = m;
    h = dlopen(m->library, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL)
        return refuse(errbuf, cap, m, "cannot load %s: %s", m->library, dlerror());
    entry.obj = dlsym(h, m->entry);
    if (entry.obj == NULL)
        return refuse(errbuf, cap, m, "the library %s exports no entry \"%s\"; fix \"entry\" in the "
                      "manifest", m->library, m->entry);
    rc = entry.fn(SIS_ABI_VERSION, host, &header, &err);
    if (rc != SIS_OK)
        return refuse(errbuf, cap, m, "the plugin refused to load (%s): %s", sis_status_name(rc),
                      err.message[0] ? err.message : "no reason given");
    if (header == NULL)
        return refuse(errbuf, cap, m, "the entry returned success but no table");
    if (check_header(header, m, errbuf, cap) != 0)
        return -1;
    p.handle = h;
    p.header = header;
    if (check_kind(&p, errbuf, cap) != 0 || check_identity(header, m, errbuf, cap) != 0)
        return -1;
    if (header->init != NULL) {
        rc = header->init(host, &err);
        if (rc != SIS_OK)
            return refuse(errbuf, cap, m, "the plugin could not initialise (%s): %s",
                          sis_status_name(rc), err.message);
        p.initialised = 1;
    }
    *out = p;
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
    for (i = 0; i < reg->n_plugins; i++) {
        if (reg->plugins[i].initialised && reg->plugins[i].header->shutdown != NULL)
            reg->plugins[i].header->shutdown();
        mh_manifest_free(reg->plugins[i].manifest);
    }
    for (i = 0; i < reg->n_refusals; i++)
        free(reg->refusals[i]);
    free(reg->plugins);
    free(reg->refusals);
    memset(reg, 0, sizeof *reg);
}
