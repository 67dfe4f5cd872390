/*
 * main.c - mock-host, a small Integration Marketplace host driven from the
 * command line: the table of commands, the global options, and dispatch.
 * What every command shares (errors, the open database) is in cli.c.
 */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef MH_PLUGIN_PATH
#define MH_PLUGIN_PATH "."
#endif

/* One version for the whole build: the Makefile's VERSION reaches every
 * object as CL_PLUGIN_VERSION; MH_VERSION may override it for the host. */
#ifndef MH_VERSION
#define MH_VERSION CL_PLUGIN_VERSION
#endif

typedef struct mh_command {
    const char *name;
    const char *usage;
    const char *help;
    int (*run)(mh_ctx *ctx, int argc, char **argv);
    int view;     /* only reads: works on a database this user may not write */
} mh_command;

static const mh_command commands[] = {
    {"marketplace", "marketplace", "List the plugins this host can offer, from their manifests.",
     mh_cmd_marketplace, 0},
    {"apps", "apps", "Show the Installed Apps page.", mh_cmd_apps, 1},
    {"install", "install PLUGIN [--itxm] [--name NAME]",
     "Add the plugin's card to Installed Apps; the app is named after PLUGIN.\n"
     "  --itxm        the account is an ITxM account (role and location mapping apply)\n"
     "  --name NAME   name the app NAME instead: one plugin installed several times, e.g. one\n"
     "                card per district (letters, digits, '-', '_', '.'; at most 63)",
     mh_cmd_install, 0},
    {"connect", "connect APP --login [--no-browser] | connect APP --FIELD VALUE ... "
     "(secrets: --FIELD-env VAR | --FIELD-file FILE)",
     "Connect the app to its district: an interactive login (for plugins that offer one), or\n"
     "the credential fields its plugin declares, verified with a real request before anything\n"
     "is saved.  'mock-host connect APP --help' lists the app's fields.  A secret is never a\n"
     "command-line value; without --FIELD-env or --FIELD-file it is asked for without echo.",
     mh_cmd_connect, 0},
    {"disconnect", "disconnect APP", "Remove the app's stored credentials.", mh_cmd_disconnect, 0},
    {"config", "config APP [SETTING [VALUE | --unset]]",
     "Show or change an app's settings, as its plugin declares them, and the host's own\n"
     "(deactivation threshold, full-run period, fetch projection, the worker's sync_every).\n"
     "A value outside its declared type or range is refused (exit 2) and nothing is stored.",
     mh_cmd_config, 0},
    {"schema", "schema APP [--json]",
     "Read the district's field catalogue per role from ClassLink (standard fields and every\n"
     "metadata key present, with type and fill rate) and show it.", mh_cmd_schema, 0},
    {"fields", "fields APP [--metadata on|off] [--role ROLE --show F1,F2,...]",
     "Show or choose the fields the Users page shows for each role, and whether metadata\n"
     "fields show.  A change applies to stored users at once, with no request to ClassLink.",
     mh_cmd_fields, 0},
    {"sync", "sync APP [--full | --delta] [--dry-run] [--confirm-deactivations] | sync --all",
     "Import users.  Without a mode: delta when a watermark exists and the last complete full\n"
     "run is recent (config full_every_days, default 7), else full.  A full run that would\n"
     "deactivate more than 10% of active users (config deactivation_threshold_pct), or every\n"
     "user of a role, is held until --full --confirm-deactivations.  --dry-run shows what would\n"
     "change and applies nothing.  --all syncs every connected app (for cron); on PostgreSQL\n"
     "it queues them for the workers instead ('mock-host worker') and takes no other option.\n"
     "Exit status: 0 done; 1 failed (the Users page is unchanged); 2 wrong usage; 3 the sync\n"
     "completed but deactivations are held for confirmation (this run's, or an earlier run's\n"
     "still pending: 'mock-host apps' shows it).  With --all, 1 when any app failed, else 3\n"
     "when any app has deactivations held.", mh_cmd_sync, 0},
    {"worker", "worker [--concurrency N] [--once] [--interval SECONDS]",
     "Sync every connected app when it is due (host setting sync_every, in minutes; 0 never):\n"
     "any number of workers, on any machines, share one database and never sync one app twice\n"
     "at once (each run holds the app's sync lock, which dies with a crashed worker).  A round\n"
     "visits every app once; then the worker waits --interval seconds (default 60).\n"
     "  --concurrency N   syncs at once, each in a process of its own (1..64, default 1)\n"
     "  --once            one round, then exit (status 1 when a sync failed)\n"
     "SIGTERM or Ctrl-C: a running sync is cancelled (its Users page unchanged), then exit.",
     mh_cmd_worker, 0},
    {"users", "users [--app APP] [--role ROLE] [--held] [--json]",
     "Show the Users page (--held: only the users a held run would deactivate).", mh_cmd_users, 1},
    {"runs", "runs APP [--json]", "Show the sync history with its counts.", mh_cmd_runs, 1},
    {"portal-roles", "portal-roles [add NAME | remove NAME [--unmap]]",
     "The Customer Portal roles (ITxM).  A role in use by a mapping or a user is removed only\n"
     "with --unmap, which also removes its mappings and re-maps those users without it.",
     mh_cmd_portal_roles, 0},
    {"roles", "roles APP [--map SISROLE=PORTALROLE ...]",
     "Role mapping (ITxM accounts): every SIS role present with its user count, its mapping\n"
     "and a suggestion; --map sets one (both sides are checked).", mh_cmd_roles, 0},
    {"locations", "locations [add NAME | remove NAME [--unmap]] | locations APP [--map ORG=LOCATION ...]",
     "The host's locations, or an app's location mapping (ITxM accounts): the district's orgs\n"
     "with type, identifier, user count, mapping and a suggested location.  ORG is the org's\n"
     "sourcedId or its identifier (e.g. SCH001).  A location in use is removed only with\n"
     "--unmap, which also removes its mappings and re-maps those users without it.",
     mh_cmd_locations, 0},
    {"account", "account APP --itxm | --standard", "Switch an installed app's account kind.",
     mh_cmd_account, 0},
    {"serve", "serve [--port N] [--listen ADDR]",
     "The web console: the same pages as these commands in a browser, at\n"
     "http://127.0.0.1:8080/ by default (--port 0: any free port).  Only this machine can\n"
     "open it unless --listen names another address.  Ctrl-C stops it.", mh_cmd_serve, 0},
    {"provision", "provision FILE",
     "Pre-create the cards of an account's existing integrations from a JSON file:\n"
     "  {\"apps\": [{\"plugin\": \"classlink\", \"name\": \"classlink\", \"itxm\": false,\n"
     "             \"credentials\": {\"server\": \"https://...\", \"client_id\": \"...\"},\n"
     "             \"secrets_env\": {\"client_secret\": \"ENV_VAR_HOLDING_IT\"},\n"
     "             \"settings\": {\"page_size\": \"5000\"}}]}\n"
     "credentials and secrets_env take the plugin's credential fields ('connect APP --help',\n"
     "with '_' for '-'); secrets only by environment variable.  Unknown keys are refused and\n"
     "nothing is stored.  Each card is verified with a real request like connect; one that\n"
     "fails is installed but needs attention (shown on 'apps') and the command exits 1.",
     mh_cmd_provision, 0},
    {"forget-credentials", "forget-credentials",
     "When the database's key file (FILE.key) is lost for good: forget the stored credentials\n"
     "it sealed, which nothing can read any more, and make a new key.  Apps, users, mappings\n"
     "and runs stay; every app becomes not connected and is reconnected with 'connect'.",
     mh_cmd_forget_credentials, 0},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const mh_command *find_command(const char *name)
{
    size_t i;
    for (i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* The command `typed` is most likely a slip of ("snyc": sync), or NULL. */
static const char *command_near(const char *typed)
{
    const char *names[N_COMMANDS];
    size_t i;
    for (i = 0; i < N_COMMANDS; i++)
        names[i] = commands[i].name;
    return mh_did_you_mean(typed, names, N_COMMANDS);
}

/* The usage line of a command, for mh_usage_error (cli.c). */
static const char *usage_of(const char *name)
{
    const mh_command *c = find_command(name);
    return c != NULL ? c->usage : NULL;
}

static void print_help(FILE *out)
{
    size_t i;
    fprintf(out, "usage: mock-host [--db FILE] COMMAND [ARGS...] | mock-host --version\n\n"
                 "FILE defaults to $MOCK_HOST_DB, else ./mock-host.db.\n"
                 "Plugins are found on $MOCK_HOST_PLUGINS (':'-separated manifests or folders).\n\n"
                 "Commands:\n");
    for (i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %s\n", commands[i].usage);
    fprintf(out, "\nRun 'mock-host COMMAND --help' for one command.\n");
}

static void on_signal(int sig)
{
    (void)sig;
    mh_cancel_requested = 1;
}

static int wants_help(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    mh_ctx ctx;
    const mh_command *cmd;
    struct sigaction sa;
    int i = 1, rc;

    /* Secrets pass through this process: no core dumps of it, and no
     * ptrace by other processes of the same user. */
    {
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    memset(&ctx, 0, sizeof ctx);
    mh_cli_set_usage(usage_of);
    ctx.db_path = getenv("MOCK_HOST_DB") ? getenv("MOCK_HOST_DB") : "mock-host.db";
    ctx.plugin_path = getenv("MOCK_HOST_PLUGINS") ? getenv("MOCK_HOST_PLUGINS") : MH_PLUGIN_PATH;
    if (i < argc && strcmp(argv[i], "--db") == 0) {
        if (i + 1 >= argc) {
            mh_fail("--db needs a file name; run 'mock-host --help'");
            return 2;
        }
        ctx.db_path = argv[i + 1];
        i += 2;
    }
    /* A PostgreSQL password in the location moves to PGPASSWORD and out of
     * the command line others can read (ps); ctx.db_path is then safe to
     * show.  Kept for the process's life. */
    {
        static char location[4096];
        char *clean = NULL, why[512];
        if (mh_store_location_prepare(ctx.db_path, &clean, why, sizeof why) != 0) {
            mh_fail("%s", why);
            return 2;
        }
        if (strlen(clean) >= sizeof location) {
            free(clean);
            mh_fail("the database location is too long (at most %zu characters)",
                    sizeof location - 1);
            return 2;
        }
        /* Written back without the password; it may have grown (libpq's
         * key=value form), and then the argument is only blanked. */
        if (i >= 2 && ctx.db_path == argv[i - 1] && strcmp(clean, argv[i - 1]) != 0) {
            size_t room = strlen(argv[i - 1]);
            memset(argv[i - 1], 0, room);
            if (strlen(clean) <= room)
                memcpy(argv[i - 1], clean, strlen(clean));
        }
        snprintf(location, sizeof location, "%s", clean);
        free(clean);
        ctx.db_path = location;
    }
    if (i < argc && strcmp(argv[i], "--version") == 0) {
        printf("mock-host %s\n", MH_VERSION);
        return 0;
    }
    if (i >= argc || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "help") == 0) {
        print_help(i >= argc ? stderr : stdout);
        return i >= argc ? 2 : 0;
    }
    cmd = find_command(argv[i]);
    if (cmd == NULL) {
        const char *near = command_near(argv[i]);
        mh_fail("unknown command '%s'; run 'mock-host --help'", argv[i]);
        if (near != NULL)
            mh_fail("did you mean '%s'?", near);
        return 2;
    }
    if (wants_help(argc - i, argv + i)) {
        if (cmd->run == mh_cmd_connect && mh_help_connect(&ctx, argc - i, argv + i) == 0) {
            mh_registry_free(&ctx.registry);
            mh_store_close(ctx.store);
            return 0;
        }
        printf("usage: mock-host %s\n\n%s\n", cmd->usage, cmd->help);
        return 0;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (cmd->view)
        ctx.store_flags |= MH_STORE_READ_ONLY_OK;
    rc = cmd->run(&ctx, argc - i, argv + i);
    mh_registry_free(&ctx.registry);
    mh_store_close(ctx.store);
    return rc;
}
