/*
 * pager.h - reads a whole OneRoster collection: offset pages sorted by
 * sourcedId, several in flight (curl multi), streamed record by record, with
 * retries (the client's policy, retry.h), and a verdict on whether what was
 * read is a complete, consistent snapshot.  Memory does not depend on the
 * size of the collection.
 */
#ifndef CL_PAGER_H
#define CL_PAGER_H

#include <stdint.h>

#include "client.h"
#include "buf.h"
#include "collection_parser.h"

typedef struct cl_page_query {
    const char *url;          /* the collection endpoint, e.g. ".../v1p1/users" */
    const char *collection;   /* "users" */
    const char *filter;       /* OneRoster filter, not encoded; NULL for none */
    const char *fields;       /* comma-separated projection; NULL for all */
    long limit;               /* page size */
    int concurrency;          /* pages in flight */
    uint64_t max_records;     /* stop after this many (sampling); 0 = all */
    size_t max_record_bytes;  /* a larger record is skipped as invalid */
    const char *phase;        /* for progress */
    /* Optional: parse on a second thread (page_parser.h).  encode runs
     * there on each item, with encode_ctx (which only that thread touches
     * during the run), and appends the item's encoded form; deliver then
     * runs on the calling thread with that form (borrowed for the call),
     * with h->ctx and the item's sourcedId ("" when none), in the order
     * the items arrived, instead of h->item.  Non-zero from deliver stops
     * the read as the host stopping would. */
    int (*encode)(void *encode_ctx, json_object *item, cl_buf *out);
    void *encode_ctx;
    int (*deliver)(void *ctx, const char *id, const char *data, size_t len);
} cl_page_query;

typedef struct cl_page_result {
    int complete;             /* every page read, counts and order consistent */
    char reason[256];         /* why not, when complete is 0 */
    long long total;          /* X-Total-Count of the first page, -1 unknown */
    uint64_t records;         /* items delivered to h->item */
    uint64_t invalid;         /* items delivered to h->invalid */
} cl_page_result;

/* Reads the collection through c (its authoriser, policy, cancellation and
 * counters).  Returns SIS_OK (then see res->complete), or a failure
 * explained in err; res is filled in both cases, and a read that failed or
 * was cancelled is never judged against the server's counts. */
int cl_pager_run(cl_client *c, const cl_page_query *q, const cl_collection_handlers *h,
                 cl_page_result *res, sis_error *err);

#endif
