/*
 * page_parser.c - see the header.
 *
 * One mutex guards two FIFO lists: jobs (calling thread -> parse thread) and
 * results (back).  Hand-offs are per chunk of a page body (a few hundred
 * records), never per record: an earlier parse thread that handed over
 * every 16 records spent more on the hand-offs than it saved.
 */
#include "page_parser.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collection_parser.h"

#define SLOTS 32
#define ENTRY_HEAD 9   /* u32 id length, u32 data length, u8 kind */
#define SPARES 4       /* buffers kept for reuse: chunks and batches */

enum job_kind { J_BEGIN, J_DATA, J_END, J_ABORT };

typedef struct job {
    struct job *next;
    enum job_kind kind;
    int slot;
    unsigned gen;
    char *data;      /* J_DATA: owned */
    size_t len, cap;
    struct cl_pp_result *verdict;  /* J_BEGIN: made by the caller, so that a
                                    * verdict can always be posted */
} job;

/* What the parse thread keeps of one slot's current attempt. */
typedef struct slot_state {
    cl_collection_parser *parser;
    unsigned gen;
    cl_pp_result *verdict;       /* posted once, at the end or the first error */
} slot_state;

struct cl_page_parser {
    char *collection;
    size_t max_item;
    cl_encode_fn encode;
    void *encode_ctx;
    void (*wake)(void *);
    void *wake_ctx;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;           /* jobs arrived, results arrived, or backlog fell */
    job *jobs, *jobs_tail;
    size_t backlog;
    cl_pp_result *results, *results_tail;
    int quit;
    /* Spent chunk and batch buffers, handed out again instead of a
     * malloc, a doubling realloc chain and a free per hand-off. */
    char *spare[SPARES];
    size_t spare_cap[SPARES];
    int n_spare;
    /* parse thread only */
    slot_state slots[SLOTS];
    cl_buf out;                  /* the batch being filled */
    int oom;
};

/* ---- the buffer pool (callers hold pp->mu) -------------------------------- */

static void give_back(cl_page_parser *pp, char *data, size_t cap)
{
    if (data == NULL)
        return;
    if (pp->n_spare < SPARES) {
        pp->spare[pp->n_spare] = data;
        pp->spare_cap[pp->n_spare++] = cap;
    } else {
        free(data);
    }
}

/* An empty b (its data handed on) gets a spare buffer, if one waits. */
static void refill(cl_page_parser *pp, cl_buf *b)
{
    if (b->data != NULL || pp->n_spare == 0)
        return;
    b->data = pp->spare[--pp->n_spare];
    b->cap = pp->spare_cap[pp->n_spare];
    b->len = 0;
    b->data[0] = '\0';
}

/* ---- entries ------------------------------------------------------------ */

static int put_entry(cl_buf *out, int invalid, const char *id, size_t id_len, const char *data,
                     size_t len)
{
    unsigned char head[ENTRY_HEAD];
    uint32_t a = (uint32_t)id_len, b = (uint32_t)len;
    memcpy(head, &a, 4);
    memcpy(head + 4, &b, 4);
    head[8] = (unsigned char)invalid;
    return cl_buf_add(out, head, sizeof head) == 0 && cl_buf_add(out, id, id_len) == 0 &&
                   cl_buf_add(out, "", 1) == 0 && cl_buf_add(out, data, len) == 0 &&
                   cl_buf_add(out, "", 1) == 0
               ? 0 : -1;
}

int cl_pp_entry_next(const cl_pp_result *r, size_t *pos, cl_pp_entry *e)
{
    uint32_t a, b;
    const char *p;
    if (r->kind != CL_PP_BATCH || *pos + ENTRY_HEAD > r->entries.len)
        return -1;
    p = r->entries.data + *pos;
    memcpy(&a, p, 4);
    memcpy(&b, p + 4, 4);
    e->invalid = p[8] != 0;
    e->id = p + ENTRY_HEAD;
    e->data = e->id + a + 1;
    e->len = b;
    *pos += ENTRY_HEAD + (size_t)a + 1 + b + 1;
    return 0;
}

void cl_page_parser_recycle(cl_page_parser *pp, cl_pp_result *list)
{
    pthread_mutex_lock(&pp->mu);
    while (list != NULL) {
        cl_pp_result *n = list->next;
        give_back(pp, list->entries.data, list->entries.cap);
        free(list);
        list = n;
    }
    pthread_mutex_unlock(&pp->mu);
}

void cl_pp_results_free(cl_pp_result *list)
{
    while (list != NULL) {
        cl_pp_result *n = list->next;
        cl_buf_free(&list->entries);
        free(list);
        list = n;
    }
}

/* ---- the parse thread ----------------------------------------------------- */

