#include "testutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *tu_build_dir(void)
{
    const char *d = getenv("TEST_BUILD_DIR");
    return d != NULL ? d : "build";
}

const char *tu_src_dir(void)
{
    const char *d = getenv("TEST_SRC_DIR");
    return d != NULL ? d : ".";
}

char *tu_mkdtemp(void)
{
    char tmpl[] = "/tmp/sis-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    ck_assert_ptr_nonnull(d);
    return strdup(d);
}

void tu_rmtree(const char *dir)
{
    char cmd[4200];
    if (dir == NULL || strncmp(dir, "/tmp/sis-test-", 14) != 0)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

char *tu_write_file(const char *dir, const char *name, const char *text)
{
    char *path;
    FILE *f;
    ck_assert_int_ne(asprintf(&path, "%s/%s", dir, name), -1);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    if (f == NULL)
        return strdup("");
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
        }
        n = fread(buf + len, 1, cap - len - 1, f);
        if (n == 0)
            break;
        len += n;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

tu_result tu_run(const char *fmt, ...)
{
    char *cmd, *full, out_path[] = "/tmp/sis-out-XXXXXX", err_path[] = "/tmp/sis-err-XXXXXX";
    int fo = mkstemp(out_path), fe = mkstemp(err_path), st;
    tu_result r;
    va_list ap;

    ck_assert(fo >= 0 && fe >= 0);
    close(fo);
    close(fe);
    va_start(ap, fmt);
    ck_assert_int_ne(vasprintf(&cmd, fmt, ap), -1);
    va_end(ap);
    ck_assert_int_ne(asprintf(&full, "(%s) </dev/null >%s 2>%s", cmd, out_path, err_path), -1);
    st = system(full);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    unlink(out_path);
    unlink(err_path);
    free(cmd);
    free(full);
    return r;
}

void tu_result_free(tu_result *r)
{
    free(r->out);
    free(r->err);
}
