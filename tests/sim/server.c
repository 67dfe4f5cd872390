/*
 * server.c - the simulator's HTTP side on libmicrohttpd: a Roster Server
 * (OneRoster 1.1 users/orgs with filter, fields, sort, paging), OAuth 1.0a
 * and OAuth 2.0 checks, fault injection and a control API under /_sim/.
 * Collection bodies are generated record by record as the client reads, so
 * a million-user page costs no memory.
 */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "oauth_verify.h"
#include "server.h"

#define ROSTER_PREFIX "/ims/oneroster/v1p1"

/* ---- small helpers ------------------------------------------------------ */

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    if (ms > 0)
        nanosleep(&ts, NULL);
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type,
                                 const char *body, const char *extra_header, const char *extra_value)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;
    MHD_add_response_header(r, "Content-Type", type);
    if (extra_header != NULL)
        MHD_add_response_header(r, extra_header, extra_value);
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, const char *body)
{
    return send_text(c, status, "application/json", body, NULL, NULL);
}

enum MHD_Result sim_send_json(struct MHD_Connection *c, unsigned status, const char *body)
{
    return send_json(c, status, body);
}

/* An imsx status object, as OneRoster servers send with errors. */
static enum MHD_Result send_imsx(sim_server *s, struct MHD_Connection *c, unsigned status,
                                 const char *minor, const char *desc, const char *hdr,
                                 const char *hval)
{
    char body[768], date[64];
    time_t t = time(NULL) + s->clock_offset_s;
    struct tm tm;
    snprintf(body, sizeof body,
             "{\"statusInfoSet\":[{\"imsx_codeMajor\":\"failure\",\"imsx_severity\":\"error\","
             "\"imsx_description\":\"%s\",\"imsx_CodeMinor\":{\"imsx_codeMinorField\":[{"
             "\"imsx_codeMinorFieldName\":\"TargetEndSystem\",\"imsx_codeMinorFieldValue\":\"%s\"}]}}]}",
             desc, minor);
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (hdr == NULL) {
        hdr = "Date";
        hval = date;
    }
    return send_text(c, status, "application/json", body, hdr, hval);
}

/* ---- per-connection request data --------------------------------------- */

typedef struct req_ctx {
    char *body;
    size_t len;
} req_ctx;

typedef struct arg_list {
    sim_kv items[64];
    size_t n;
} arg_list;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    arg_list *l = cls;
    (void)kind;
    if (l->n < 64) {
        l->items[l->n].key = (char *)key;
        l->items[l->n].value = (char *)(value ? value : "");
        l->n++;
    }
    return MHD_YES;
}

static const char *arg(const arg_list *l, const char *key)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        if (strcmp(l->items[i].key, key) == 0)
            return l->items[i].value;
    return NULL;
}

/* ---- faults ---------------------------------------------------------- */

/* Takes the fault that fires on this request, if any (copied out). */
int sim_take_fault(sim_server *s, const char *path, sim_fault *out)
{
    int i, hit = 0;
    pthread_mutex_lock(&s->mu);
    for (i = 0; i < s->n_faults && !hit; i++) {
        sim_fault *f = &s->faults[i];
        if (f->count == 0 || strstr(path, f->path) == NULL)
            continue;
        if (f->skip > 0) {
            f->skip--;
            continue;
        }
        *out = *f;
        if (f->count > 0)
            f->count--;
        s->faults_fired++;
        hit = 1;
    }
    pthread_mutex_unlock(&s->mu);
    return hit;
}

/* ---- authorisation ----------------------------------------------------- */

static int nonce_seen(sim_server *s, const char *nonce)
{
    int i;
    for (i = 0; i < SIM_NONCES; i++)
        if (s->nonces[i][0] != '\0' && strcmp(s->nonces[i], nonce) == 0)
            return 1;
    snprintf(s->nonces[s->nonce_pos], sizeof s->nonces[0], "%s", nonce);
    s->nonce_pos = (s->nonce_pos + 1) % SIM_NONCES;
    return 0;
}

static int token_valid(sim_server *s, const char *tok)
{
    int i;
    for (i = 0; i < SIM_TOKENS; i++)
        if (s->tokens[i][0] != '\0' && strcmp(s->tokens[i], tok) == 0)
            return 1;
    return 0;
}

/* 0 when authorised; else the reason in why. */
static int check_roster_auth(sim_server *s, struct MHD_Connection *c, const char *method,
                             const char *url, const arg_list *args, char *why, size_t cap)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    char base_uri[1024], nonce[64];
    long long ts = 0, now;
    size_t i;
    int rc;

    if (auth == NULL) {
        snprintf(why, cap, "no Authorization header");
        return -1;
    }
    if (strncmp(auth, "Bearer ", 7) == 0) {
        pthread_mutex_lock(&s->mu);
        rc = token_valid(s, auth + 7) || (s->bearer[0] && strcmp(s->bearer, auth + 7) == 0);
        pthread_mutex_unlock(&s->mu);
        if (!rc)
            snprintf(why, cap, "invalid or expired token");
        return rc ? 0 : -1;
    }
    snprintf(base_uri, sizeof base_uri, "%s://%s%s", s->tls ? "https" : "http", host ? host : "", url);
    for (i = s->tls ? 8 : 7; base_uri[i] && base_uri[i] != '/'; i++)
        base_uri[i] = (char)tolower((unsigned char)base_uri[i]);
    if (sim_oauth1_verify(auth, method, base_uri, args->items, args->n, s->client_id,
                          s->client_secret, nonce, sizeof nonce, &ts, why, cap) != 0)
        return -1;
    now = (long long)time(NULL) + s->clock_offset_s;
    if (ts < now - 600 || ts > now + 300) {
        snprintf(why, cap, "timestamp outside the accepted window");
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    rc = nonce_seen(s, nonce);
    pthread_mutex_unlock(&s->mu);
    if (rc) {
        snprintf(why, cap, "nonce replayed");
        return -1;
    }
    return 0;
}

