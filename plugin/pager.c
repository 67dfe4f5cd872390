/*
 * pager.c - see pager.h.
 *
 * Pages are requested by offset, sorted by sourcedId, up to `concurrency` at
 * a time.  Consistency is checked without remembering the records: inside a
 * page the ids must rise strictly, and the last id of page k must sort
 * before the first id of page k+1.  A record duplicated or moved across
 * pages breaks that chain, and so does a server that ignores the sort.
 * Only a small window of page summaries is kept (pages ahead of the oldest
 * unfinished one are not started), so memory is flat in the district size.
 *
 * A page that fails after delivering some records is retried; the records
 * it already delivered are skipped on the retry (the sorted order makes
 * them come first again), and checked to be the same ones.  Whether and
 * when a page is retried is the client's one policy (retry.h): each page
 * is one request with its own attempts and time budget, and a body that
 * cannot be read counts as an error like a 5xx.  A read that fails or is
 * cancelled stops there and is never judged against the server's counts:
 * only a read that ran to its end can say the server sent too few.
 *
 * With q->encode (users), the bodies are parsed on a second thread
 * (page_parser.h) and a finished transfer waits for that thread's verdict
 * (P_PARSING) before it is judged; the records come back in batches and go
 * through the same checks, and to the host, here on the calling thread.
 *
 * OneRoster sets no length limit on a sourcedId, but the chain must stay
 * flat in memory, so an id is kept as its first ID_HEAD-1 bytes plus the
 * whole id's length and hash (id_key).  Ids that differ inside the head
 * are ordered exactly; two long ids with the same head are still told
 * equal (a duplicate) or different, but their order cannot be judged, and
 * such a pair is let through rather than called out of order.
 */
#include "pager.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl_error.h"
#include "page_parser.h"
#include "url.h"

#define ID_HEAD 256
#define ERROR_BODY_MAX (64 * 1024)
#define MAX_SLOTS 32
/* With a parse thread: bodies cross in chunks of about this size (a few
 * hundred records); the loop stops reading while more than BACKLOG_MAX
 * bytes wait to be parsed, and a transfer that outruns it inside one
 * curl_multi_perform pauses past PAUSE_MAX (pausing costs curl a copy, so
 * it is the rarer of the two). */
#define CHUNK_BYTES (128 * 1024)
#define BACKLOG_MAX (1u << 20)
#define PAUSE_MAX (2u << 20)

/* A sourcedId as the consistency checks keep it (see the opening comment). */
typedef struct id_key {
    char head[ID_HEAD];          /* the first ID_HEAD-1 bytes, NUL-terminated */
    size_t len;                  /* the whole id's length; 0: no id */
    uint64_t hash;               /* FNV-1a of the whole id */
} id_key;

/* id_cmp's answer for two different ids whose order the heads cannot tell. */
#define ID_UNORDERED 2

/* P_PARSING: the body arrived whole; the parse thread's verdict is due. */
enum page_state { P_IDLE, P_WAITING, P_RUNNING, P_PARSING };

struct pager;

typedef struct page {
    struct pager *pg;
    enum page_state state;
    long long index;             /* offset / limit */
    cl_retry retry;              /* this page's attempts, over its whole life */
    cl_watch watch;
    long long due_ms;
    CURL *easy;
    struct curl_slist *headers;
    char *url;
    cl_collection_parser *parser;
    cl_http_response resp;
    cl_buf errbody;
    char curl_msg[CURL_ERROR_SIZE];
    uint64_t delivered;          /* positions handed on, over all attempts */
    uint64_t seen;               /* positions seen in this attempt */
    id_key first_id;
    id_key last_id;
    int auth_refreshed;
    int started;                 /* retry and watch are set up */
    /* with a parse thread */
    unsigned gen;                /* this attempt's tag in the parse thread */
    cl_buf chunk;                /* body bytes not handed over yet */
    int parse_failed;            /* the parse thread judged this attempt bad */
    int paused;                  /* held back until the parse thread catches up */
    char parse_error[256];
} page;

