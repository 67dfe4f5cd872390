/*
 * sis/host.h - the services a host offers to an SIS plugin.
 *
 * The host passes a pointer to one sis_host table to the plugin's entry
 * function.  The table, and everything it points to, is OWNED BY THE HOST
 * and stays valid until the host has destroyed every instance the plugin
 * created.  Like SQLite's extension API, slots are only ever appended: a
 * plugin reads `struct_size` before touching a slot newer than the ones it
 * was built with (use SIS_HOST_HAS()).
 *
 * `sis_host_app` is the host's opaque handle for one installed app (one
 * card on the Installed Apps page).  Every call names the app it is about.
 */
#ifndef SIS_HOST_H
#define SIS_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <sis/records.h>
#include <sis/status.h>

typedef struct sis_host_app sis_host_app;   /* opaque, owned by the host */

typedef enum sis_log_level {
    SIS_LOG_ERROR = 0,
    SIS_LOG_WARN = 1,
    SIS_LOG_INFO = 2,
    SIS_LOG_DEBUG = 3
} sis_log_level;

/* True when the host table `h` is large enough to contain `slot`. */
#define SIS_HOST_HAS(h, slot) \
    ((h)->struct_size >= offsetof(sis_host, slot) + sizeof((h)->slot) && (h)->slot != NULL)

/*
 * Threads.  A plugin is called on one thread at a time per instance (the
 * "calling thread"), except apply_mappings, which a host may call from
 * another thread while fetch_users runs.  The rules for each service:
 *  - log, progress, is_cancelled: any thread, at any time, concurrently.
 *  - config_*, secret_*, setting_get: only on the calling thread, during a
 *    call the host made into the plugin (create ... destroy), never from a
 *    thread the plugin started and never from apply_mappings.
 *  - sinks: on the calling thread of the operation they were passed to.
 */
typedef struct sis_host {
    uint32_t abi_version;        /* SIS_ABI_VERSION the host was built with */
    uint32_t struct_size;        /* sizeof(sis_host) as the host built it */

    /* Log one line.  `msg` is borrowed for the call.  Plugins must never log
     * secrets or record payloads; the host may show INFO and above. */
    void (*log)(sis_host_app *app, sis_log_level level, const char *msg);

    /* Per-app configuration, the plugin's own namespace: the host never
     * reads or writes a key of it by name, and forgets all of it when the
     * app is disconnected.  get copies the value, NUL included, into the
     * caller's buffer and returns SIS_OK, SIS_ERR_NOT_FOUND or
     * SIS_ERR_TOO_SMALL; for a key the plugin declared as a SETTING it
     * returns the admin's value, already validated against the
     * declaration, or else the declared default.  set stores a copy; a NULL
     * value removes the key; a declared SETTING is validated first
     * (SIS_ERR_CONFIG when invalid).
     * Keys starting with "pending." hold an interactive login's state
     * between SIS_AUTH_BEGIN and SIS_AUTH_COMPLETE: the host removes them
     * once a COMPLETE has run, whatever its outcome, so they are single-use. */
    int (*config_get)(sis_host_app *app, const char *key, char *buf, size_t cap);
    int (*config_set)(sis_host_app *app, const char *key, const char *value);

    /* Secrets, same contract as config.  The host decides how they are kept
     * (encrypted at rest, a keyring...).  The plugin wipes its buffer after
     * use.  Secrets are never returned by config_get. */
    int (*secret_get)(sis_host_app *app, const char *key, char *buf, size_t cap);
    int (*secret_set)(sis_host_app *app, const char *key, const char *value);

    /* HOST_SETTING declarations of the plugin that owns `app` (the same for
     * every district, e.g. a vendor's OAuth client id): the operator's value
     * (environment variable the declaration names, or the host's own
     * store), else the declared default.  Same contract as config_get;
     * secret settings are delivered here too, and wiped by the plugin after
     * use. */
    int (*setting_get)(sis_host_app *app, const char *key, char *buf, size_t cap);

    /* Progress of a long operation.  `phase` is a short word ("orgs",
     * "users", "schema"); total is 0 when unknown. */
    void (*progress)(sis_host_app *app, const char *phase, uint64_t done, uint64_t total);

    /* Non-zero when the admin asked to stop.  Plugins poll it between
     * requests (and while waiting) and return SIS_ERR_CANCELLED promptly. */
    int (*is_cancelled)(sis_host_app *app);
} sis_host;

#define SIS_HOST_INIT {0, (uint32_t)sizeof(sis_host), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL}

/*
 * The record sink: where fetch_users streams what it reads.  Passed per
 * call so that every run (or dry run) has its own.  Owned by the host.
 * Each callback returns SIS_OK to go on; anything else stops the fetch,
 * which then returns SIS_ERR_SINK.  Records are borrowed for the call.
 * `record` is always set; `org` and `invalid` may be NULL when the host
 * does not want them, and the plugin then skips that call.
 */
typedef struct sis_sink {
    uint32_t struct_size;        /* sizeof(sis_sink) as the host built it */
    void *ctx;
    int (*org)(void *ctx, const sis_org *org);
    int (*record)(void *ctx, const sis_record *record);
    /* A record the plugin could not use.  `sourced_id` may be NULL when the
     * record had none; `reason` is a short phrase without payload data
     * (e.g. "users.csv line 12: unknown role \"janitor\""). */
    int (*invalid)(void *ctx, const char *sourced_id, const char *reason);
} sis_sink;

#define SIS_SINK_INIT {(uint32_t)sizeof(sis_sink), NULL, NULL, NULL, NULL}

/* Where discover_schema reports the catalogue.  Borrowed for each call.
 * Any callback may be NULL: the host does not want that part, and the
 * plugin skips it. */
typedef struct sis_schema_sink {
    uint32_t struct_size;        /* sizeof(sis_schema_sink) as the host built it */
    void *ctx;
    int (*role)(void *ctx, const sis_schema_role *role);
    int (*field)(void *ctx, const sis_schema_field *field);
    int (*org)(void *ctx, const sis_org *org);
} sis_schema_sink;

#define SIS_SCHEMA_SINK_INIT {(uint32_t)sizeof(sis_schema_sink), NULL, NULL, NULL, NULL}

/* Where apply_mappings delivers the host user.  Borrowed for the call. */
typedef int (*sis_user_fn)(void *ctx, const sis_host_user *user);

#endif /* SIS_HOST_H */
