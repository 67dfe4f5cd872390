/*
 * pager.h - reads a whole OneRoster collection: offset pages sorted by
 * sourcedId, several in flight (curl multi), streamed record by record, with
 * retries, and a verdict on whether what was read is a complete, consistent
 * snapshot.  Memory does not depend on the size of the collection.
 */
#ifndef CL_PAGER_H
#define CL_PAGER_H

#include <stdint.h>

#include "auth.h"
#include "collection_parser.h"
#include "http.h"

/* A connection to one roster endpoint.  Borrowed pointers. */
typedef struct cl_client {
    const cl_http_opts *opts;
    cl_auth *auth;
    int (*cancelled)(void *ctx);
    void *cancel_ctx;
    void (*progress)(void *ctx, const char *phase, uint64_t done, uint64_t total);
    void *progress_ctx;
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
    /* Counters, accumulated over every request. */
    uint64_t requests;
    uint64_t retries;
    uint64_t bytes;
} cl_client;

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
} cl_page_query;

typedef struct cl_page_result {
    int complete;             /* every page read, counts and order consistent */
    char reason[256];         /* why not, when complete is 0 */
    long long total;          /* X-Total-Count of the first page, -1 unknown */
    uint64_t records;         /* items delivered to h->item */
    uint64_t invalid;         /* items delivered to h->invalid */
} cl_page_result;

/* The Authorization header value for one request: OAuth1 signs the URL,
 * OAuth2 fetches or refreshes a token first.  *out malloc'd. */
int cl_client_authorization(cl_client *c, const char *method, const char *url, char **out,
                            sis_error *err);

/* Reads the collection.  Returns SIS_OK (then see res->complete), or a
 * failure explained in err.  res is filled in both cases. */
int cl_pager_run(cl_client *c, const cl_page_query *q, const cl_collection_handlers *h,
                 cl_page_result *res, sis_error *err);

/* One GET of a single JSON document (e.g. /users/{id}, a verification
 * request), authorised, with retries.  *out receives the body. */
int cl_client_get(cl_client *c, const char *url, const char *what, cl_buf *out,
                  cl_http_response *resp, sis_error *err);

#endif