static int on_item(void *ctx, json_object *item)
{
    cl_page_parser *pp = ctx;
    json_object *v;
    const char *id = "";
    size_t id_len = 0, mark = pp->out.len;
    unsigned char head[ENTRY_HEAD] = {0};

    if (json_object_object_get_ex(item, "sourcedId", &v) && json_object_is_type(v, json_type_string)) {
        id = json_object_get_string(v);
        id_len = (size_t)json_object_get_string_len(v);  /* whole: the host matches it */
    }
    /* The head first, its data length filled in once encoded in place. */
    if (cl_buf_add(&pp->out, head, sizeof head) == 0 && cl_buf_add(&pp->out, id, id_len) == 0 &&
        cl_buf_add(&pp->out, "", 1) == 0) {
        size_t start = pp->out.len;
        if (pp->encode(pp->encode_ctx, item, &pp->out) == 0 && cl_buf_add(&pp->out, "", 1) == 0) {
            uint32_t a = (uint32_t)id_len, b = (uint32_t)(pp->out.len - 1 - start);
            memcpy(pp->out.data + mark, &a, 4);
            memcpy(pp->out.data + mark + 4, &b, 4);
            return 0;
        }
    }
    pp->out.len = mark;
    pp->oom = 1;
    return -1;
}

static int on_invalid(void *ctx, const char *reason)
{
    cl_page_parser *pp = ctx;
    if (put_entry(&pp->out, 1, "", 0, reason, strlen(reason)) != 0) {
        pp->oom = 1;
        return -1;
    }
    return 0;
}

/* Appends r to the results; wakes the calling thread if it may be polling. */
static void post(cl_page_parser *pp, cl_pp_result *r)
{
    int was_empty;
    pthread_mutex_lock(&pp->mu);
    was_empty = pp->results == NULL;
    if (pp->results_tail != NULL)
        pp->results_tail->next = r;
    else
        pp->results = r;
    pp->results_tail = r;
    pthread_cond_broadcast(&pp->cv);
    pthread_mutex_unlock(&pp->mu);
    if (was_empty && pp->wake != NULL)
        pp->wake(pp->wake_ctx);
}

static cl_pp_result *new_result(int slot, unsigned gen, enum cl_pp_kind kind)
{
    cl_pp_result *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->slot = slot;
    r->gen = gen;
    r->kind = kind;
    cl_buf_init(&r->entries, 0);
    return r;
}

/* Posts the filled batch, if any.  Out of memory here loses the batch; the
 * verdict that follows says so and the page is read again. */
static int post_batch(cl_page_parser *pp, int slot, unsigned gen)
{
    cl_pp_result *r;
    if (pp->out.len == 0)
        return 0;
    r = new_result(slot, gen, CL_PP_BATCH);
    if (r == NULL) {
        cl_buf_reset(&pp->out);
        return -1;
    }
    r->entries = pp->out;
    cl_buf_init(&pp->out, 0);
    post(pp, r);
    pthread_mutex_lock(&pp->mu);
    refill(pp, &pp->out);
    pthread_mutex_unlock(&pp->mu);
    return 0;
}

static void post_verdict(cl_page_parser *pp, slot_state *s, int ok, size_t count,
                         const char *error)
{
    cl_pp_result *r = s->verdict;
    s->verdict = NULL;
    r->ok = ok;
    r->count = count;
    snprintf(r->error, sizeof r->error, "%s", error);
    post(pp, r);
}

static void drop_slot(slot_state *s)
{
    cl_collection_parser_free(s->parser);
    s->parser = NULL;
    cl_pp_results_free(s->verdict);
    s->verdict = NULL;
}

static void run_job(cl_page_parser *pp, job *j)
{
    slot_state *s = &pp->slots[j->slot];
    cl_collection_handlers h = {pp, on_item, on_invalid};
    int failed;

    if (j->kind == J_BEGIN) {
        drop_slot(s);
        s->gen = j->gen;
        s->verdict = j->verdict;
        j->verdict = NULL;
        s->parser = cl_collection_parser_new(pp->collection, pp->max_item, &h);
        if (s->parser == NULL)
            post_verdict(pp, s, 0, 0, "out of memory while reading records");
        return;
    }
    if (s->gen != j->gen || s->parser == NULL)
        return;  /* an attempt already judged or abandoned */
    if (j->kind == J_ABORT) {
        drop_slot(s);
        return;
    }
    if (j->kind == J_DATA) {
        failed = cl_collection_parser_feed(s->parser, j->data, j->len) != 0;
    } else {
        failed = cl_collection_parser_finish(s->parser) != 0;
    }
    if (post_batch(pp, j->slot, j->gen) != 0)
        pp->oom = failed = 1;
    if (failed || j->kind == J_END) {
        post_verdict(pp, s, !failed, cl_collection_parser_count(s->parser),
                     pp->oom ? "out of memory while reading records"
                             : cl_collection_parser_error(s->parser));
        pp->oom = 0;
        drop_slot(s);
    }
}

static void *parse_main(void *arg)
{
    cl_page_parser *pp = arg;
    job *j;

    pthread_setname_np(pthread_self(), "cl-parse");  /* for top, perf and threads.sh */

    for (;;) {
        pthread_mutex_lock(&pp->mu);
        while (pp->jobs == NULL && !pp->quit)
            pthread_cond_wait(&pp->cv, &pp->mu);
        if (pp->quit) {
            pthread_mutex_unlock(&pp->mu);
            return NULL;
        }
        j = pp->jobs;
        pp->jobs = j->next;
        if (pp->jobs == NULL)
            pp->jobs_tail = NULL;
        pthread_mutex_unlock(&pp->mu);

        run_job(pp, j);

        pthread_mutex_lock(&pp->mu);
        pp->backlog -= j->len;
        give_back(pp, j->data, j->cap);
        pthread_cond_broadcast(&pp->cv);
        pthread_mutex_unlock(&pp->mu);
        cl_pp_results_free(j->verdict);
        free(j);
    }
}

