/* pgtest.c - the test PostgreSQL server (see pgtest.h). */
#include "pgtest.h"
#include "testutil.h"

#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dir;            /* the server's folder: data/, its socket, its log */
static char bindir[512];
static char as_user[64];     /* "runuser -u nobody -- " when root, else "" */

int pgtest_active(void)
{
    return getenv("MH_TEST_PG_HOST") != NULL;
}

/* The newest installed server's programs (Debian keeps them out of PATH). */
static int find_bindir(void)
{
    glob_t g;
    if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) != 0 || g.gl_pathc == 0) {
        fprintf(stderr, "pgtest: no PostgreSQL server installed (/usr/lib/postgresql/*/bin/"
                "initdb); run 'make deps'\n");
        return -1;
    }
    snprintf(bindir, sizeof bindir, "%s", g.gl_pathv[g.gl_pathc - 1]);
    *strrchr(bindir, '/') = '\0';
    globfree(&g);
    return 0;
}

static int sh(const char *fmt, const char *a, const char *b)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    return system(cmd);
}

int pgtest_start(void)
{
    char tmpl[] = "/tmp/sis-test-XXXXXX", cmd[4096], port[16];
    int attempt;

    if (find_bindir() != 0 || mkdtemp(tmpl) == NULL)
        return -1;
    dir = strdup(tmpl);
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam("nobody");
        if (pw == NULL || chown(dir, pw->pw_uid, pw->pw_gid) != 0) {
            fprintf(stderr, "pgtest: cannot give %s to user nobody\n", dir);
            return -1;
        }
        snprintf(as_user, sizeof as_user, "runuser -u nobody -- ");
    }
    snprintf(cmd, sizeof cmd, "echo '%s' > %s/pw && chmod 644 %s/pw", PGTEST_PASSWORD, dir, dir);
    if (system(cmd) != 0)
        return -1;
    /* From inside the folder: the unprivileged user may not read ours. */
    snprintf(cmd, sizeof cmd, "cd %s && %s%s/initdb -D %s/data -U mh -A trust --auth-host=scram-sha-256 "
             "--pwfile=%s/pw --no-sync -E UTF8 --locale=C >%s/initdb.log 2>&1", dir, as_user, bindir,
             dir, dir, dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "pgtest: initdb failed; see below\n");
        sh("cat %s/initdb.log >&2", dir, NULL);
        return -1;
    }
    for (attempt = 0; attempt < 8; attempt++) {
        snprintf(port, sizeof port, "%d", 20000 + (int)((getpid() * 7 + attempt * 131) % 30000));
        snprintf(cmd, sizeof cmd, "cd %s && %s%s/pg_ctl -D %s/data -l %s/server.log -w -t 60 -o \"-k %s "
                 "-p %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                 "-c full_page_writes=off -c max_connections=60\" start >/dev/null 2>&1",
                 dir, as_user, bindir, dir, dir, dir, port);
        if (system(cmd) == 0) {
            setenv("MH_TEST_PG_HOST", dir, 1);
            setenv("MH_TEST_PG_PORT", port, 1);
            return 0;
        }
    }
    fprintf(stderr, "pgtest: the server did not start; its log:\n");
    sh("cat %s/server.log >&2", dir, NULL);
    return -1;
}

void pgtest_stop(void)
{
    char cmd[4096];
    if (dir == NULL)
        return;
    snprintf(cmd, sizeof cmd, "cd %s && %s%s/pg_ctl -D %s/data -m immediate -w stop >/dev/null 2>&1",
             dir, as_user, bindir, dir);
    if (system(cmd) != 0)
        fprintf(stderr, "pgtest: pg_ctl stop failed\n");
    tu_rmtree(dir);
    free(dir);
    dir = NULL;
    unsetenv("MH_TEST_PG_HOST");
    unsetenv("MH_TEST_PG_PORT");
}

tu_result pgtest_psql(const char *db, const char *sql)
{
    return tu_run("psql -X -q -t -A -v ON_ERROR_STOP=1 -h '%s' -p %s -U mh -d '%s' -c \"%s\"",
                  getenv("MH_TEST_PG_HOST"), getenv("MH_TEST_PG_PORT"), db, sql);
}
