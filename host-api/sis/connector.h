/*
 * sis/connector.h - the SIS plugin ABI: the entry function and the
 * connector vtable.
 *
 * A plugin is a shared object that exports exactly one function, named in
 * its manifest, of type sis_entry_fn.  The host calls it with the ABI
 * version it speaks and its services table; the plugin answers with a
 * pointer to its connector vtable, or refuses with a message.
 *
 * Versioning (after SQLite's VFS and OBS modules):
 *  - SIS_ABI_VERSION packs a major and a minor.  A different major is
 *    incompatible in both directions.  Minors only append slots.
 *  - sis_connector and sis_host start with abi_version and struct_size.  A
 *    reader never touches a slot beyond struct_size.
 *  - The host checks the major, struct_size and that every required slot is
 *    non-NULL before calling anything.
 */
#ifndef SIS_CONNECTOR_H
#define SIS_CONNECTOR_H

#include <stddef.h>
#include <stdint.h>

#include <sis/host.h>
#include <sis/records.h>
#include <sis/status.h>

#define SIS_ABI_VERSION_MAJOR 1
#define SIS_ABI_VERSION_MINOR 0
#define SIS_ABI_MAKE(major, minor) (((uint32_t)(major) << 16) | (uint32_t)(minor))
#define SIS_ABI_VERSION SIS_ABI_MAKE(SIS_ABI_VERSION_MAJOR, SIS_ABI_VERSION_MINOR)
#define SIS_ABI_MAJOR(v) ((uint32_t)(v) >> 16)
#define SIS_ABI_MINOR(v) ((uint32_t)(v) & 0xffffu)

/* What kind of integration a plugin is.  Only SIS exists today. */
typedef enum sis_plugin_kind {
    SIS_KIND_SIS = 1,
    SIS_KIND_SSO = 2
} sis_plugin_kind;

/* Capability bits. */
#define SIS_CAP_AUTH_LOGIN    (1u << 0)  /* interactive OAuth begin/complete */
#define SIS_CAP_AUTH_MANUAL   (1u << 1)  /* credentials typed by the admin */
#define SIS_CAP_SCHEMA        (1u << 2)  /* discover_schema works */
#define SIS_CAP_FETCH_FULL    (1u << 3)
#define SIS_CAP_FETCH_DELTA   (1u << 4)  /* watermark-based delta fetches */
#define SIS_CAP_METADATA      (1u << 5)  /* district-defined metadata fields */
#define SIS_CAP_ORGS          (1u << 6)  /* orgs are streamed before users */

typedef struct sis_instance sis_instance;   /* opaque, owned by the plugin */

/* ---- authenticate ---------------------------------------------------- */

typedef enum sis_auth_step {
    SIS_AUTH_BEGIN = 1,      /* start an interactive login: get a URL */
    SIS_AUTH_COMPLETE = 2,   /* finish it with the redirect's parameters */
    SIS_AUTH_MANUAL = 3      /* credentials the admin typed (manifest fields) */
} sis_auth_step;

typedef struct sis_kv {
    const char *key;
    const char *value;
} sis_kv;

/* Built by the host; every pointer borrowed for the call. */
typedef struct sis_auth_request {
    uint32_t struct_size;
    sis_auth_step step;
    const char *redirect_uri;    /* BEGIN and COMPLETE: the host's loopback URI */
    const sis_kv *params;        /* COMPLETE: redirect query parameters, decoded;
                                    MANUAL: the manifest's credential fields */
    size_t n_params;
} sis_auth_request;

/* Owned by the host (usually on its stack), filled by the plugin. */
typedef struct sis_auth_result {
    uint32_t struct_size;
    char url[2048];              /* BEGIN: where to send the admin's browser */
    char tenant_name[256];       /* COMPLETE/MANUAL: the district, when known */
    char server[512];            /* COMPLETE/MANUAL: the roster endpoint */
    uint64_t visible_users;      /* from the verification request; UINT64_MAX unknown */
} sis_auth_result;