/* ---- the calling thread's side ------------------------------------------ */

cl_page_parser *cl_page_parser_new(const char *collection, size_t max_item, cl_encode_fn encode,
                                   void *encode_ctx, void (*wake)(void *), void *wake_ctx)
{
    cl_page_parser *pp = calloc(1, sizeof *pp);
    if (pp == NULL)
        return NULL;
    pp->collection = strdup(collection);
    pp->max_item = max_item;
    pp->encode = encode;
    pp->encode_ctx = encode_ctx;
    pp->wake = wake;
    pp->wake_ctx = wake_ctx;
    cl_buf_init(&pp->out, 0);
    if (pp->collection == NULL) {
        free(pp);
        return NULL;
    }
    pthread_mutex_init(&pp->mu, NULL);
    pthread_cond_init(&pp->cv, NULL);
    if (pthread_create(&pp->thread, NULL, parse_main, pp) != 0) {
        pthread_mutex_destroy(&pp->mu);
        pthread_cond_destroy(&pp->cv);
        free(pp->collection);
        free(pp);
        return NULL;
    }
    return pp;
}

void cl_page_parser_free(cl_page_parser *pp)
{
    job *j;
    int i;
    if (pp == NULL)
        return;
    pthread_mutex_lock(&pp->mu);
    pp->quit = 1;
    pthread_cond_broadcast(&pp->cv);
    pthread_mutex_unlock(&pp->mu);
    pthread_join(pp->thread, NULL);
    while ((j = pp->jobs) != NULL) {
        pp->jobs = j->next;
        cl_pp_results_free(j->verdict);
        free(j->data);
        free(j);
    }
    cl_pp_results_free(pp->results);
    for (i = 0; i < SLOTS; i++)
        drop_slot(&pp->slots[i]);
    cl_buf_free(&pp->out);
    while (pp->n_spare > 0)
        free(pp->spare[--pp->n_spare]);
    pthread_mutex_destroy(&pp->mu);
    pthread_cond_destroy(&pp->cv);
    free(pp->collection);
    free(pp);
}

static int submit(cl_page_parser *pp, enum job_kind kind, int slot, unsigned gen, cl_buf *chunk,
                  cl_pp_result *verdict)
{
    job *j = calloc(1, sizeof *j);
    if (j == NULL || slot < 0 || slot >= SLOTS) {
        free(j);
        return -1;
    }
    j->kind = kind;
    j->slot = slot;
    j->gen = gen;
    j->verdict = verdict;
    if (chunk != NULL) {
        j->data = chunk->data;
        j->len = chunk->len;
        j->cap = chunk->cap;
        cl_buf_init(chunk, chunk->max);
    }
    pthread_mutex_lock(&pp->mu);
    if (chunk != NULL)
        refill(pp, chunk);
    if (pp->jobs_tail != NULL)
        pp->jobs_tail->next = j;
    else
        pp->jobs = j;
    pp->jobs_tail = j;
    pp->backlog += j->len;
    pthread_cond_broadcast(&pp->cv);
    pthread_mutex_unlock(&pp->mu);
    return 0;
}

int cl_page_parser_begin(cl_page_parser *pp, int slot, unsigned gen)
{
    cl_pp_result *v = new_result(slot, gen, CL_PP_VERDICT);
    if (v == NULL || submit(pp, J_BEGIN, slot, gen, NULL, v) != 0) {
        free(v);
        return -1;
    }
    return 0;
}

int cl_page_parser_data(cl_page_parser *pp, int slot, unsigned gen, cl_buf *chunk)
{
    if (chunk->len == 0)
        return 0;
    return submit(pp, J_DATA, slot, gen, chunk, NULL);
}

int cl_page_parser_end(cl_page_parser *pp, int slot, unsigned gen)
{
    return submit(pp, J_END, slot, gen, NULL, NULL);
}

int cl_page_parser_abort(cl_page_parser *pp, int slot, unsigned gen)
{
    return submit(pp, J_ABORT, slot, gen, NULL, NULL);
}

size_t cl_page_parser_backlog(cl_page_parser *pp)
{
    size_t n;
    pthread_mutex_lock(&pp->mu);
    n = pp->backlog;
    pthread_mutex_unlock(&pp->mu);
    return n;
}

cl_pp_result *cl_page_parser_take(cl_page_parser *pp, size_t max_backlog)
{
    cl_pp_result *r;
    pthread_mutex_lock(&pp->mu);
    while (max_backlog > 0 && pp->results == NULL && pp->backlog > max_backlog)
        pthread_cond_wait(&pp->cv, &pp->mu);
    r = pp->results;
    pp->results = pp->results_tail = NULL;
    pthread_mutex_unlock(&pp->mu);
    return r;
}
