#include "zipsrc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

struct orc_zip {
    zip_t *za;
    char *label;
    orc_zip_limits lim;
};

/* Refuses names that could point outside a folder if ever extracted. */
static int unsafe_name(const char *n)
{
    const char *p = n;
    if (n[0] == '/' || n[0] == '\\' || strchr(n, '\\') != NULL || (n[0] != '\0' && n[1] == ':'))
        return 1;
    while (*p) {
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return 1;
        p += len;
        if (*p == '/')
            p++;
    }
    return 0;
}

int orc_zip_open_fd(orc_zip **out, int fd, const char *label, const orc_zip_limits *lim,
                    orc_err *err)
{
    orc_zip *z;
    int zerr = 0;
    zip_int64_t i, n;
    uint64_t total = 0;
    zip_t *za = zip_fdopen(fd, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);

    if (za == NULL) {
        zip_error_t ze;
        int rc;
        close(fd);
        zip_error_init_with_code(&ze, zerr);
        rc = orc_fail(err, ORC_ERR_ARCHIVE, "%s is not a readable zip archive (%s): it may be "
                      "truncated or corrupt; export it again", label, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return rc;
    }
    n = zip_get_num_entries(za, 0);
    for (i = 0; i < n; i++) {
        zip_stat_t st;
        const char *why = NULL;
        if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME)) {
            zip_discard(za);
            return orc_fail(err, ORC_ERR_ARCHIVE, "%s: entry %lld cannot be read; the archive is "
                            "corrupt", label, (long long)i);
        }
        if (unsafe_name(st.name))
            why = "its name is absolute or contains '..'";
        else if ((st.valid & ZIP_STAT_SIZE) && st.size > lim->max_entry)
            why = "it is larger than the entry size limit";
        else if ((st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE) && st.size > 0 &&
                 st.size / (st.comp_size ? st.comp_size : 1) > lim->max_ratio)
            why = "it is compressed more than the ratio limit allows (a zip bomb?)";
        if (why == NULL && (st.valid & ZIP_STAT_SIZE) && (total += st.size) > 4 * lim->max_entry)
            why = "the archive's entries together exceed four times the entry size limit";
        if (why != NULL) {
            int rc = orc_fail(err, ORC_ERR_ARCHIVE, "%s: refused the entry '%.200s': %s",
                              label, st.name, why);
            zip_discard(za);
            return rc;
        }
    }
    z = calloc(1, sizeof *z);
    if (z == NULL || (z->label = strdup(label)) == NULL) {
        free(z);
        zip_discard(za);
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory opening %s", label);
    }
    z->za = za;
    z->lim = *lim;
    *out = z;
    return ORC_OK;
}

/* A FILE over one entry (fopencookie), counting what it inflates. */
typedef struct entry_stream {
    zip_file_t *zf;
    uint64_t count, limit;
} entry_stream;

static ssize_t entry_read(void *c, char *buf, size_t size)
{
    entry_stream *s = c;
    zip_int64_t n = zip_fread(s->zf, buf, size);
    if (n < 0) {
        errno = EIO;
        return -1;
    }
    s->count += (uint64_t)n;
    if (s->count > s->limit) {
        errno = EFBIG;
        return -1;
    }
    return (ssize_t)n;
}

static int entry_close(void *c)
{
    entry_stream *s = c;
    zip_fclose(s->zf);
    free(s);
    return 0;
}

int orc_zip_entry(orc_zip *z, const char *name, FILE **out, orc_err *err)
{
    zip_int64_t idx = zip_name_locate(z->za, name, 0), i, n;
    cookie_io_functions_t io = {entry_read, NULL, NULL, entry_close};
    entry_stream *s;

    if (idx < 0) {   /* an export inside one folder: match the base name, once */
        n = zip_get_num_entries(z->za, 0);
        for (i = 0; i < n; i++) {
            const char *e = zip_get_name(z->za, (zip_uint64_t)i, 0), *slash;
            if (e == NULL || (slash = strrchr(e, '/')) == NULL || strcmp(slash + 1, name) != 0)
                continue;
            if (idx >= 0)
                return orc_fail(err, ORC_ERR_ARCHIVE, "%s holds more than one %s; keep one export "
                                "per archive", z->label, name);
            idx = i;
        }
    }
    if (idx < 0)
        return orc_fail(err, ORC_ERR_NOT_FOUND, "%s holds no %s", z->label, name);
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory reading %s", name);
    s->limit = z->lim.max_entry;
    s->zf = zip_fopen_index(z->za, (zip_uint64_t)idx, 0);
    if (s->zf == NULL) {
        free(s);
        return orc_fail(err, ORC_ERR_ARCHIVE, "%s: %s cannot be opened (%s); the archive is "
                        "corrupt or uses an unsupported compression", z->label, name,
                        zip_strerror(z->za));
    }
    *out = fopencookie(s, "r", io);
    if (*out == NULL) {
        entry_close(s);
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory reading %s", name);
    }
    return ORC_OK;
}

void orc_zip_close(orc_zip *z)
{
    if (z == NULL)
        return;
    zip_discard(z->za);
    free(z->label);
    free(z);
}
