/*
 * manifest.c - a plugin is vetted from its manifest before dlopen: a bad
 * manifest must never crash the host or load code from an unexpected place.
 */
#include "manifest.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <sis/plugin.h>

#define MANIFEST_MAX_BYTES (64 * 1024)

static int fail(char *errbuf, size_t cap, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *errbuf, size_t cap, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(errbuf, cap, "plugin manifest %s: %s", path, msg);
    return -1;
}

static char *read_small_file(const char *path, char *errbuf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (f == NULL) {
        fail(errbuf, cap, path, "cannot be read (%s)", strerror(errno));
        return NULL;
    }
    buf = malloc(MANIFEST_MAX_BYTES + 1);
    if (buf == NULL) {
        fclose(f);
        fail(errbuf, cap, path, "out of memory");
        return NULL;
    }
    n = fread(buf, 1, MANIFEST_MAX_BYTES + 1, f);
    fclose(f);
    if (n > MANIFEST_MAX_BYTES) {
        free(buf);
        fail(errbuf, cap, path, "is larger than %d bytes; a manifest is a small JSON file",
             MANIFEST_MAX_BYTES);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* A required string member; NULL (and errbuf filled) when absent or empty. */
static const char *req_string(json_object *root, const char *key, const char *path,
                              char *errbuf, size_t cap)
{
    json_object *v;
    if (!json_object_object_get_ex(root, key, &v)) {
        fail(errbuf, cap, path, "the required field \"%s\" is missing", key);
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0) {
        fail(errbuf, cap, path, "the field \"%s\" must be a non-empty string", key);
        return NULL;
    }
    return json_object_get_string(v);
}

static int is_identifier(const char *s, int allow_dash)
{
    if (!isalpha((unsigned char)*s) && *s != '_')
        return 0;
    for (; *s != '\0'; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && !(allow_dash && *s == '-'))
            return 0;
    return 1;
}

static int parse_abi(const char *s, unsigned *major, unsigned *minor)
{
    char tail;
    return sscanf(s, "%u.%u%c", major, minor, &tail) == 2;
}

/* The library must sit inside the manifest's folder: a relative path with
 * no ".." component, resolved to an existing regular file. */
static char *resolve_library(const char *manifest_path, const char *lib, char *errbuf, size_t cap)
{
    char dir[PATH_MAX], joined[PATH_MAX * 2], real[PATH_MAX];
    const char *slash = strrchr(manifest_path, '/');
    struct stat st;
    const char *p;

    if (lib[0] == '/')
        return fail(errbuf, cap, manifest_path,
                    "\"library\" must be a path relative to the manifest's folder, not %s", lib),
               NULL;
    for (p = lib; p != NULL; p = strchr(p, '/')) {
        if (*p == '/')
            p++;
        if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
            return fail(errbuf, cap, manifest_path,
                        "\"library\" (%s) escapes the manifest's folder; keep the plugin beside "
                        "or below its manifest", lib),
                   NULL;
    }
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - manifest_path), manifest_path);
    snprintf(joined, sizeof joined, "%s/%s", dir, lib);
    if (realpath(joined, real) == NULL || stat(real, &st) != 0)
        return fail(errbuf, cap, manifest_path,
                    "the library %s does not exist; build the plugin (make) or fix \"library\"",
                    joined),
               NULL;
    if (!S_ISREG(st.st_mode))
        return fail(errbuf, cap, manifest_path, "the library %s is not a regular file", joined),
               NULL;
    return strdup(real);
}

/* What a manifest may say.  Everything else about a plugin (name,
 * capabilities, credential fields, settings) is declared once, in the
 * plugin's own header (sis/plugin.h), so the two can never disagree. */
static const char *const known_keys[] = {"manifest_version", "id", "kind", "version", "abi",
                                         "library", "entry"};

static int check_keys(json_object *root, const char *path, char *errbuf, size_t cap)
{
    size_t i;
    json_object_object_foreach(root, key, val) {
        int known = 0;
        (void)val;
        for (i = 0; i < sizeof known_keys / sizeof known_keys[0]; i++)
            known |= strcmp(key, known_keys[i]) == 0;
        if (!known)
            return fail(errbuf, cap, path, "unknown field \"%s\"; a manifest holds only id, kind, "
                        "version, abi, library and entry (names, capabilities, fields and "
                        "settings are declared by the plugin itself)", key);
    }
    return 0;
}

