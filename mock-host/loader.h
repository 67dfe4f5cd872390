/* loader.h - finding plugins by manifest and loading them safely. */
#ifndef MH_LOADER_H
#define MH_LOADER_H

#include <stddef.h>

#include <sis/connector.h>
#include <sis/sso.h>

#include "manifest.h"

typedef struct mh_plugin {
    mh_manifest *manifest;            /* owned */
    void *handle;                     /* dlopen handle; never closed (see loader.c) */
    /* Owned by the plugin, valid while loaded.  `header` always; then the
     * table of its kind: `connector` for SIS (else NULL), `sso` for SSO. */
    const sis_plugin_header *header;
    const sis_connector *connector;
    const sis_sso_provider *sso;
    int initialised;                  /* header->init ran; shutdown is owed */
} mh_plugin;

typedef struct mh_registry {
    mh_plugin *plugins;               /* the plugins that passed every check */
    size_t n_plugins;
    char **refusals;                  /* one admin-readable line per refused plugin */
    size_t n_refusals;
} mh_registry;

/* Vets and loads the plugin that manifest `m` describes.  On success takes
 * ownership of `m`.  Returns 0, or -1 with a message naming the plugin, the
 * file and what to fix. */
int mh_plugin_load(mh_plugin *out, mh_manifest *m, const sis_host *host, char *errbuf, size_t cap);

/* Loads every manifest on `search_path` (':'-separated files or folders;
 * a folder contributes its *.manifest files).  Refusals are collected, not
 * fatal: the host keeps running with the plugins that loaded. */
void mh_registry_scan(mh_registry *reg, const char *search_path, const sis_host *host);
const mh_plugin *mh_registry_find(const mh_registry *reg, const char *id);
/* Calls every loaded plugin's shutdown, then frees the registry. */
void mh_registry_free(mh_registry *reg);

/* "SIS" or "SSO": the marketplace's section names. */
const char *mh_kind_section(sis_plugin_kind kind);

#endif
