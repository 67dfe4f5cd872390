/*
 * sis/connector.h - the SIS plugin kind: its capabilities, requests,
 * results and vtable.  The entry function, the common header, the
 * declarations and the versioning rules are in sis/plugin.h.
 */
#ifndef SIS_CONNECTOR_H
#define SIS_CONNECTOR_H

#include <stddef.h>
#include <stdint.h>

#include <sis/host.h>
#include <sis/plugin.h>
#include <sis/records.h>
#include <sis/status.h>

/* Capability bits of an SIS plugin (sis_plugin_header.capabilities).  The
 * host acts on them: no interactive login without AUTH_LOGIN, no delta run
 * without FETCH_DELTA, no metadata toggle without METADATA. */
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
    SIS_AUTH_MANUAL = 3      /* credentials the admin typed (declared fields) */
} sis_auth_step;

/* Built by the host; every pointer borrowed for the call. */
typedef struct sis_auth_request {
    uint32_t struct_size;
    sis_auth_step step;
    const char *redirect_uri;    /* BEGIN and COMPLETE: the host's loopback URI */
    const sis_kv *params;        /* COMPLETE: redirect query parameters, decoded;
                                    MANUAL: the declared CREDENTIAL fields the
                                    admin gave (absent ones are not listed) */
    size_t n_params;
} sis_auth_request;

#define SIS_AUTH_REQUEST_INIT {(uint32_t)sizeof(sis_auth_request), SIS_AUTH_MANUAL, NULL, NULL, 0}

/* Owned by the host (usually on its stack), filled by the plugin. */
typedef struct sis_auth_result {
    uint32_t struct_size;
    sis_text_out url;            /* BEGIN: where to send the admin's browser */
    sis_text_out tenant_name;    /* COMPLETE/MANUAL: the district, when known */
    sis_text_out source;         /* COMPLETE/MANUAL: where the roster comes from
                                    (a URL, a folder), for the admin to read */
    uint64_t visible_users;      /* from the verification request; UINT64_MAX unknown */
} sis_auth_result;

/* ---- fetch_users ----------------------------------------------------- */

typedef enum sis_fetch_mode {
    SIS_FETCH_FULL = 1,
    SIS_FETCH_DELTA = 2
} sis_fetch_mode;

typedef struct sis_fetch_request {
    uint32_t struct_size;
    sis_fetch_mode mode;
    const char *watermark;       /* DELTA: from the last result; borrowed */
    const char *const *paths;    /* fields the mapping needs (a projection
                                    hint); NULL means every field */
    size_t n_paths;
} sis_fetch_request;

#define SIS_FETCH_REQUEST_INIT {(uint32_t)sizeof(sis_fetch_request), SIS_FETCH_FULL, NULL, NULL, 0}

/* Owned by the host, filled by the plugin, also on failure. */
typedef struct sis_fetch_result {
    uint32_t struct_size;
    int complete;                /* 1 only when every page was read and the
                                    snapshot was consistent: the host may then
                                    deactivate by absence after a FULL fetch */
    sis_text_out watermark;      /* for the next DELTA; unset when none */
    sis_text_out incomplete_reason; /* why complete is 0, for the run history */
    uint64_t orgs;
    uint64_t records;
    uint64_t invalid;
    uint64_t requests;
    uint64_t retries;
    uint64_t bytes;
} sis_fetch_result;

/* ---- the vtable ------------------------------------------------------ */

typedef struct sis_connector {
    /* header.kind == SIS_KIND_SIS; header.struct_size = sizeof(sis_connector). */
    sis_plugin_header header;

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

#endif /* SIS_CONNECTOR_H */
