#include "simctl.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "testutil.h"

void sim_start(sim_proc *s, const char *args)
{
    int in[2], out[2];
    char line[128];
    FILE *f;

    ck_assert_int_eq(pipe(in), 0);
    ck_assert_int_eq(pipe(out), 0);
    s->pid = fork();
    ck_assert_int_ge(s->pid, 0);
    if (s->pid == 0) {
        char *cmd;
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        if (asprintf(&cmd, "exec %s/classlink-sim --port 0 %s", tu_build_dir(), args ? args : "") < 0)
            _exit(127);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->stdin_fd = in[1];
    f = fdopen(out[0], "r");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_int_eq(sscanf(line, "listening on %d", &s->port), 1);
    fclose(f);
}

void sim_stop(sim_proc *s)
{
    if (s->pid <= 0)
        return;
    close(s->stdin_fd);
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

static size_t collect(char *data, size_t size, size_t n, void *userdata)
{
    char **buf = userdata;
    size_t old = *buf ? strlen(*buf) : 0;
    *buf = realloc(*buf, old + size * n + 1);
    memcpy(*buf + old, data, size * n);
    (*buf)[old + size * n] = '\0';
    return size * n;
}

char *sim_get(const sim_proc *s, const char *path_fmt, ...)
{
    char path[1024], url[1200];
    char *body = NULL;
    va_list ap;
    CURL *e = curl_easy_init();
    va_start(ap, path_fmt);
    vsnprintf(path, sizeof path, path_fmt, ap);
    va_end(ap);
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s->port, path);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
    ck_assert_int_eq(curl_easy_perform(e), CURLE_OK);
    curl_easy_cleanup(e);
    return body ? body : strdup("");
}

long long sim_stat(const sim_proc *s, const char *key)
{
    char *body = sim_get(s, "/_sim/stats");
    json_object *o = json_tokener_parse(body), *v;
    long long n = -1;
    if (o != NULL && json_object_object_get_ex(o, key, &v))
        n = json_object_get_int64(v);
    json_object_put(o);
    free(body);
    return n;
}
