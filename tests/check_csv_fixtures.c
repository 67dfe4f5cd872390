/* check_csv_fixtures.c - see check_csv_fixtures.h. */
#include "check_csv_fixtures.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <microhttpd.h>
#include <zip.h>

#include "testutil.h"

/* Writes manifest.csv, orgs.csv and users.csv into `d`. */
void csvfx_write_export(const char *d, const char *manifest, const char *orgs, const char *users)
{
    if (manifest)
        free(tu_write_file(d, "manifest.csv", manifest));
    if (orgs)
        free(tu_write_file(d, "orgs.csv", orgs));
    if (users)
        free(tu_write_file(d, "users.csv", users));
}

char *csvfx_write_zip(const char *dir, const char *name, const char *prefix,
                      const char *const *files)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2), entry[256];
    int zerr;
    zip_t *z;
    sprintf(path, "%s/%s", dir, name);
    z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    ck_assert_ptr_nonnull(z);
    for (; files[0] != NULL; files += 2) {
        zip_source_t *s = zip_source_buffer(z, files[1], strlen(files[1]), 0);
        snprintf(entry, sizeof entry, "%s%s", prefix, files[0]);
        ck_assert_int_ge(zip_file_add(z, entry, s, ZIP_FL_OVERWRITE), 0);
    }
    ck_assert_int_eq(zip_close(z), 0);
    return path;
}

static unsigned free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    getsockname(s, (struct sockaddr *)&a, &len);
    close(s);
    return ntohs(a.sin_port);
}

static int port_open(unsigned port)
{
    struct sockaddr_in a;
    int s = socket(AF_INET, SOCK_STREAM, 0), ok;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = connect(s, (struct sockaddr *)&a, sizeof a) == 0;
    close(s);
    return ok;
}

static void sh(const char *cmd)
{
    tu_result r = tu_run("%s", cmd);
    ck_assert_msg(r.status == 0, "'%s' failed: %s", cmd, r.err);
    tu_result_free(&r);
}

/* Host and user keys made now; sshd started in the foreground (-D) so the
 * test owns its pid.  Any failure here fails the test: it never skips. */
void csvfx_sshd_start(csvfx_sshd *s, const char *dir)
{
    char cmd[4096], *cfg;
    int i;
    unsigned sshd_port = free_port();
    pid_t sshd_pid;
    snprintf(cmd, sizeof cmd, "mkdir -p /run/sshd && cd %s && ssh-keygen -q -t ed25519 -N '' -f host_key "
             "&& ssh-keygen -q -t ed25519 -N '' -f other_host_key && ssh-keygen -q -t ed25519 -N '' "
             "-f user_key && cp user_key.pub authorized_keys && "
             "printf '[127.0.0.1]:%u %%s\\n' \"$(cut -d' ' -f1,2 host_key.pub)\" > known_hosts && "
             "printf '[127.0.0.1]:%u %%s\\n' \"$(cut -d' ' -f1,2 other_host_key.pub)\" > changed_known_hosts "
             "&& : > empty_known_hosts", dir, sshd_port, sshd_port);
    sh(cmd);
    snprintf(cmd, sizeof cmd,
             "Port %u\nListenAddress 127.0.0.1\nHostKey %s/host_key\nPidFile %s/sshd.pid\n"
             "AuthorizedKeysFile %s/authorized_keys\nStrictModes no\nUsePAM no\n"
             "PermitRootLogin yes\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\n"
             "Subsystem sftp internal-sftp\nLogLevel ERROR\n", sshd_port, dir, dir, dir);
    cfg = tu_write_file(dir, "sshd_config", cmd);
    sshd_pid = fork();
    ck_assert_int_ge(sshd_pid, 0);
    if (sshd_pid == 0) {
        char log[1024];
        snprintf(log, sizeof log, "%s/sshd.log", dir);
        freopen(log, "w", stderr);
        execl("/usr/sbin/sshd", "/usr/sbin/sshd", "-D", "-e", "-f", cfg, (char *)NULL);
        _exit(127);
    }
    free(cfg);
    for (i = 0; i < 500 && !port_open(sshd_port); i++) {
        int st;
        ck_assert_msg(waitpid(sshd_pid, &st, WNOHANG) == 0, "sshd exited at start (see its log)");
        usleep(10000);
    }
    ck_assert_msg(port_open(sshd_port), "sshd did not start listening");
    s->pid = sshd_pid;
    s->port = sshd_port;
}

void csvfx_sshd_stop(csvfx_sshd *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
}


/* ---- a storage service with pre-signed URLs ----------------------------- */

static enum MHD_Result serve_signed(void *cls, struct MHD_Connection *c, const char *url,
                                    const char *method, const char *version, const char *upload,
                                    size_t *upload_len, void **state)
{
    csvfx_signed *s = cls;
    const char *cred = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "X-Amz-Credential");
    const char *sig = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "X-Amz-Signature");
    int ok = strcmp(url, "/export.zip") == 0 && cred != NULL && sig != NULL &&
             strcmp(cred, s->credential) == 0 && strcmp(sig, s->signature) == 0;
    struct MHD_Response *r;
    enum MHD_Result rc;
    (void)method; (void)version; (void)upload; (void)upload_len; (void)state;
    r = ok ? MHD_create_response_from_buffer(s->len, s->body, MHD_RESPMEM_PERSISTENT)
           : MHD_create_response_from_buffer(13, "access denied", MHD_RESPMEM_PERSISTENT);
    rc = MHD_queue_response(c, ok ? 200 : 403, r);
    MHD_destroy_response(r);
    return rc;
}

void csvfx_signed_start(csvfx_signed *s, const char *path, const char *credential,
                        const char *signature)
{
    FILE *f = fopen(path, "rb");
    long n;
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    s->body = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(s->body, 1, (size_t)n, f), n);
    fclose(f);
    s->len = (size_t)n;
    s->credential = credential;
    s->signature = signature;
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, serve_signed, s,
                                 MHD_OPTION_END);
    ck_assert_ptr_nonnull(s->daemon);
    s->port = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT)->port;
}

void csvfx_signed_stop(csvfx_signed *s)
{
    MHD_stop_daemon(s->daemon);
    free(s->body);
}
