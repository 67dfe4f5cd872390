/*
 * sis/plugin.h - what every plugin kind shares: the entry function, the
 * common header its answer starts with, and its declarations.
 *
 * A plugin is a shared object that exports exactly one function, named in
 * its manifest, of type sis_entry_fn.  The host calls it with the ABI
 * version it speaks and its services table; the plugin answers with a
 * pointer to a table that STARTS WITH a sis_plugin_header.  The header's
 * `kind` says which table follows: a sis_connector (sis/connector.h) for an
 * SIS plugin, a sis_sso_provider (sis/sso.h) for an SSO plugin.  A host
 * that does not know a kind lists the plugin and refuses to use it.
 *
 * Versioning (after SQLite's VFS, libgit2 backends and OBS modules):
 *  - SIS_ABI_VERSION packs a major and a minor.  A different major is
 *    incompatible in both directions.  Minors only append members.
 *  - Every struct that crosses the boundary by pointer starts with
 *    struct_size (the tables start with abi_version, struct_size); whoever
 *    receives one checks struct_size before reading a member, and never
 *    reads beyond it.  Build them with the _INIT macros.
 *  - The host checks the major, struct_size and that every required slot
 *    is non-NULL before calling anything, and names what is wrong.
 *  - History: 2.1 appended sis_record.strings/strings_len (records.h).
 *
 * Declarations (after OBS properties and GStreamer element properties):
 * the plugin says which credential fields and settings it has, with type,
 * range, default and help; the host renders its setup from them (command
 * line flags, forms, the provisioning format), validates every value before
 * it is stored, and hands back the declared default for a setting the admin
 * never set.  The host knows no key of a plugin by name.
 */
#ifndef SIS_PLUGIN_H
#define SIS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <sis/host.h>
#include <sis/status.h>

#define SIS_ABI_VERSION_MAJOR 2
#define SIS_ABI_VERSION_MINOR 1
#define SIS_ABI_MAKE(major, minor) (((uint32_t)(major) << 16) | (uint32_t)(minor))
#define SIS_ABI_VERSION SIS_ABI_MAKE(SIS_ABI_VERSION_MAJOR, SIS_ABI_VERSION_MINOR)
#define SIS_ABI_MAJOR(v) ((uint32_t)(v) >> 16)
#define SIS_ABI_MINOR(v) ((uint32_t)(v) & 0xffffu)

/* What kind of integration a plugin is; the marketplace's sections. */
typedef enum sis_plugin_kind {
    SIS_KIND_SIS = 1,            /* student information system: sis/connector.h */
    SIS_KIND_SSO = 2             /* single sign-on: sis/sso.h */
} sis_plugin_kind;

/* ---- declarations ---------------------------------------------------- */

typedef enum sis_decl_scope {
    /* Typed by the admin when connecting with manual credentials; handed
     * to authenticate (SIS_AUTH_MANUAL) as params, never stored by the host
     * itself (the plugin stores what it verified). */
    SIS_DECL_CREDENTIAL = 1,
    /* Per-app tuning the admin may change at any time (`config`). */
    SIS_DECL_SETTING = 2,
    /* The same for every app of this plugin, set by whoever runs the host
     * (e.g. a vendor's OAuth client id), the way the host chooses
     * (mock-host: the environment variable PLUGINID_NAME); read with
     * setting_get. */
    SIS_DECL_HOST_SETTING = 3
} sis_decl_scope;

typedef enum sis_value_type {
    SIS_VALUE_TEXT = 1,
    SIS_VALUE_URL = 2,           /* https://, or http:// to this machine only */
    SIS_VALUE_SECRET = 3,        /* write-only: never echoed, logged or on a command line */
    SIS_VALUE_INTEGER = 4,       /* decimal, within [min, max] */
    SIS_VALUE_BOOLEAN = 5,       /* "on" or "off" */
    SIS_VALUE_CHOICE = 6,        /* one of choices[] */
    SIS_VALUE_PATH = 7           /* a file or folder on the host's machine */
} sis_value_type;

/* One credential field or setting.  Static, owned by the plugin. */
typedef struct sis_decl {
    uint32_t struct_size;        /* sizeof(sis_decl) as the plugin built it */
    sis_decl_scope scope;
    const char *name;            /* [a-z][a-z0-9_]*; the command line flag is
                                    --name with '_' as '-' */
    const char *label;           /* what the admin sees: "Client secret" */
    sis_value_type type;
    int required;                /* CREDENTIAL: must be given (manual connect) */
    const char *default_value;   /* NULL: none; otherwise valid for the type */
    int64_t min, max;            /* INTEGER: the inclusive range */
    const char *const *choices;  /* CHOICE: the allowed values */
    size_t n_choices;
    const char *help;            /* one sentence for --help and forms; may be NULL */
} sis_decl;

/* ---- the common header --------------------------------------------- */

typedef struct sis_plugin_header {
    uint32_t abi_version;        /* SIS_ABI_VERSION the plugin was built with */
    uint32_t struct_size;        /* sizeof the WHOLE kind-specific table */
    sis_plugin_kind kind;
    uint32_t capabilities;       /* kind-specific bits (SIS_CAP_*) */

    /* Identity; static strings owned by the plugin, valid while loaded. */
    const char *id;              /* must equal the manifest's "id" */
    const char *name;            /* display name, e.g. "Example SIS" */
    const char *version;         /* must equal the manifest's "version" */
    const char *description;     /* one sentence for the marketplace card */

    /* Declarations, static, owned by the plugin; n_decls may be 0. */
    const sis_decl *const *decls;
    size_t n_decls;

    /* Optional (NULL: nothing to do).  Library-global setup, such as
     * curl_global_init: called once per process, on the host's main thread,
     * before any instance is created; shutdown once, after the last
     * instance is destroyed and before the host exits.  init failing makes
     * the host refuse the plugin with err's message. */
    int (*init)(const sis_host *host, sis_error *err);
    void (*shutdown)(void);
} sis_plugin_header;

/*
 * The exported entry.  `host_abi` is the SIS_ABI_VERSION the host speaks.
 * It has no side effects (the host may call it just to list the plugin).
 * On success *out points to a static table owned by the plugin, valid while
 * the library stays loaded, starting with a sis_plugin_header.  On refusal
 * (e.g. a different major) it returns SIS_ERR_ABI and says why in `err`.
 */
typedef int (*sis_entry_fn)(uint32_t host_abi, const sis_host *host,
                            const sis_plugin_header **out, sis_error *err);

/* ---- strings handed back ---------------------------------------------- */

/*
 * A string the callee hands back to the caller without a fixed buffer: the
 * callee calls sis_text_set(); `value` is borrowed for that call and the
 * caller copies it (any length).  A later set replaces an earlier one.
 * Owned by the caller.  `set` may be NULL: the caller does not want it.
 */
typedef struct sis_text_out {
    void *ctx;
    int (*set)(void *ctx, const char *value);
} sis_text_out;

static inline int sis_text_set(const sis_text_out *t, const char *value)
{
    return t->set != NULL ? t->set(t->ctx, value != NULL ? value : "") : SIS_OK;
}

#endif /* SIS_PLUGIN_H */