/* What the consistency chain remembers of a finished page. */
typedef struct page_summary {
    int done;
    uint64_t items;
    id_key first_id;
    id_key last_id;
} page_summary;

typedef struct pager {
    cl_client *c;
    const cl_page_query *q;
    const cl_collection_handlers *h;
    page slots[MAX_SLOTS];
    int n_slots;
    page_summary *ring;          /* n_ring summaries, by page index % n_ring */
    int n_ring;
    long long next_index;        /* next page to start */
    long long stop_index;        /* first page index not to start */
    long long frontier;          /* oldest page not yet chained */
    id_key chain_last_id;        /* last id of the chained pages */
    int first_done;              /* the first page answered (total known) */
    long long total;
    char perm_rev[128];
    int uses_link;
    uint64_t records, invalid;
    int incomplete;
    char reason[256];
    int fatal;
    sis_error *err;
    int sampled_enough;
    cl_page_parser *pp;          /* the parse thread, when q->encode is set */
    unsigned gens;               /* attempts started, to tag them */
} pager;

static void mark_incomplete(pager *pg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void mark_incomplete(pager *pg, const char *fmt, ...)
{
    va_list ap;
    if (pg->incomplete)
        return;  /* the first reason is the one that explains the rest */
    pg->incomplete = 1;
    va_start(ap, fmt);
    vsnprintf(pg->reason, sizeof pg->reason, fmt, ap);
    va_end(ap);
    if (pg->c->log != NULL)
        pg->c->log(pg->c->log_ctx, SIS_LOG_WARN, pg->reason);
}

/* ---- one page's records ------------------------------------------------ */

/* Keeps the head, length and hash of the id s[0..len) (per record: no printf). */
static void id_key_set(id_key *k, const char *s, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    size_t i, keep = len < ID_HEAD - 1 ? len : ID_HEAD - 1;
    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    memcpy(k->head, s, keep);
    k->head[keep] = '\0';
    k->len = len;
    k->hash = h;
}

/* -1, 0 or 1 as the whole ids compare bytewise (0: the same id), or
 * ID_UNORDERED for two different long ids that share their head. */
static int id_cmp(const id_key *a, const id_key *b)
{
    size_t keep = ID_HEAD - 1;
    size_t ha = a->len < keep ? a->len : keep, hb = b->len < keep ? b->len : keep;
    int c = memcmp(a->head, b->head, ha < hb ? ha : hb);
    if (c != 0)
        return c < 0 ? -1 : 1;
    if (a->len == b->len && a->hash == b->hash)
        return 0;
    /* One id ends inside the other's head: it is a prefix, so it sorts first. */
    if (a->len <= keep || b->len <= keep)
        return a->len < b->len ? -1 : 1;
    return ID_UNORDERED;
}

static void record_id(json_object *item, id_key *id)
{
    json_object *v;
    if (json_object_object_get_ex(item, "sourcedId", &v) && json_object_is_type(v, json_type_string))
        id_key_set(id, json_object_get_string(v), (size_t)json_object_get_string_len(v));
    else
        id_key_set(id, "", 0);
}

/* Returns 1 when this position was delivered by an earlier attempt. */
static int replayed(page *p, const id_key *id)
{
    p->seen++;
    if (p->seen > p->delivered)
        return 0;
    if (p->seen == p->delivered && id != NULL && id_cmp(id, &p->last_id) != 0)
        mark_incomplete(p->pg, "a retried page came back with different records (the data "
                               "changed while it was read)");
    return 1;
}

/* The checks every item passes, on the calling thread; 1 when the item
 * goes on to the host. */
static int accept_item(page *p, const id_key *id)
{
    pager *pg = p->pg;

    if (replayed(p, id))
        return 0;
    if (id->len != 0) {
        /* ID_UNORDERED is not <= 0: a pair the heads cannot order passes. */
        if (p->last_id.len != 0 && id_cmp(id, &p->last_id) <= 0)
            mark_incomplete(pg, "records arrived out of sourcedId order or twice within a page "
                                "(the server ignored the sort, or sent duplicates)");
        if (p->first_id.len == 0)
            p->first_id = *id;
        p->last_id = *id;
    }
    p->delivered++;
    if (pg->q->max_records != 0 && pg->records >= pg->q->max_records)
        return 0;  /* sampling: enough; the rest of the page is read and dropped */
    pg->records++;
    return 1;
}

static int page_item(void *ctx, json_object *item)
{
    page *p = ctx;
    id_key id;

    record_id(item, &id);
    return accept_item(p, &id) ? p->pg->h->item(p->pg->h->ctx, item) : 0;
}

static int page_invalid(void *ctx, const char *reason)
{
    page *p = ctx;
    if (replayed(p, NULL))
        return 0;
    p->delivered++;
    p->pg->invalid++;
    return p->pg->h->invalid != NULL ? p->pg->h->invalid(p->pg->h->ctx, reason) : 0;
}

static size_t page_write(char *data, size_t size, size_t n, void *userdata)
{
    page *p = userdata;
    size_t len = size * n;
    long status = 0;

    curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
    if (p->pg->pp != NULL && status >= 200 && status < 300 && !p->parse_failed &&
        cl_page_parser_backlog(p->pg->pp) > PAUSE_MAX) {
        /* The body outruns the parse thread: curl keeps these bytes and
         * hands them again once resume() lets the transfer go on. */
        p->paused = 1;
        return CURL_WRITEFUNC_PAUSE;
    }
    p->resp.bytes += len;
    if (status < 200 || status >= 300) {
        cl_buf_add(&p->errbody, data, len);  /* capped: the rest is dropped */
        return len;
    }
    if (p->pg->pp != NULL) {
        /* Handed over in chunks; a body already judged bad is cut short. */
        if (p->parse_failed)
            return 0;
        /* One allocation of a chunk and a bit (a body arrives 16 KiB at a
         * time), not a doubling chain to twice the chunk. */
        if ((p->chunk.data == NULL && cl_buf_reserve(&p->chunk, CHUNK_BYTES + 64 * 1024) != 0) ||
            cl_buf_add(&p->chunk, data, len) != 0) {
            p->parse_failed = 1;
            snprintf(p->parse_error, sizeof p->parse_error, "out of memory while reading records");
            return 0;
        }
        if (p->chunk.len >= CHUNK_BYTES &&
            cl_page_parser_data(p->pg->pp, (int)(p - p->pg->slots), p->gen, &p->chunk) != 0) {
            p->parse_failed = 1;
            snprintf(p->parse_error, sizeof p->parse_error, "out of memory while reading records");
            return 0;
        }
        return len;
    }
    return cl_collection_parser_feed(p->parser, data, len) == 0 ? len : 0;
}

/* ---- starting and finishing requests ----------------------------------- */

static char *page_url(const pager *pg, long long index)
{
    const cl_page_query *q = pg->q;
    cl_buf b;
    char *f;
    int ok;

    cl_buf_init(&b, 0);
    ok = cl_buf_addf(&b, "%s%climit=%ld&offset=%lld&sort=sourcedId&orderBy=asc", q->url,
                     strchr(q->url, '?') ? '&' : '?', q->limit, index * q->limit) == 0;
    if (ok && q->filter != NULL) {
        f = cl_url_encode(q->filter);
        ok = f != NULL && cl_buf_addf(&b, "&filter=%s", f) == 0;
        free(f);
    }
    if (ok && q->fields != NULL) {
        f = cl_url_encode(q->fields);
        ok = f != NULL && cl_buf_addf(&b, "&fields=%s", f) == 0;
        free(f);
    }
    if (!ok) {
        cl_buf_free(&b);
        return NULL;
    }
    return cl_buf_take(&b);
}

static void page_release(page *p, CURLM *multi)
{
    if (p->easy != NULL) {
        curl_multi_remove_handle(multi, p->easy);
        curl_easy_cleanup(p->easy);
        p->easy = NULL;
    }
    if (p->headers != NULL) {
        curl_slist_free_all(p->headers);
        p->headers = NULL;
    }
    cl_collection_parser_free(p->parser);
    p->parser = NULL;
    cl_buf_free(&p->errbody);
    cl_buf_free(&p->chunk);
}

static int page_start(pager *pg, page *p, CURLM *multi)
{
    cl_collection_handlers h = {p, page_item, page_invalid};

    if (p->url == NULL && (p->url = page_url(pg, p->index)) == NULL)
        return cl_fail(pg->err, SIS_ERR_NOMEM, "out of memory");
    if (!p->started) {
        p->started = 1;
        cl_retry_start(&p->retry, cl_now_ms());
        cl_watch_init(&p->watch, pg->c, "the Roster Server", p->url, &p->resp, p->retry.started_ms);
    }
    p->headers = pg->c->auth.headers(pg->c->auth.ctx, pg->c, "GET", p->url, pg->err);
    if (p->headers == NULL)
        return pg->err->code;
    if (pg->pp != NULL) {
        p->gen = ++pg->gens;
        p->parse_failed = 0;
        p->paused = 0;
        p->parse_error[0] = '\0';
        cl_buf_init(&p->chunk, 0);
        if (cl_page_parser_begin(pg->pp, (int)(p - pg->slots), p->gen) != 0)
            return cl_fail(pg->err, SIS_ERR_NOMEM, "out of memory");
    } else {
        p->parser = cl_collection_parser_new(pg->q->collection, pg->q->max_record_bytes, &h);
    }
    p->easy = curl_easy_init();
    if ((pg->pp == NULL && p->parser == NULL) || p->easy == NULL)
        return cl_fail(pg->err, SIS_ERR_NOMEM, "out of memory");
    cl_buf_init(&p->errbody, ERROR_BODY_MAX);
    cl_http_response_reset(&p->resp);
    p->seen = 0;
    cl_client_setup(pg->c, p->easy, &p->watch, p->curl_msg);
    curl_easy_setopt(p->easy, CURLOPT_URL, p->url);
    curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, p->headers);
    curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, page_write);
    curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, p);
    curl_easy_setopt(p->easy, CURLOPT_PRIVATE, p);
    if (curl_multi_add_handle(multi, p->easy) != CURLM_OK)
        return cl_fail(pg->err, SIS_ERR_GENERIC, "cannot start an HTTP request");
    p->state = P_RUNNING;
    cl_retry_attempt(&p->retry, cl_now_ms());
    pg->c->requests++;
    return SIS_OK;
}

