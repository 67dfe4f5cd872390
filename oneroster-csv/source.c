#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tempfile.h"

enum source_kind { SRC_FOLDER, SRC_ZIP, SRC_REMOTE_FOLDER };

struct orc_source {
    enum source_kind kind;
    char *location;      /* folder path or remote folder URL (ends with '/') */
    char *query;         /* the URL's query (a credential), or NULL; wiped at close */
    char *label;
    orc_zip *zip;
    orc_remote *remote;
    uint64_t downloaded;
};

static void wipe_free(char *p)
{
    if (p != NULL) {
        explicit_bzero(p, strlen(p));
        free(p);
    }
}

/* `url` with the source's query joined, in memory only; the caller wipes
 * and frees it (wipe_free).  NULL when out of memory. */
static char *with_query(const orc_source *s, const char *url)
{
    size_t n = strlen(url) + (s->query ? strlen(s->query) : 0) + 2;
    char *full = malloc(n);
    if (full != NULL)
        snprintf(full, n, "%s%s%s", url, s->query ? "?" : "", s->query ? s->query : "");
    return full;
}

/* Downloads `url` (with the source's query) into an unlinked temporary
 * file, rewound. */
static int fetch_temp(orc_source *s, const char *url, FILE **out, orc_err *err)
{
    int fd;
    FILE *f;
    char *full = with_query(s, url);
    int rc;
    if (full == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory");
    fd = orc_temp_fd("download");
    f = fd >= 0 ? fdopen(fd, "w+b") : NULL;
    if (f == NULL) {
        wipe_free(full);
        rc = orc_fail(err, ORC_ERR_IO, "%s: cannot create a temporary file for the download in "
                      "%s (%s); check that the folder exists and is writable (TMPDIR chooses it)",
                      s->label, orc_temp_dir(), strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    rc = orc_remote_get(s->remote, full, f, &s->downloaded, err);
    wipe_free(full);
    if (rc != ORC_OK) {
        fclose(f);
        return rc;
    }
    rewind(f);
    *out = f;
    return ORC_OK;
}

static int open_zip_file(orc_source *s, FILE *f, const orc_zip_limits *lim, orc_err *err)
{
    unsigned char magic[4] = {0};
    int fd;
    size_t n = fread(magic, 1, 4, f);
    if (n < 4 || memcmp(magic, "PK\x03\x04", 4) != 0) {
        fclose(f);
        return orc_fail(err, ORC_ERR_ARCHIVE, "%s is not a zip archive (give a OneRoster CSV zip, "
                        "a folder of CSV files, or an sftp:// folder URL ending with '/')",
                        s->label);
    }
    fd = dup(fileno(f));
    fclose(f);
    if (fd < 0)
        return orc_fail(err, ORC_ERR_IO, "%s: %s", s->label, strerror(errno));
    return orc_zip_open_fd(&s->zip, fd, s->label, lim, err);
}

int orc_source_open(orc_source **out, const orc_source_opts *o, orc_err *err)
{
    orc_source *s;
    const char *loc = o->location;
    int has_query = loc != NULL && orc_is_url(loc) && o->query != NULL && o->query[0] != '\0';
    int rc;

    if (loc == NULL || loc[0] == '\0')
        return orc_fail(err, ORC_ERR_CONFIG, "no source given: name a OneRoster CSV zip, a folder, "
                        "an https:// URL or an sftp:// URL");
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory");
    s->location = strdup(loc);
    if (has_query)
        s->query = strdup(o->query);
    if (orc_is_url(loc)) {
        /* The label marks that there is a query, never shows it. */
        char *full = with_query(s, loc);
        s->label = full != NULL ? orc_url_redacted(full) : NULL;
        wipe_free(full);
    } else {
        s->label = strdup(loc);
    }
    if (s->location == NULL || s->label == NULL || (has_query && s->query == NULL)) {
        orc_source_close(s);
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory");
    }
    if (orc_is_url(loc)) {
        FILE *f = NULL;
        int sftp = strncasecmp(loc, "sftp://", 7) == 0;
        rc = orc_remote_open(&s->remote, &o->remote, err);
        if (rc == ORC_OK && sftp && loc[strlen(loc) - 1] == '/') {
            s->kind = SRC_REMOTE_FOLDER;
            /* Reaching the manifest proves the server, host key and login. */
            rc = orc_source_file(s, "manifest.csv", &f, err);
            if (rc == ORC_OK)
                fclose(f);
        } else if (rc == ORC_OK) {
            s->kind = SRC_ZIP;
            rc = fetch_temp(s, loc, &f, err);
            if (rc == ORC_OK)
                rc = open_zip_file(s, f, &o->zip, err);
        }
    } else {
        struct stat st;
        if (stat(loc, &st) != 0) {
            rc = orc_fail(err, ORC_ERR_NOT_FOUND, "%s: %s", loc, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            s->kind = SRC_FOLDER;
            rc = ORC_OK;
        } else {
            FILE *f = fopen(loc, "rb");
            s->kind = SRC_ZIP;
            rc = f == NULL ? orc_fail(err, ORC_ERR_IO, "%s: %s", loc, strerror(errno))
                           : open_zip_file(s, f, &o->zip, err);
        }
    }
    if (rc != ORC_OK) {
        orc_source_close(s);
        return rc;
    }
    *out = s;
    return ORC_OK;
}

int orc_source_file(orc_source *s, const char *name, FILE **out, orc_err *err)
{
    size_t n = strlen(s->location) + strlen(name) + 2;
    char *path;
    int rc;

    if (s->kind == SRC_ZIP)
        return orc_zip_entry(s->zip, name, out, err);
    path = malloc(n);
    if (path == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory");
    snprintf(path, n, "%s%s%s", s->location,
             s->location[strlen(s->location) - 1] == '/' ? "" : "/", name);
    if (s->kind == SRC_REMOTE_FOLDER) {
        rc = fetch_temp(s, path, out, err);
    } else {
        *out = fopen(path, "rb");
        if (*out != NULL)
            rc = ORC_OK;
        else if (errno == ENOENT)
            rc = orc_fail(err, ORC_ERR_NOT_FOUND, "the folder %s holds no %s", s->label, name);
        else
            rc = orc_fail(err, ORC_ERR_IO, "%s: %s", path, strerror(errno));
    }
    free(path);
    return rc;
}

const char *orc_source_label(const orc_source *s)
{
    return s->label;
}

uint64_t orc_source_downloaded(const orc_source *s)
{
    return s->downloaded;
}

void orc_source_close(orc_source *s)
{
    if (s == NULL)
        return;
    orc_zip_close(s->zip);
    orc_remote_close(s->remote);
    free(s->location);
    wipe_free(s->query);
    free(s->label);
    free(s);
}
