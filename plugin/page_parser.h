/*
 * page_parser.h - parses collection pages on a thread of its own.
 *
 * json-c's tree per record (and the mapping of each record, which the
 * caller hands in as `encode`) was most of the calling thread's CPU; here it
 * runs beside curl and the host's sink.  The calling thread hands over each
 * page attempt's body in large chunks (begin, data..., end or abort), and
 * takes back, in the order it handed them over, batches of encoded records
 * and one verdict per attempt.  Nothing here calls the host: host.h keeps
 * sinks on the calling thread, so the records go to the host from there.
 *
 * Memory: the caller bounds what waits to be parsed (see backlog), and each
 * batch holds the records of one chunk, so nothing grows with the page or
 * district size.
 */
#ifndef CL_PAGE_PARSER_H
#define CL_PAGE_PARSER_H

#include <stddef.h>

#include <json-c/json.h>

#include "buf.h"

/* Runs on the parse thread for each item: appends the item's encoded form
 * to out.  0 to go on, -1 when out of memory (the page then fails). */
typedef int (*cl_encode_fn)(void *ctx, json_object *item, cl_buf *out);

enum cl_pp_kind { CL_PP_BATCH, CL_PP_VERDICT };

/* One result, owned by the caller once taken (cl_pp_results_free). */
typedef struct cl_pp_result {
    struct cl_pp_result *next;
    int slot;
    unsigned gen;
    enum cl_pp_kind kind;
    cl_buf entries;          /* BATCH: read with cl_pp_entry_next */
    int ok;                  /* VERDICT: the body was a complete document */
    size_t count;            /* VERDICT: items seen in this attempt */
    char error[256];         /* VERDICT when !ok: why, for the admin */
} cl_pp_result;

/* One entry of a batch; pointers into the batch, NUL-terminated. */
typedef struct cl_pp_entry {
    int invalid;             /* 1: data is the reason the item was unreadable */
    const char *id;          /* the item's sourcedId, "" when none */
    const char *data;        /* the encoded item, or the reason */
    size_t len;
} cl_pp_entry;

/* 0 with *e and *pos advanced, or -1 after the last entry. */
int cl_pp_entry_next(const cl_pp_result *r, size_t *pos, cl_pp_entry *e);
void cl_pp_results_free(cl_pp_result *list);

typedef struct cl_page_parser cl_page_parser;

/* Starts the thread.  `collection` and `max_item` as for the collection
 * parser; encode_ctx is touched by the parse thread only, until
 * cl_page_parser_free returns.  wake(wake_ctx) is called from the parse
 * thread when a result is ready and none was waiting (to end a poll).
 * NULL when out of memory or when no thread can be started. */
cl_page_parser *cl_page_parser_new(const char *collection, size_t max_item, cl_encode_fn encode,
                                   void *encode_ctx, void (*wake)(void *), void *wake_ctx);
/* Stops and joins the thread; drops what was not taken. */
void cl_page_parser_free(cl_page_parser *pp);

/* A new attempt of the page in `slot` (0..31), tagged gen.  -1 when out of
 * memory (for all four). */
int cl_page_parser_begin(cl_page_parser *pp, int slot, unsigned gen);
/* Hands chunk's bytes over (the buffer is taken; chunk is left empty, or
 * with a spent buffer to fill again). */
int cl_page_parser_data(cl_page_parser *pp, int slot, unsigned gen, cl_buf *chunk);
/* The body ended: a verdict follows the last batch. */
int cl_page_parser_end(cl_page_parser *pp, int slot, unsigned gen);
/* The attempt is abandoned: no verdict. */
int cl_page_parser_abort(cl_page_parser *pp, int slot, unsigned gen);

/* Frees taken results, keeping their buffers for the next batches. */
void cl_page_parser_recycle(cl_page_parser *pp, cl_pp_result *list);

/* Bytes handed over and not parsed yet. */
size_t cl_page_parser_backlog(cl_page_parser *pp);
/* Takes the results ready, oldest first (NULL when none).  With
 * max_backlog > 0, first waits while none is ready and more than
 * max_backlog bytes wait to be parsed. */
cl_pp_result *cl_page_parser_take(cl_page_parser *pp, size_t max_backlog);

#endif