static page_summary *summary(pager *pg, long long index)
{
    return &pg->ring[index % pg->n_ring];
}

/* Chains finished pages in order, checking each against the one before. */
static void advance_frontier(pager *pg)
{
    page_summary *s;
    while ((s = summary(pg, pg->frontier))->done) {
        if (s->items > 0) {
            if (pg->chain_last_id.len != 0 && s->first_id.len != 0 &&
                id_cmp(&s->first_id, &pg->chain_last_id) <= 0)
                mark_incomplete(pg, "the same records appeared on two pages, or records moved "
                                    "between pages while they were read");
            if (s->last_id.len != 0)
                pg->chain_last_id = s->last_id;
        }
        memset(s, 0, sizeof *s);
        pg->frontier++;
    }
}

/* A page answered 2xx with a complete document: judge what it says. */
static void page_succeeded(pager *pg, page *p, uint64_t items)
{
    long long offset = p->index * pg->q->limit;
    page_summary *s = summary(pg, p->index);

    if (!pg->first_done) {
        pg->first_done = 1;
        pg->total = p->resp.total_count >= 0 ? p->resp.total_count : -1;
        if (p->resp.total_count == -2)
            mark_incomplete(pg, "the server sent an invalid X-Total-Count");
        snprintf(pg->perm_rev, sizeof pg->perm_rev, "%s", p->resp.perm_rev);
        if (pg->total >= 0)
            pg->stop_index = pg->total > pg->q->limit ? (pg->total + pg->q->limit - 1) / pg->q->limit : 1;
    } else {
        if (p->resp.total_count != pg->total && !(p->resp.total_count == -1 && pg->total == -1))
            mark_incomplete(pg, "the record count changed from %lld to %lld while reading "
                                "(data changed mid-pull)", pg->total, p->resp.total_count);
        if (strcmp(p->resp.perm_rev, pg->perm_rev) != 0)
            mark_incomplete(pg, "the server's data revision changed while reading (x-perm-rev)");
    }
    if (p->resp.link_next[0] != '\0')
        pg->uses_link = 1;
    if (p->resp.page_count >= 0 && (uint64_t)p->resp.page_count != items)
        mark_incomplete(pg, "a page announced %lld records but held %llu", p->resp.page_count,
                        (unsigned long long)items);
    if (items < (uint64_t)pg->q->limit || (pg->uses_link && p->resp.link_next[0] == '\0')) {
        /* The end.  Pages after it must be empty. */
        if (p->index + 1 < pg->stop_index)
            pg->stop_index = p->index + 1;
        if (pg->total >= 0 && offset + (long long)items < pg->total && pg->q->max_records == 0)
            mark_incomplete(pg, "the server promised %lld records but the page at offset %lld "
                                "ended the list at %lld", pg->total, offset,
                            offset + (long long)items);
    } else if (p->index + 1 >= pg->stop_index && !pg->sampled_enough) {
        pg->stop_index = p->index + 2;  /* full last page: make sure nothing follows */
    }
    if (p->index >= pg->stop_index && items > 0)
        mark_incomplete(pg, "records continued past the end of the list");
    s->done = 1;
    s->items = items;
    s->first_id = p->first_id;
    s->last_id = p->last_id;
    advance_frontier(pg);
    if (pg->c->progress != NULL)
        pg->c->progress(pg->c->progress_ctx, pg->q->phase, pg->records + pg->invalid,
                        pg->total > 0 ? (uint64_t)pg->total : 0);
}

