/* loader.h - finding plugins by manifest and loading them safely. */
#ifndef MH_LOADER_H
#define MH_LOADER_H

#include <stddef.h>

#include <sis/connector.h>

#include "manifest.h"

typedef struct mh_plugin {
    mh_manifest *manifest;            /* owned */
    void *handle;                     /* dlopen handle; never closed (see loader.c) */
    const sis_connector *connector;   /* owned by the plugin, valid while loaded */
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
void mh_registry_free(mh_registry *reg);

#endif
