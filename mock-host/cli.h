/* cli.h - what every command of mock-host shares. */
#ifndef MH_CLI_H
#define MH_CLI_H

#include <sis/connector.h>

#include "loader.h"
#include "services.h"
#include "store.h"

typedef struct mh_ctx {
    const char *db_path;
    const char *plugin_path;
    mh_store *store;          /* opened on first use */
    int store_flags;          /* MH_STORE_* for that open (set by main and by commands) */
    mh_registry registry;     /* scanned on first use */
    int registry_scanned;
} mh_ctx;

/* Prints "mock-host: <message>" on stderr and returns 1 (the exit code). */
int mh_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Where mh_usage_error finds a command's usage line (main's table); NULL
 * when the command is unknown. */
void mh_cli_set_usage(const char *(*usage_of)(const char *command));
/* For wrong usage: prints the reason and the command's usage, returns 2.
 * When the reason quotes a mistyped option ("unexpected argument
 * '--rolee'"), the closest option of the usage line is offered as well. */
int mh_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Edits (insert, delete, change, or swap two neighbours) from a to b;
 * MH_EDIT_FAR when either is longer than MH_EDIT_MAX. */
#define MH_EDIT_MAX 120
#define MH_EDIT_FAR 99
int mh_edit_distance(const char *a, const char *b);
/* The one of names[0..n) that `word` is most likely a slip of (first on a
 * tie), or NULL when none is close or word is one of them.  Borrowed from
 * names. */
const char *mh_did_you_mean(const char *word, const char *const *names, size_t n);

/* Open on demand; 0 or -1 (reason printed). */
int mh_ctx_store(mh_ctx *ctx);
void mh_ctx_registry(mh_ctx *ctx);

/* Finds the installed app `name` and its plugin, ready for an instance.
 * Returns 0, or 1 with the reason printed. */
int mh_ctx_app(mh_ctx *ctx, const char *name, sis_host_app *out);

/* Commands. */
int mh_cmd_marketplace(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_apps(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_install(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_connect(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_disconnect(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_config(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_sync(mh_ctx *ctx, int argc, char **argv);
/* One automatic run of a connected app (full or delta, as `sync APP`
 * chooses), for the worker; returns what `sync APP` would exit with. */
int mh_sync_scheduled(mh_ctx *ctx, sis_host_app *happ);
int mh_cmd_worker(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_schema(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_fields(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_portal_roles(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_roles(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_locations(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_account(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_provision(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_users(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_runs(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_serve(mh_ctx *ctx, int argc, char **argv);
int mh_cmd_forget_credentials(mh_ctx *ctx, int argc, char **argv);

/* Interactive connect through a browser redirect (cmd_login.c). */
int mh_connect_login(mh_ctx *ctx, sis_host_app *happ, int no_browser);

/* Help rendered from a plugin's declarations: 0 when printed, 1 when the
 * command's generic help should show instead. */
int mh_help_connect(mh_ctx *ctx, int argc, char **argv);
/* "Next: mock-host connect APP --login, or mock-host connect APP --server URL ..."
 * from the plugin's capabilities and required credential fields. */
void mh_print_connect_next(const sis_plugin_header *h, const char *app);

#endif