static void page_failed(pager *pg, page *p, CURLcode cc, long status, const char *parse_error,
                        CURLM *multi);

static void page_done(pager *pg, page *p, uint64_t items, CURLM *multi)
{
    page_succeeded(pg, p, items);
    page_release(p, multi);
    free(p->url);
    p->url = NULL;
    p->state = P_IDLE;
}

/* With a parse thread: a transfer ended.  A whole 2xx body waits for the
 * parse thread's verdict (P_PARSING); anything else fails the attempt. */
static void page_transferred(pager *pg, page *p, CURLcode cc, CURLM *multi)
{
    int slot = (int)(p - pg->slots);
    long status = p->resp.status;

    if (cc == CURLE_OK && status >= 200 && status < 300 && !p->parse_failed) {
        if (cl_page_parser_data(pg->pp, slot, p->gen, &p->chunk) != 0 ||
            cl_page_parser_end(pg->pp, slot, p->gen) != 0) {
            cl_fail(pg->err, SIS_ERR_NOMEM, "out of memory");
            pg->fatal = SIS_ERR_NOMEM;
            page_release(p, multi);
            return;
        }
        page_release(p, multi);  /* the connection goes back to the pool */
        p->state = P_PARSING;
        return;
    }
    if (cl_page_parser_abort(pg->pp, slot, p->gen) != 0) {
        cl_fail(pg->err, SIS_ERR_NOMEM, "out of memory");
        pg->fatal = SIS_ERR_NOMEM;
        page_release(p, multi);
        return;
    }
    page_failed(pg, p, cc, status, p->parse_failed ? p->parse_error : "", multi);
}