static int fill(mh_manifest *m, json_object *root, const char *path, char *errbuf, size_t cap)
{
    const char *id, *kind, *version, *abi, *lib, *entry;

    if (!json_object_is_type(root, json_type_object))
        return fail(errbuf, cap, path, "the top level must be a JSON object");
    if (check_keys(root, path, errbuf, cap) != 0)
        return -1;
    if (!(id = req_string(root, "id", path, errbuf, cap)) ||
        !(kind = req_string(root, "kind", path, errbuf, cap)) ||
        !(version = req_string(root, "version", path, errbuf, cap)) ||
        !(abi = req_string(root, "abi", path, errbuf, cap)) ||
        !(lib = req_string(root, "library", path, errbuf, cap)) ||
        !(entry = req_string(root, "entry", path, errbuf, cap)))
        return -1;
    if (!is_identifier(id, 1))
        return fail(errbuf, cap, path, "\"id\" (%s) may hold only letters, digits, '_' and '-'", id);
    if (strcmp(kind, "sis") == 0)
        m->kind = SIS_KIND_SIS;
    else if (strcmp(kind, "sso") == 0)
        m->kind = SIS_KIND_SSO;
    else
        return fail(errbuf, cap, path, "\"kind\" is \"%s\"; this host knows \"sis\" and \"sso\"",
                    kind);
    if (!parse_abi(abi, &m->abi_major, &m->abi_minor))
        return fail(errbuf, cap, path, "\"abi\" (%s) must look like \"2.0\"", abi);
    if (m->abi_major != SIS_ABI_VERSION_MAJOR)
        return fail(errbuf, cap, path, "the plugin is built for SIS ABI %u.%u, this host speaks %d.%d; "
                    "install a release of the plugin built for ABI %d.x",
                    m->abi_major, m->abi_minor, SIS_ABI_VERSION_MAJOR, SIS_ABI_VERSION_MINOR,
                    SIS_ABI_VERSION_MAJOR);
    if (!is_identifier(entry, 0))
        return fail(errbuf, cap, path, "\"entry\" (%s) is not a C symbol name", entry);
    m->id = strdup(id);
    m->version = strdup(version);
    m->entry = strdup(entry);
    m->library = resolve_library(path, lib, errbuf, cap);
    return m->library != NULL ? 0 : -1;
}

/* Parses the whole text as one JSON value; trailing garbage is an error. */
static json_object *parse_json(const char *text, const char *path, char *errbuf, size_t cap)
{
    json_tokener *tok = json_tokener_new();
    json_object *root;
    size_t len = strlen(text), end, i;
    int line = 1;

    if (tok == NULL) {
        fail(errbuf, cap, path, "out of memory");
        return NULL;
    }
    root = json_tokener_parse_ex(tok, text, (int)len);
    end = json_tokener_get_parse_end(tok);
    if (root != NULL)
        while (end < len && isspace((unsigned char)text[end]))
            end++;
    if (root == NULL || end != len) {
        for (i = 0; i < end && i < len; i++)
            line += text[i] == '\n';
        fail(errbuf, cap, path, "is not valid JSON (%s near line %d); check it with a JSON linter",
             root == NULL ? json_tokener_error_desc(json_tokener_get_error(tok))
                          : "unexpected text after the object",
             line);
        json_object_put(root);
        root = NULL;
    }
    json_tokener_free(tok);
    return root;
}

int mh_manifest_load(mh_manifest **out, const char *path, char *errbuf, size_t cap)
{
    char *text;
    json_object *root;
    mh_manifest *m;
    int rc;

    *out = NULL;
    text = read_small_file(path, errbuf, cap);
    if (text == NULL)
        return -1;
    root = parse_json(text, path, errbuf, cap);
    free(text);
    if (root == NULL)
        return -1;
    m = calloc(1, sizeof *m);
    if (m == NULL) {
        json_object_put(root);
        return fail(errbuf, cap, path, "out of memory");
    }
    m->path = strdup(path);
    rc = fill(m, root, path, errbuf, cap);
    json_object_put(root);
    if (rc != 0) {
        mh_manifest_free(m);
        return -1;
    }
    *out = m;
    return 0;
}


void mh_manifest_free(mh_manifest *m)
{
    if (m == NULL)
        return;
    free(m->path);
    free(m->id);
    free(m->version);
    free(m->library);
    free(m->entry);
    free(m);
}
