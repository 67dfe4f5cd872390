/*
 * cmd_serve.c - `serve [--port N] [--listen ADDR]`: the web console on the
 * same database and plugins as the command line, until Ctrl-C or SIGTERM.
 * Loopback (127.0.0.1) unless another address is given explicitly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "console_server.h"

int mh_cmd_serve(mh_ctx *ctx, int argc, char **argv)
{
    const char *listen_addr = "127.0.0.1";
    long port = 8080;
    char err[512], *end;
    mh_console_server *srv;
    mh_access *access = NULL;
    char key_path[4096], code_path[4200];
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            port = strtol(argv[++i], &end, 10);
            if (*end != '\0' || port < 0 || port > 65535)
                return mh_usage_error("serve", "--port takes a port number from 0 to 65535 "
                                      "(0: any free port), not \"%s\"", argv[i]);
        } else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen_addr = argv[++i];
        } else {
            return mh_usage_error("serve", "unexpected argument '%s'", argv[i]);
        }
    }
    if (mh_ctx_store(ctx) != 0)
        return 1;
    mh_ctx_registry(ctx);
    /* The console's requests run one at a time: a write that finds the
     * database locked by a sync waits 2 s, then the page says to wait. */
    mh_store_set_busy_wait(ctx->store, 2000);
    /* Commands the console runs as children find the same plugins. */
    setenv("MOCK_HOST_PLUGINS", ctx->plugin_path, 1);
    /* And report their progress every second: the Sync page shows it live. */
    setenv("MOCK_HOST_PROGRESS_SECONDS", "1", 0);
    if (!mh_console_listen_is_loopback(listen_addr)) {
        if (mh_store_key_path(ctx->db_path, key_path, sizeof key_path) != 0)
            return mh_fail("no place for the console's access code beside the key file");
        if (mh_access_create(&access, err, sizeof err) != 0)
            return mh_fail("%s", err);
    }
    if (mh_console_start(&srv, ctx, listen_addr, (unsigned)port, access, err, sizeof err) != 0) {
        mh_access_free(access);
        return mh_fail("%s", err);
    }
    if (access != NULL) {
        /* Beside the key (a file an admin already keeps to this account),
         * named by the port: one file per console. */
        snprintf(code_path, sizeof code_path, "%s.console-code-%u", key_path,
                 mh_console_port(srv));
        if (mh_access_publish(access, code_path, err, sizeof err) != 0) {
            mh_console_stop(srv);
            mh_access_free(access);
            return mh_fail("%s", err);
        }
        fprintf(stderr, "mock-host: listening on %s: other machines can reach the console, so "
                "it asks each browser for the access code in %s (readable only by this "
                "account; a new code at each start)\n", listen_addr, mh_access_path(access));
    }
    printf("Console: %s/ (database %s; Ctrl-C to stop)\n", mh_console_url(srv), ctx->db_path);
    fflush(stdout);
    while (!mh_cancel_requested)
        usleep(100000);
    fprintf(stderr, "Stopping the console...\n");
    mh_jobs_stop_all();
    mh_console_stop(srv);
    mh_access_free(access);
    printf("Console stopped.\n");
    return 0;
}