/* Decides what a finished transfer means: done, retry later, or fatal. */
static void page_finished(pager *pg, page *p, CURLcode cc, CURLM *multi)
{
    long status;
    int parse_ok = 0;
    char parse_error[256] = "";

    cl_client_attempt_done(pg->c, p->easy, &p->resp);
    status = p->resp.status;
    if (pg->pp != NULL) {
        page_transferred(pg, p, cc, multi);
        return;
    }
    if (cc == CURLE_OK && status >= 200 && status < 300) {
        parse_ok = cl_collection_parser_finish(p->parser) == 0;
        if (!parse_ok)
            snprintf(parse_error, sizeof parse_error, "%s", cl_collection_parser_error(p->parser));
    } else if (cc == CURLE_WRITE_ERROR && p->parser != NULL) {
        snprintf(parse_error, sizeof parse_error, "%s", cl_collection_parser_error(p->parser));
        if (cl_collection_parser_stopped(p->parser)) {
            cl_fail(pg->err, SIS_ERR_SINK, "the host stopped accepting records");
            pg->fatal = SIS_ERR_SINK;
            page_release(p, multi);
            return;
        }
    }
    if (parse_ok) {
        page_done(pg, p, cl_collection_parser_count(p->parser), multi);
        return;
    }
    page_failed(pg, p, cc, status, parse_error, multi);
}