/* ---- filters ------------------------------------------------------------ */

typedef struct predicate {
    char field[48];
    char op[3];
    char value[256];
    long long ms;         /* dateLastModified: the value as ms, -1 otherwise */
} predicate;

/* "2026-01-02T03:04:05.678Z" -> ms since the epoch, or -1. */
static long long iso_ms(const char *v)
{
    struct tm tm;
    int y, mo, d, h, mi, n = 0;
    double sec;
    if (sscanf(v, "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return -1;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = (int)sec;
    return (long long)timegm(&tm) * 1000 + (long long)((sec - (int)sec) * 1000.0 + 0.5);
}

typedef struct filter {
    predicate p[2];
    int n;
    int is_or;
} filter;

static const char *parse_predicate(const char *s, predicate *p)
{
    size_t n = 0, v = 0;
    while (*s == ' ')
        s++;
    while ((isalnum((unsigned char)*s) || *s == '.' || *s == '_') && n < sizeof p->field - 1)
        p->field[n++] = *s++;
    p->field[n] = '\0';
    while (*s == ' ')
        s++;
    if (n == 0)
        return NULL;
    if ((s[0] == '!' || s[0] == '>' || s[0] == '<') && s[1] == '=') {
        p->op[0] = s[0];
        p->op[1] = '=';
        p->op[2] = '\0';
        s += 2;
    } else if (*s == '=' || *s == '>' || *s == '<' || *s == '~') {
        p->op[0] = *s++;
        p->op[1] = '\0';
    } else {
        return NULL;
    }
    while (*s == ' ')
        s++;
    if (*s++ != '\'')
        return NULL;
    while (*s && *s != '\'' && v < sizeof p->value - 1)
        p->value[v++] = *s++;
    p->value[v] = '\0';
    if (*s++ != '\'')
        return NULL;
    p->ms = strcmp(p->field, "dateLastModified") == 0 ? iso_ms(p->value) : -1;
    return s;
}

/* 0 ok; -1 malformed; -2 unknown field (named in bad). */
static int parse_filter(const char *text, filter *f, int orgs, char *bad, size_t cap)
{
    const char *s = text;
    memset(f, 0, sizeof *f);
    if (text == NULL || *text == '\0')
        return 0;
    while (f->n < 2) {
        s = parse_predicate(s, &f->p[f->n]);
        if (s == NULL)
            return -1;
        f->n++;
        while (*s == ' ')
            s++;
        if (*s == '\0')
            break;
        if (strncmp(s, "AND ", 4) == 0)
            s += 4;
        else if (strncmp(s, "OR ", 3) == 0) {
            f->is_or = 1;
            s += 3;
        } else {
            return -1;
        }
    }
    if (*s != '\0' && f->n == 2)
        return -1;
    {
        int i;
        for (i = 0; i < f->n; i++) {
            int known = orgs ? sim_org_field_known(f->p[i].field)
                             : (sim_user_field_known(f->p[i].field) &&
                                strcmp(f->p[i].field, "metadata") != 0);
            if (!known) {
                snprintf(bad, cap, "%s", f->p[i].field);
                return -2;
            }
        }
    }
    return 0;
}

static int eval_pred(const predicate *p, const char *v)
{
    int c = strcmp(v, p->value);
    if (strcmp(p->op, "=") == 0) return c == 0;
    if (strcmp(p->op, "!=") == 0) return c != 0;
    if (strcmp(p->op, ">") == 0) return c > 0;
    if (strcmp(p->op, ">=") == 0) return c >= 0;
    if (strcmp(p->op, "<") == 0) return c < 0;
    if (strcmp(p->op, "<=") == 0) return c <= 0;
    return strcasestr(v, p->value) != NULL;  /* ~ contains */
}

/* Compares times as numbers: the same order as their ISO strings, without
 * formatting a million of them for a delta query. */
static int eval_time(const predicate *p, long long ms)
{
    long long c = ms - p->ms;
    if (strcmp(p->op, "=") == 0) return c == 0;
    if (strcmp(p->op, "!=") == 0) return c != 0;
    if (strcmp(p->op, ">") == 0) return c > 0;
    if (strcmp(p->op, ">=") == 0) return c >= 0;
    if (strcmp(p->op, "<") == 0) return c < 0;
    if (strcmp(p->op, "<=") == 0) return c <= 0;
    return 0;
}

static int matches(const sim_district *d, uint32_t i, const filter *f, int orgs)
{
    char v[SIM_LONG_ID_LEN + 64];
    int k, r = f->is_or ? 0 : 1;
    for (k = 0; k < f->n; k++) {
        int ok = !orgs && f->p[k].ms >= 0 && f->p[k].op[0] != '~'
                     ? eval_time(&f->p[k], d->modified_ms[i])
                     : (orgs ? sim_org_field(d, i, f->p[k].field, v, sizeof v)
                             : sim_user_field(d, i, f->p[k].field, v, sizeof v)) &&
                           eval_pred(&f->p[k], v);
        r = f->is_or ? (r || ok) : (r && ok);
    }
    return r;
}

/* The sorted list of indices that a query selects, cached per generation.
 * Called with the lock held. */
static sim_match *match_list(sim_server *s, const char *key, const filter *f, const char *role,
                             int orgs)
{
    sim_match *m;
    uint32_t i, n = orgs ? sim_n_orgs(&s->d) : s->d.n_users;
    int k;
    for (k = 0; k < SIM_CACHE; k++)
        if (s->cache[k].idx != NULL && s->cache[k].generation == s->d.generation &&
            strcmp(s->cache[k].key, key) == 0)
            return &s->cache[k];
    m = &s->cache[s->cache_next];
    s->cache_next = (s->cache_next + 1) % SIM_CACHE;
    free(m->idx);
    m->idx = malloc((n + 1) * sizeof *m->idx);
    m->n = 0;
    for (i = 0; i < n; i++) {
        if (!orgs && (s->d.flags[i] & SIM_REMOVED))
            continue;
        if (role != NULL && strcmp(sim_user_role(&s->d, i), role) != 0)
            continue;
        if (f->n > 0 && !matches(&s->d, i, f, orgs))
            continue;
        m->idx[m->n++] = i;
    }
    snprintf(m->key, sizeof m->key, "%s", key);
    m->generation = s->d.generation;
    return m;
}

/* ---- streaming a collection --------------------------------------------- */

typedef struct gen {
    sim_server *s;
    int orgs;
    char collection[16];
    char *fields;
    uint32_t *idx;              /* this page's indices (copied) */
    uint32_t n, next;
    sim_out raw;                /* generated JSON not yet sent */
    size_t raw_off;
    int stage;                  /* 0 head, 1 items, 2 tail, 3 done */
    long long reset_after;      /* fault: drop the connection after this many bytes */
    long long truncate_after;   /* fault: end the body early */
    int bad_records;            /* fault: put unusable records first */
    int big_name;               /* fault: the first record's name is 10 MB */
    int endless;                /* fault: a record that never ends */
    uint64_t sent;
    int64_t started_ms;
    z_stream z;
    int gzip;
    int z_done;
    sim_page *page;             /* the body from the page cache, or NULL */
} gen;

static void gen_fill(gen *g)
{
    /* Produce more raw JSON: the head, some items, or the tail. */
    if (g->stage == 0) {
        sim_out_addf(&g->raw, "{\"%s\":[", g->collection);
        g->stage = 1;
    }
    while (g->stage == 1 && g->raw.len - g->raw_off < 16384) {
        if (g->next >= g->n) {
            sim_out_add(&g->raw, "]}", 2);
            g->stage = 2;
            break;
        }
        if (g->next > 0)
            sim_out_add(&g->raw, ",", 1);
        if (g->endless) {
            /* A string that never closes, trickled out forever. */
            if (g->next == 0)
                sim_out_adds(&g->raw, "{\"sourcedId\":\"u9999999\",\"givenName\":\"");
            g->next = 1;
            sim_out_adds(&g->raw, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
            usleep(2000);
            break;
        }
        if (g->big_name && g->next == 0) {
            size_t k;
            sim_out_addf(&g->raw, "{\"sourcedId\":\"u%07u\",\"status\":\"active\",\"role\":"
                         "\"student\",\"givenName\":\"", g->idx[0]);
            for (k = 0; k < 10 * 1024 * 1024 / 64; k++)
                sim_out_adds(&g->raw, "Zoe-Zoe-Zoe-Zoe-Zoe-Zoe-Zoe-Zoe-Zoe-Zoe-Zoe-Zoe-Zoe-Zoe-Zoe-Zoe-");
            sim_out_adds(&g->raw, "\"}");
            g->next++;
            continue;
        }
        if (g->bad_records && g->next < 3) {
            /* The first three records of the page, broken three ways. */
            static const char *const bad[] = {
                "{\"status\":\"active\",\"role\":\"student\"}",
                "{\"sourcedId\":\"u%07u\",\"status\":\"archived\",\"role\":\"student\"}",
                "{\"sourcedId\":\"u%07u\",\"givenName\":tru}"};
            sim_out_addf(&g->raw, bad[g->next], g->idx[g->next]);
            g->next++;
            continue;
        }
        pthread_mutex_lock(&g->s->mu);
        if (g->orgs)
            sim_org_json(&g->s->d, g->idx[g->next], g->fields, &g->raw);
        else
            sim_user_json(&g->s->d, g->idx[g->next], g->fields, &g->raw);
        pthread_mutex_unlock(&g->s->mu);
        g->next++;
        if (g->s->per_record_us > 0 && g->next % 100 == 0)
            usleep((useconds_t)(g->s->per_record_us * 100));
    }
}

static void throttle(gen *g)
{
    long kbit = g->s->bandwidth_kbit;
    if (kbit > 0) {
        int64_t elapsed = now_ms() - g->started_ms;
        int64_t due = (int64_t)(g->sent * 8 / (uint64_t)kbit);  /* ms at kbit/s */
        if (due > elapsed)
            sleep_ms((long)(due - elapsed));
    }
}

static ssize_t gen_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    gen *g = cls;
    size_t avail, n;
    (void)pos;

    if (g->page != NULL) {
        if (pos >= g->page->len)
            return MHD_CONTENT_READER_END_OF_STREAM;
        throttle(g);
        n = g->page->len - (size_t)pos < max ? g->page->len - (size_t)pos : max;
        memcpy(buf, g->page->data + pos, n);
        g->sent += n;
        pthread_mutex_lock(&g->s->mu);
        g->s->bytes_sent += n;
        pthread_mutex_unlock(&g->s->mu);
        return (ssize_t)n;
    }
    if (g->reset_after >= 0 && (long long)g->sent >= g->reset_after)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (g->truncate_after >= 0 && (long long)g->sent >= g->truncate_after)
        return MHD_CONTENT_READER_END_OF_STREAM;
    throttle(g);
    if (g->raw.len - g->raw_off < max && g->stage < 2)
        gen_fill(g);
    avail = g->raw.len - g->raw_off;
    if (g->gzip) {
        int flush = g->stage >= 2 ? Z_FINISH : Z_NO_FLUSH;
        if (g->z_done)
            return MHD_CONTENT_READER_END_OF_STREAM;
        g->z.next_in = (Bytef *)g->raw.data + g->raw_off;
        g->z.avail_in = (uInt)avail;
        g->z.next_out = (Bytef *)buf;
        g->z.avail_out = (uInt)max;
        if (deflate(&g->z, flush) == Z_STREAM_END)
            g->z_done = 1;
        g->raw_off += avail - g->z.avail_in;
        n = max - g->z.avail_out;
        if (n == 0 && !g->z_done && g->stage < 2)
            gen_fill(g);
    } else {
        if (avail == 0)
            return MHD_CONTENT_READER_END_OF_STREAM;
        n = avail < max ? avail : max;
        memcpy(buf, g->raw.data + g->raw_off, n);
        g->raw_off += n;
    }
    if (g->raw_off > 65536 && g->raw_off == g->raw.len) {
        g->raw.len = 0;
        g->raw_off = 0;
    } else if (g->raw_off > 65536) {
        memmove(g->raw.data, g->raw.data + g->raw_off, g->raw.len - g->raw_off);
        g->raw.len -= g->raw_off;
        g->raw_off = 0;
    }
    if (g->truncate_after >= 0 && (long long)(g->sent + n) > g->truncate_after)
        n = (size_t)(g->truncate_after - (long long)g->sent);
    g->sent += n;
    pthread_mutex_lock(&g->s->mu);
    g->s->bytes_sent += n;
    pthread_mutex_unlock(&g->s->mu);
    return (ssize_t)n;
}

static void gen_free(void *cls)
{
    gen *g = cls;
    if (g->page != NULL) {
        pthread_mutex_lock(&g->s->mu);
        sim_page_release(&g->s->pages, g->page);
        pthread_mutex_unlock(&g->s->mu);
    }
    if (g->gzip && g->page == NULL)
        deflateEnd(&g->z);
    free(g->raw.data);
    free(g->idx);
    free(g->fields);
    free(g);
}

/* ---- pages rendered once ---------------------------------------------- */

/* Pages of at most this many records are cached; bigger ones stream, so a
 * million-user page still costs no memory. */
#define PAGE_CACHE_MAX_RECORDS 50000

/* The whole body of g's page, as gen_read would stream it (gzip when g->gzip),
 * in a malloc'd *out.  Takes the lock per batch of records, as streaming does
 * per record.  -1 when out of memory. */
static int render_page(gen *g, char **out, size_t *len)
{
    sim_out raw = {0};
    uint32_t i;
    sim_out_addf(&raw, "{\"%s\":[", g->collection);
    for (i = 0; i < g->n; i++) {
        if (i % 256 == 0)
            pthread_mutex_lock(&g->s->mu);
        if (i > 0)
            sim_out_add(&raw, ",", 1);
        if (g->orgs)
            sim_org_json(&g->s->d, g->idx[i], g->fields, &raw);
        else
            sim_user_json(&g->s->d, g->idx[i], g->fields, &raw);
        if (i % 256 == 255 || i + 1 == g->n)
            pthread_mutex_unlock(&g->s->mu);
    }
    sim_out_add(&raw, "]}", 2);
    if (!g->gzip) {
        *out = raw.data;
        *len = raw.len;
        return 0;
    }
    {
        z_stream z;
        uLong cap;
        memset(&z, 0, sizeof z);
        deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  /* as streamed */
        cap = deflateBound(&z, (uLong)raw.len);
        *out = malloc(cap);
        if (*out == NULL) {
            deflateEnd(&z);
            free(raw.data);
            return -1;
        }
        z.next_in = (Bytef *)raw.data;
        z.avail_in = (uInt)raw.len;
        z.next_out = (Bytef *)*out;
        z.avail_out = (uInt)cap;
        deflate(&z, Z_FINISH);
        *len = cap - z.avail_out;
        deflateEnd(&z);
        free(raw.data);
    }
    return 0;
}

/* Attaches the cached body of g's page to g (rendering it on a miss); 0 when
 * g->page is set.  gen_at is the generation g's indices were taken at. */
static int attach_page(sim_server *s, gen *g, const char *key, uint64_t gen_at)
{
    char *data;
    size_t len;
    pthread_mutex_lock(&s->mu);
    g->page = sim_page_get(&s->pages, key, gen_at);
    pthread_mutex_unlock(&s->mu);
    if (g->page != NULL)
        return 0;
    if (render_page(g, &data, &len) != 0)
        return -1;
    pthread_mutex_lock(&s->mu);
    g->page = sim_page_put(&s->pages, key, gen_at, s->d.generation, data, len);
    pthread_mutex_unlock(&s->mu);
    return g->page != NULL ? 0 : -1;
}

/* ---- the Roster Server ------------------------------------------------- */

static int valid_fields(const char *fields, int orgs, char *bad, size_t cap)
{
    char *copy, *tok, *save = NULL;
    int ok = 1;
    if (fields == NULL)
        return 1;
    copy = strdup(fields);
    for (tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
        if (!(orgs ? sim_org_field_known(tok) : sim_user_field_known(tok))) {
            snprintf(bad, cap, "%s", tok);
            ok = 0;
        }
    }
    free(copy);
    return ok;
}

typedef struct route {
    int orgs;
    const char *collection;   /* key of the wrapper */
    const char *role;         /* role filter, or NULL */
    char single[128];         /* /users/{id}: the id */
} route;

static int parse_route(const char *rest, route *r)
{
    memset(r, 0, sizeof *r);
    if (strcmp(rest, "/users") == 0) {
        r->collection = "users";
    } else if (strcmp(rest, "/students") == 0) {
        r->collection = "users";
        r->role = "student";
    } else if (strcmp(rest, "/teachers") == 0) {
        r->collection = "users";
        r->role = "teacher";
    } else if (strcmp(rest, "/orgs") == 0 || strcmp(rest, "/schools") == 0) {
        r->orgs = 1;
        r->collection = "orgs";
    } else if (strncmp(rest, "/users/", 7) == 0 && strchr(rest + 7, '/') == NULL) {
        r->collection = "user";
        snprintf(r->single, sizeof r->single, "%s", rest + 7);
    } else if (strncmp(rest, "/orgs/", 6) == 0 && strchr(rest + 6, '/') == NULL) {
        r->orgs = 1;
        r->collection = "org";
        snprintf(r->single, sizeof r->single, "%s", rest + 6);
    } else {
        return -1;
    }
    return 0;
}

static enum MHD_Result single_object(sim_server *s, struct MHD_Connection *c, const route *r)
{
    sim_out o = {0};
    enum MHD_Result ret;
    uint32_t i, n;
    char id[64];
    int found = 0;
    pthread_mutex_lock(&s->mu);
    n = r->orgs ? sim_n_orgs(&s->d) : s->d.n_users;
    for (i = 0; i < n && !found; i++) {
        if (r->orgs)
            sim_org_field(&s->d, i, "sourcedId", id, sizeof id);
        else
            snprintf(id, sizeof id, "u%07u", i);
        if (strcmp(id, r->single) == 0 && (r->orgs || !(s->d.flags[i] & SIM_REMOVED))) {
            found = 1;
            sim_out_addf(&o, "{\"%s\":", r->collection);
            if (r->orgs)
                sim_org_json(&s->d, i, NULL, &o);
            else
                sim_user_json(&s->d, i, NULL, &o);
            sim_out_add(&o, "}", 1);
        }
    }
    pthread_mutex_unlock(&s->mu);
    if (!found)
        return send_imsx(s, c, 404, "unknownobject", "No such object", NULL, NULL);
    ret = send_json(c, 200, o.data);
    free(o.data);
    return ret;
}

enum MHD_Result sim_fault_response(sim_server *s, struct MHD_Connection *c, const sim_fault *f)
{
    char ra[16];
    if (strcmp(f->kind, "429") == 0) {
        snprintf(ra, sizeof ra, "%d", f->retry_after);
        return send_imsx(s, c, 429, "server_busy", "Too many requests",
                         f->retry_after >= 0 ? "Retry-After" : NULL, ra);
    }
    if (strcmp(f->kind, "500") == 0 || strcmp(f->kind, "502") == 0 || strcmp(f->kind, "503") == 0)
        return send_imsx(s, c, (unsigned)atoi(f->kind), "server_busy", "Internal error", NULL, NULL);
    if (strcmp(f->kind, "html") == 0)
        return send_text(c, 200, "text/html", "<html><body><h1>Service temporarily unavailable"
                         "</h1></body></html>", NULL, NULL);
    if (strcmp(f->kind, "empty") == 0)
        return send_text(c, 200, "application/json", "", NULL, NULL);
    if (strcmp(f->kind, "401") == 0)
        return send_imsx(s, c, 401, "unauthorisedrequest", "Unauthorized", NULL, NULL);
    if (strcmp(f->kind, "403") == 0)
        return send_imsx(s, c, 403, "forbidden", "Insufficient permissions", NULL, NULL);
    if (strcmp(f->kind, "rotate") == 0) {
        pthread_mutex_lock(&s->mu);
        memset(s->tokens, 0, sizeof s->tokens);
        pthread_mutex_unlock(&s->mu);
        return send_imsx(s, c, 401, "unauthorisedrequest", "Token expired", NULL, NULL);
    }
    return MHD_NO;  /* not a whole-response fault */
}

static enum MHD_Result roster(sim_server *s, struct MHD_Connection *c, const char *method,
                              const char *url, const char *rest)
{
    arg_list args = {0};
    route r;
    filter f;
    sim_fault fault;
    int has_fault, rc;
    char why[128], bad[128], key[512], num[32], pkey[1024];
    uint64_t gen_at;
    const char *limit_s, *offset_s, *fields, *sort;
    long limit, offset;
    sim_match *m;
    gen *g;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    long long total;

    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &args);
    if (check_roster_auth(s, c, method, url, &args, why, sizeof why) != 0) {
        pthread_mutex_lock(&s->mu);
        s->auth_failures++;
        pthread_mutex_unlock(&s->mu);
        return send_imsx(s, c, 401, "unauthorisedrequest", why, NULL, NULL);
    }
    if (parse_route(rest, &r) != 0)
        return send_imsx(s, c, 404, "unknownobject", "No such endpoint", NULL, NULL);
    has_fault = sim_take_fault(s, rest, &fault);
    if (has_fault) {
        if (s->latency_ms)
            sleep_ms(s->latency_ms);
        if (strcmp(fault.kind, "slow") == 0)
            sleep_ms((long)fault.arg);
        else if ((ret = sim_fault_response(s, c, &fault)) != MHD_NO)
            return ret;
    }
    if (r.single[0] != '\0')
        return single_object(s, c, &r);

    fields = arg(&args, "fields");
    sort = arg(&args, "sort");
    if (sort != NULL && strcmp(sort, "sourcedId") != 0)
        return send_imsx(s, c, 400, "invalid_sort_field", "Sorting is supported on sourcedId only",
                         NULL, NULL);
    if (!valid_fields(fields, r.orgs, bad, sizeof bad))
        return send_imsx(s, c, 400, "invalid_selection_field", bad, NULL, NULL);
    rc = parse_filter(arg(&args, "filter"), &f, r.orgs, bad, sizeof bad);
    if (rc == -1)
        return send_imsx(s, c, 400, "invaliddata", "Malformed filter", NULL, NULL);
    if (rc == -2)
        return send_imsx(s, c, 400, "invalid_filter_field", bad, NULL, NULL);
    limit_s = arg(&args, "limit");
    offset_s = arg(&args, "offset");
    limit = limit_s ? atol(limit_s) : 100;
    offset = offset_s ? atol(offset_s) : 0;
    if (limit <= 0 || offset < 0)
        return send_imsx(s, c, 400, "invaliddata", "Bad limit or offset", NULL, NULL);
    if (limit > s->page_max)
        limit = s->page_max;
    if (has_fault && strcmp(fault.kind, "dup") == 0)
        offset = offset > fault.arg ? offset - (long)fault.arg : 0;

    g = calloc(1, sizeof *g);
    g->s = s;
    g->orgs = r.orgs;
    snprintf(g->collection, sizeof g->collection, "%s", r.collection);
    g->fields = fields ? strdup(fields) : NULL;
    g->reset_after = g->truncate_after = -1;
    g->started_ms = now_ms();
    snprintf(key, sizeof key, "%s|%s|%s", rest, r.role ? r.role : "", arg(&args, "filter") ? arg(&args, "filter") : "");
    pthread_mutex_lock(&s->mu);
    m = match_list(s, key, &f, r.role, r.orgs);
    gen_at = s->d.generation;
    total = m->n;
    if ((uint64_t)offset < m->n) {
        g->n = (uint32_t)((uint64_t)(m->n - (uint32_t)offset) < (uint64_t)limit ? m->n - (uint32_t)offset : (uint32_t)limit);
        g->idx = malloc((g->n + 1) * sizeof *g->idx);
        memcpy(g->idx, m->idx + offset, g->n * sizeof *g->idx);
    }
    if (has_fault && strcmp(fault.kind, "rev") == 0)
        snprintf(s->perm_rev, sizeof s->perm_rev, "rev-%llu", (unsigned long long)now_ms());
    pthread_mutex_unlock(&s->mu);
    if (has_fault && strcmp(fault.kind, "reset") == 0)
        g->reset_after = fault.arg > 0 ? fault.arg : 200;
    if (has_fault && strcmp(fault.kind, "badrecords") == 0)
        g->bad_records = 1;
    if (has_fault && strcmp(fault.kind, "bigname") == 0)
        g->big_name = 1;
    if (has_fault && strcmp(fault.kind, "endless") == 0)
        g->endless = 1;
    if (has_fault && strcmp(fault.kind, "truncate") == 0)
        g->truncate_after = fault.arg > 0 ? fault.arg : 200;
    {
        const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
        g->gzip = s->gzip && ae != NULL && strstr(ae, "gzip") != NULL;
    }
    /* A page no fault or delay touches is the same bytes every time until
     * the district changes: rendered once, then served from memory. */
    snprintf(pkey, sizeof pkey, "%s|%s|%ld|%ld|%d", key, fields ? fields : "", offset, limit, g->gzip);
    if (has_fault || s->per_record_us > 0 || s->pages.budget == 0 ||
        g->n > PAGE_CACHE_MAX_RECORDS || attach_page(s, g, pkey, gen_at) != 0) {
        if (g->gzip)
            deflateInit2(&g->z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  /* level 1, as nginx by default */
    }
    if (s->latency_ms && !has_fault)
        sleep_ms(s->latency_ms);
    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, g->page ? 256 * 1024 : 32 * 1024, gen_read, g,
                                              gen_free);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    if (g->gzip)
        MHD_add_response_header(resp, "Content-Encoding", "gzip");
    if (has_fault && strcmp(fault.kind, "lie_total") == 0)
        total += fault.arg;
    snprintf(num, sizeof num, "%lld", total);
    MHD_add_response_header(resp, "X-Total-Count", num);
    pthread_mutex_lock(&s->mu);
    MHD_add_response_header(resp, "x-perm-rev", s->perm_rev);
    pthread_mutex_unlock(&s->mu);
    if (s->send_link && offset + limit < (long)m->n) {
        char link[1200];
        const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
        snprintf(link, sizeof link, "<http://%s%s?limit=%ld&offset=%ld>; rel=\"next\"", host ? host : "",
                 url, limit, offset + limit);
        MHD_add_response_header(resp, "Link", link);
    }
    ret = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- OAuth 2.0 client credentials ------------------------------------- */

static enum MHD_Result token_endpoint(sim_server *s, struct MHD_Connection *c, const req_ctx *rc)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    char expect_plain[300], *e_id, *e_sec, expect_b64[512], body[256], tok[48];
    unsigned char rnd[8];
    int i;

    e_id = sim_pct_encode(s->client_id);
    e_sec = sim_pct_encode(s->client_secret);
    snprintf(expect_plain, sizeof expect_plain, "%s:%s", e_id, e_sec);
    free(e_id);
    free(e_sec);
    EVP_EncodeBlock((unsigned char *)expect_b64, (unsigned char *)expect_plain, (int)strlen(expect_plain));
    if (auth == NULL || strncmp(auth, "Basic ", 6) != 0 || strcmp(auth + 6, expect_b64) != 0)
        return send_json(c, 401, "{\"error\":\"invalid_client\"}");
    if (rc->body == NULL || strstr(rc->body, "grant_type=client_credentials") == NULL)
        return send_json(c, 400, "{\"error\":\"unsupported_grant_type\"}");
    RAND_bytes(rnd, sizeof rnd);
    pthread_mutex_lock(&s->mu);
    snprintf(tok, sizeof tok, "at-%llu-", (unsigned long long)++s->token_counter);
    for (i = 0; i < 8; i++)
        snprintf(tok + strlen(tok), 3, "%02x", rnd[i]);
    snprintf(s->tokens[s->token_pos], sizeof s->tokens[0], "%s", tok);
    s->token_pos = (s->token_pos + 1) % SIM_TOKENS;
    pthread_mutex_unlock(&s->mu);
    snprintf(body, sizeof body, "{\"access_token\":\"%s\",\"token_type\":\"Bearer\",\"expires_in\":3600}", tok);
    return send_json(c, 200, body);
}

/* ---- control API --------------------------------------------------------- */

static long long num_arg(const arg_list *a, const char *k, long long dflt)
{
    const char *v = arg(a, k);
    return v ? atoll(v) : dflt;
}

static enum MHD_Result control(sim_server *s, struct MHD_Connection *c, const char *what)
{
    arg_list a = {0};
    char body[1024];
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
    if (strcmp(what, "mutate") == 0) {
        static const char *const kinds[] = {"change", "tobedeleted", "disable", "remove", "add", "restore",
                                            "longid", "norole", "longrun"};
        size_t k;
        int len = snprintf(body, sizeof body, "{");
        pthread_mutex_lock(&s->mu);
        for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            long long n = num_arg(&a, kinds[k], 0);
            if (n > 0)
                len += snprintf(body + len, sizeof body - (size_t)len, "%s\"%s\":%u", len > 1 ? "," : "",
                                kinds[k], sim_mutate(&s->d, kinds[k], (uint32_t)n, now_ms()));
        }
        pthread_mutex_unlock(&s->mu);
        snprintf(body + len, sizeof body - (size_t)len, "}");
        return send_json(c, 200, body);
    }
    if (strcmp(what, "fault") == 0) {
        sim_fault f;
        memset(&f, 0, sizeof f);
        snprintf(f.kind, sizeof f.kind, "%s", arg(&a, "kind") ? arg(&a, "kind") : "");
        snprintf(f.path, sizeof f.path, "%s", arg(&a, "path") ? arg(&a, "path") : "/");
        f.skip = (int)num_arg(&a, "skip", 0);
        f.count = (int)num_arg(&a, "count", 1);
        f.retry_after = (int)num_arg(&a, "retry_after", -1);
        f.arg = num_arg(&a, "arg", 0);
        pthread_mutex_lock(&s->mu);
        if (s->n_faults < SIM_MAX_FAULTS)
            s->faults[s->n_faults++] = f;
        pthread_mutex_unlock(&s->mu);
        return send_json(c, 200, "{\"ok\":true}");
    }
    if (strcmp(what, "reset") == 0) {
        pthread_mutex_lock(&s->mu);
        s->n_faults = 0;
        s->clock_offset_s = num_arg(&a, "clock_offset", 0);
        s->send_link = (int)num_arg(&a, "link", s->send_link);
        s->d.oneroster12 = (int)num_arg(&a, "oneroster12", s->d.oneroster12);
        s->d.n_schools = (uint32_t)num_arg(&a, "schools", s->d.n_schools);
        if (arg(&a, "login_role") != NULL)
            snprintf(s->login_role, sizeof s->login_role, "%s", arg(&a, "login_role"));
        s->login_deny = (int)num_arg(&a, "login_deny", 0);
        snprintf(s->tenant_id, sizeof s->tenant_id, "%s",
                 arg(&a, "tenant_id") != NULL ? arg(&a, "tenant_id") : "");
        s->app_installed = (int)num_arg(&a, "app_installed", 1);
        s->server_creds = (int)num_arg(&a, "server_creds", 1);
        if (arg(&a, "endpoint_url") != NULL)
            snprintf(s->endpoint_url, sizeof s->endpoint_url, "%s", arg(&a, "endpoint_url"));
        s->d.generation++;
        pthread_mutex_unlock(&s->mu);
        return send_json(c, 200, "{\"ok\":true}");
    }
    if (strcmp(what, "stats") == 0 || strcmp(what, "truth") == 0) {
        uint32_t i, active = 0, tbd = 0, disabled = 0, removed = 0, present = 0;
        pthread_mutex_lock(&s->mu);
        for (i = 0; i < s->d.n_users; i++) {
            uint8_t fl = s->d.flags[i];
            if (fl & SIM_REMOVED) {
                removed++;
                continue;
            }
            present++;
            if (fl & SIM_TOBEDELETED)
                tbd++;
            else if (fl & SIM_DISABLED)
                disabled++;
            else
                active++;
        }
        snprintf(body, sizeof body,
                 "{\"requests\":%llu,\"roster_requests\":%llu,\"auth_failures\":%llu,"
                 "\"faults_fired\":%llu,\"bytes\":%llu,\"max_in_flight\":%d,\"users\":%u,"
                 "\"active\":%u,\"tobedeleted\":%u,\"disabled\":%u,\"removed\":%u,\"ever\":%u}",
                 (unsigned long long)s->requests, (unsigned long long)s->roster_requests,
                 (unsigned long long)s->auth_failures, (unsigned long long)s->faults_fired,
                 (unsigned long long)s->bytes_sent, s->max_in_flight, present, active, tbd,
                 disabled, removed, s->d.n_users);
        pthread_mutex_unlock(&s->mu);
        return send_json(c, 200, body);
    }
    return send_json(c, 404, "{\"error\":\"unknown control\"}");
}