/* ---- fetch_users ----------------------------------------------------- */

typedef enum sis_fetch_mode {
    SIS_FETCH_FULL = 1,
    SIS_FETCH_DELTA = 2
} sis_fetch_mode;

#define SIS_WATERMARK_MAX 64

typedef struct sis_fetch_request {
    uint32_t struct_size;
    sis_fetch_mode mode;
    const char *watermark;       /* DELTA: from the last result; borrowed */
    const char *const *paths;    /* fields the mapping needs (a projection
                                    hint); NULL means every field */
    size_t n_paths;
} sis_fetch_request;

/* Owned by the host, filled by the plugin, also on failure. */
typedef struct sis_fetch_result {
    uint32_t struct_size;
    int complete;                /* 1 only when every page was read and the
                                    snapshot was consistent: the host may then
                                    deactivate by absence after a FULL fetch */
    char watermark[SIS_WATERMARK_MAX]; /* for the next DELTA; "" when none */
    char incomplete_reason[256]; /* why complete is 0, for the run history */
    uint64_t orgs;
    uint64_t records;
    uint64_t invalid;
    uint64_t requests;
    uint64_t retries;
    uint64_t bytes;
} sis_fetch_result;

/* ---- the vtable ------------------------------------------------------ */

typedef struct sis_connector {
    uint32_t abi_version;        /* SIS_ABI_VERSION the plugin was built with */
    uint32_t struct_size;        /* sizeof(sis_connector) as the plugin built it */

    /* Identity; static strings owned by the plugin, valid while loaded. */
    const char *id;              /* must equal the manifest's "id" */
    const char *name;            /* display name */
    const char *version;         /* plugin version, must equal the manifest's */
    sis_plugin_kind kind;
    uint32_t capabilities;       /* SIS_CAP_* bits */

    /* Required.  Bind an instance to one installed app.  *out belongs to
     * the host until it passes it to destroy.  `host` and `app` stay valid
     * until destroy. */
    int (*create)(sis_instance **out, const sis_host *host, sis_host_app *app,
                  sis_error *err);
    /* Required.  Frees everything the instance owns, wiping secrets. */
    void (*destroy)(sis_instance *inst);

    /* Required.  Ends with verified credentials stored through the host's
     * secret_set (MANUAL, COMPLETE) or a URL to open (BEGIN). */
    int (*authenticate)(sis_instance *inst, const sis_auth_request *req,
                        sis_auth_result *res, sis_error *err);

    /* Required.  Reports roles, fields (per role) and orgs to the sink. */
    int (*discover_schema)(sis_instance *inst, const sis_schema_sink *sink,
                           sis_error *err);

    /* Required.  Streams orgs, then users, to the sink.  Fills `res` even on
     * failure (complete = 0 then). */
    int (*fetch_users)(sis_instance *inst, const sis_fetch_request *req,
                       const sis_sink *sink, sis_fetch_result *res, sis_error *err);

    /* Required.  Turns one stored record into a host user, delivered once
     * through `emit` (everything it points to is borrowed for that call).
     * A pure function of record and mapping: it changes nothing in the
     * instance, so a host may call it from another thread, also while
     * fetch_users runs. */
    int (*apply_mappings)(sis_instance *inst, const sis_record *record,
                          const sis_mapping *mapping, sis_user_fn emit, void *ctx,
                          sis_error *err);
} sis_connector;

/*
 * The exported entry.  `host_abi` is the SIS_ABI_VERSION the host speaks.
 * On success *out points to a static vtable owned by the plugin, valid while
 * the library stays loaded.  On refusal (e.g. a different major) it returns
 * SIS_ERR_ABI and says why in `err`.
 */
typedef int (*sis_entry_fn)(uint32_t host_abi, const sis_host *host,
                            const sis_connector **out, sis_error *err);

#endif /* SIS_CONNECTOR_H */