/* An attempt failed: refresh the token, retry later, or give up. */
static void page_failed(pager *pg, page *p, CURLcode cc, long status, const char *parse_error,
                        CURLM *multi)
{
    cl_failure failure;

    if (cc == CURLE_OK && status == 401 && pg->c->auth.refresh != NULL && !p->auth_refreshed) {
        /* Token rotated or revoked: one fresh token, then the page again. */
        p->auth_refreshed = 1;
        if (pg->c->auth.refresh(pg->c->auth.ctx, pg->c, pg->err) != SIS_OK) {
            pg->fatal = pg->err->code;
            page_release(p, multi);
            return;
        }
        page_release(p, multi);
        p->due_ms = cl_now_ms();
        p->state = P_WAITING;
        return;
    }
    failure = parse_error[0] != '\0' ? CL_FAIL_ERROR
                                     : cl_retry_classify(cc, status, p->resp.answered);
    if (cl_client_retry(pg->c, &p->retry, failure, &p->resp, "the Roster Server")) {
        page_release(p, multi);
        p->due_ms = cl_now_ms() + p->retry.wait_ms;
        p->state = P_WAITING;
        return;
    }
    if (parse_error[0] != '\0')
        cl_fail(pg->err, SIS_ERR_PROTOCOL, "reading %s at offset %lld: %s (after %d attempts)",
                pg->q->collection, p->index * pg->q->limit, parse_error, p->retry.attempts);
    else
        cl_client_explain(pg->err, "the Roster Server", p->url, cc, p->curl_msg, &p->resp,
                          p->errbody.data, &p->retry);
    pg->fatal = pg->err->code;
    page_release(p, multi);
}

/* ---- results of the parse thread --------------------------------------- */

/* A batch of records, in arrival order, through the same checks as the
 * items parsed on this thread. */
static void deliver_batch(pager *pg, page *p, const cl_pp_result *r)
{
    size_t pos = 0;
    cl_pp_entry e;
    int rc;

    while (!pg->fatal && cl_pp_entry_next(r, &pos, &e) == 0) {
        if (e.invalid)
            rc = page_invalid(p, e.data);
        else {
            id_key id;   /* kept as page_item keeps them */
            id_key_set(&id, e.id, strlen(e.id));
            rc = accept_item(p, &id) ? pg->q->deliver(pg->h->ctx, e.id, e.data, e.len) : 0;
        }
        if (rc != 0) {
            cl_fail(pg->err, SIS_ERR_SINK, "the host stopped accepting records");
            pg->fatal = SIS_ERR_SINK;
        }
    }
}

static void page_verdict(pager *pg, page *p, const cl_pp_result *r, CURLM *multi)
{
    if (p->state == P_PARSING) {
        if (r->ok)
            page_done(pg, p, r->count, multi);
        else
            page_failed(pg, p, CURLE_OK, p->resp.status, r->error, multi);
        return;
    }
    /* Still downloading, and the body already went wrong: stop reading it
     * (as the parser on this thread stops the transfer). */
    p->parse_failed = 1;
    snprintf(p->parse_error, sizeof p->parse_error, "%s",
             r->ok ? "the answer ended before the JSON document was complete" : r->error);
    cl_client_attempt_done(pg->c, p->easy, &p->resp);
    page_failed(pg, p, CURLE_WRITE_ERROR, p->resp.status, p->parse_error, multi);
}