/* ---- dispatch ------------------------------------------------------------ */

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    sim_server *s = cls;
    req_ctx *rc = *con_cls;
    (void)version;

    if (rc == NULL) {
        rc = calloc(1, sizeof *rc);
        *con_cls = rc;
        pthread_mutex_lock(&s->mu);
        s->requests++;
        if (++s->in_flight > s->max_in_flight)
            s->max_in_flight = s->in_flight;
        pthread_mutex_unlock(&s->mu);
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (rc->len + *upload_size < 1024 * 1024) {
            rc->body = realloc(rc->body, rc->len + *upload_size + 1);
            memcpy(rc->body + rc->len, upload, *upload_size);
            rc->len += *upload_size;
            rc->body[rc->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (strncmp(url, "/_sim/", 6) == 0)
        return control(s, c, url + 6);
    if (strcmp(url, "/oauth2/token") == 0 && strcmp(method, "POST") == 0)
        return token_endpoint(s, c, rc);
    if (strncmp(url, ROSTER_PREFIX, strlen(ROSTER_PREFIX)) == 0 && strcmp(method, "GET") == 0) {
        pthread_mutex_lock(&s->mu);
        s->roster_requests++;
        pthread_mutex_unlock(&s->mu);
        return roster(s, c, method, url, url + strlen(ROSTER_PREFIX));
    }
    {
        /* The proxy: /{applicationId}/ims/oneroster/v1p1/... with a bearer. */
        const char *root = strstr(url, ROSTER_PREFIX);
        enum MHD_Result ret = sim_login_routes(s, c, url, method, rc->body);
        if (ret != MHD_NO)
            return ret;
        if (root != NULL && strcmp(method, "GET") == 0)
            return roster(s, c, method, url, root + strlen(ROSTER_PREFIX));
    }
    return send_imsx(s, c, 404, "unknownobject", "No such endpoint", NULL, NULL);
}

enum MHD_Result sim_roster(sim_server *s, struct MHD_Connection *c, const char *method,
                           const char *url, const char *rest)
{
    return roster(s, c, method, url, rest);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    sim_server *s = cls;
    req_ctx *rc = *con_cls;
    (void)c; (void)toe;
    if (rc == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    s->in_flight--;
    pthread_mutex_unlock(&s->mu);
    free(rc->body);
    free(rc);
    *con_cls = NULL;
}

struct MHD_Daemon *sim_server_start(sim_server *s, unsigned short port, unsigned short *bound,
                                    const char *cert_pem, const char *key_pem)
{
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     0;
    struct sockaddr_in sa;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (cert_pem != NULL)
        flags |= MHD_USE_TLS;
    s->tls = cert_pem != NULL;
    if (cert_pem != NULL)
        d = MHD_start_daemon(flags, port, NULL, NULL, handle, s, MHD_OPTION_NOTIFY_COMPLETED,
                             completed, s, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_HTTPS_MEM_CERT,
                             cert_pem, MHD_OPTION_HTTPS_MEM_KEY, key_pem, MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags, port, NULL, NULL, handle, s, MHD_OPTION_NOTIFY_COMPLETED,
                             completed, s, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
    if (d == NULL)
        return NULL;
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *bound = info ? info->port : port;
    return d;
}