/* Takes what the parse thread finished.  With `wait`, also holds the
 * transfers back while too much waits to be parsed (memory stays flat). */
static void pump(pager *pg, CURLM *multi, int wait)
{
    cl_pp_result *list, *r;
    do {
        list = cl_page_parser_take(pg->pp, wait ? BACKLOG_MAX : 0);
        for (r = list; r != NULL && !pg->fatal; r = r->next) {
            page *p = &pg->slots[r->slot];
            if (p->gen != r->gen || (p->state != P_RUNNING && p->state != P_PARSING) ||
                p->parse_failed)
                continue;  /* an attempt already given up */
            if (r->kind == CL_PP_BATCH)
                deliver_batch(pg, p, r);
            else
                page_verdict(pg, p, r, multi);
        }
        cl_page_parser_recycle(pg->pp, list);
    } while (wait && !pg->fatal && cl_page_parser_backlog(pg->pp) > BACKLOG_MAX);
}

/* The parse thread caught up: the transfers held back go on. */
static void resume(pager *pg)
{
    int i;
    for (i = 0; i < pg->n_slots && !pg->fatal; i++) {
        page *p = &pg->slots[i];
        if (p->state == P_RUNNING && p->paused) {
            p->paused = 0;
            curl_easy_pause(p->easy, CURLPAUSE_CONT);  /* may write (and pause) at once */
        }
    }
}

static void wake_multi(void *multi)
{
    curl_multi_wakeup(multi);
}

/* ---- the loop ------------------------------------------------------------ */

static page *free_slot(pager *pg)
{
    int i;
    for (i = 0; i < pg->n_slots; i++)
        if (pg->slots[i].state == P_IDLE)
            return &pg->slots[i];
    return NULL;
}

static int running_any(const pager *pg)
{
    int i;
    for (i = 0; i < pg->n_slots; i++)
        if (pg->slots[i].state == P_RUNNING)
            return 1;
    return 0;
}

static int busy(const pager *pg)
{
    int i;
    for (i = 0; i < pg->n_slots; i++)
        if (pg->slots[i].state != P_IDLE)
            return 1;
    return 0;
}

static int schedule(pager *pg, CURLM *multi)
{
    long long t = cl_now_ms();
    page *p;
    int i, rc;

    for (i = 0; i < pg->n_slots; i++) {
        p = &pg->slots[i];
        if (p->state == P_WAITING && p->due_ms <= t && (rc = page_start(pg, p, multi)) != SIS_OK)
            return rc;
    }
    /* The first page alone tells the total; then fill the window. */
    while (pg->next_index < pg->stop_index && (pg->first_done || pg->next_index == 0) &&
           pg->next_index < pg->frontier + pg->n_ring && (p = free_slot(pg)) != NULL) {
        if (pg->q->max_records != 0 &&
            pg->next_index * pg->q->limit >= (long long)pg->q->max_records) {
            pg->sampled_enough = 1;
            pg->stop_index = pg->next_index;
            break;
        }
        memset(p, 0, sizeof *p);
        p->pg = pg;
        p->index = pg->next_index++;
        if ((rc = page_start(pg, p, multi)) != SIS_OK)
            return rc;
    }
    return SIS_OK;
}

static long long next_wake(const pager *pg)
{
    long long t = cl_now_ms(), wake = 200;
    int i;
    for (i = 0; i < pg->n_slots; i++)
        if (pg->slots[i].state == P_WAITING && pg->slots[i].due_ms - t < wake)
            wake = pg->slots[i].due_ms - t;
    return wake < 0 ? 0 : wake;
}

static void drain(pager *pg, CURLM *multi)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(multi, &left)) != NULL) {
        page *p = NULL;
        if (m->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&p);
        page_finished(pg, p, m->data.result, multi);
        if (pg->fatal)
            return;
    }
}

/* `ended` is 1 when every page was read: only then can the count of what
 * arrived be held against what the server announced. */
static void finish_verdict(pager *pg, cl_page_result *res, int ended)
{
    uint64_t positions = pg->records + pg->invalid;
    if (ended && !pg->incomplete && pg->total >= 0 && pg->q->max_records == 0 &&
        positions != (uint64_t)pg->total)
        mark_incomplete(pg, "the server said %lld records but sent %llu", pg->total,
                        (unsigned long long)positions);
    res->complete = !pg->incomplete && pg->q->max_records == 0;
    snprintf(res->reason, sizeof res->reason, "%s",
             pg->incomplete ? pg->reason : pg->q->max_records ? "sample only" : "");
    res->total = pg->total;
    res->records = pg->records;
    res->invalid = pg->invalid;
}

int cl_pager_run(cl_client *c, const cl_page_query *q, const cl_collection_handlers *h,
                 cl_page_result *res, sis_error *err)
{
    pager pg;
    CURLM *multi;
    int running = 0, rc = SIS_OK, i;

    memset(res, 0, sizeof *res);
    res->total = -1;
    rc = cl_url_check_transport(q->url, err);
    if (rc != SIS_OK)
        return rc;
    memset(&pg, 0, sizeof pg);
    pg.c = c;
    pg.q = q;
    pg.h = h;
    pg.err = err;
    pg.total = -1;
    pg.stop_index = 1LL << 40;
    pg.n_slots = q->concurrency < 1 ? 1 : q->concurrency > MAX_SLOTS ? MAX_SLOTS : q->concurrency;
    pg.n_ring = 2 * pg.n_slots + 1;
    pg.ring = calloc((size_t)pg.n_ring, sizeof *pg.ring);
    multi = curl_multi_init();
    if (pg.ring == NULL || multi == NULL) {
        free(pg.ring);
        if (multi != NULL)
            curl_multi_cleanup(multi);
        return cl_fail(err, SIS_ERR_NOMEM, "out of memory");
    }
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)pg.n_slots);
    if (q->encode != NULL && q->deliver != NULL &&
        (pg.pp = cl_page_parser_new(q->collection, q->max_record_bytes, q->encode, q->encode_ctx,
                                    wake_multi, multi)) == NULL) {
        free(pg.ring);
        curl_multi_cleanup(multi);
        return cl_fail(err, SIS_ERR_NOMEM, "cannot start a thread to read %s", q->collection);
    }
    for (;;) {
        if (c->cancelled != NULL && c->cancelled(c->cancel_ctx)) {
            rc = cl_fail(err, SIS_ERR_CANCELLED, "cancelled while reading %s", q->collection);
            break;
        }
        if (pg.pp != NULL) {
            pump(&pg, multi, 1);
            resume(&pg);
            if (pg.fatal) {
                rc = pg.fatal;
                break;
            }
        }
        if ((rc = schedule(&pg, multi)) != SIS_OK)
            break;
        if (!busy(&pg))
            break;
        curl_multi_perform(multi, &running);
        drain(&pg, multi);
        if (pg.fatal) {
            rc = pg.fatal;
            break;
        }
        if (!running_any(&pg) && next_wake(&pg) == 0)
            continue;  /* something to start right away */
        if (running_any(&pg) || busy(&pg))
            curl_multi_poll(multi, NULL, 0, (int)next_wake(&pg), NULL);
    }
    cl_page_parser_free(pg.pp);  /* joins the thread; drops what was not taken */
    for (i = 0; i < pg.n_slots; i++) {
        page_release(&pg.slots[i], multi);
        free(pg.slots[i].url);
    }
    curl_multi_cleanup(multi);
    free(pg.ring);
    finish_verdict(&pg, res, rc == SIS_OK);
    if (rc != SIS_OK) {
        res->complete = 0;
        if (res->reason[0] == '\0')
            snprintf(res->reason, sizeof res->reason, "%s", err->message);
    }
    return rc;
}
