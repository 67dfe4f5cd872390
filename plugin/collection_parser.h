/*
 * collection_parser.h - streams the items of one collection out of a
 * OneRoster response ({"users":[{...},{...}], ...}) as bytes arrive.
 *
 * Memory is one item at a time, whatever the page size: the envelope is
 * walked by a small state machine, each item is cut out by a byte scanner
 * and parsed by json-c on its own.
 */
#ifndef CL_COLLECTION_PARSER_H
#define CL_COLLECTION_PARSER_H

#include <stddef.h>

#include <json-c/json.h>

typedef struct cl_collection_handlers {
    void *ctx;
    /* One item of the collection; `item` is borrowed for the call (the
     * parser puts it afterwards).  Non-zero stops the parse. */
    int (*item)(void *ctx, json_object *item);
    /* An item that could not be parsed; `reason` is a short phrase without
     * payload data.  Non-zero stops the parse. */
    int (*invalid)(void *ctx, const char *reason);
} cl_collection_handlers;

typedef struct cl_collection_parser cl_collection_parser;

/* `key` is the collection's name ("users", "orgs"); items over
 * `max_item_bytes` are reported invalid and skipped.  Caller frees with
 * cl_collection_parser_free.  NULL when out of memory. */
cl_collection_parser *cl_collection_parser_new(const char *key, size_t max_item_bytes,
                                               const cl_collection_handlers *h);
void cl_collection_parser_free(cl_collection_parser *p);

/* Feeds bytes.  0 to go on; -1 on a malformed document or when a handler
 * stopped the parse (see cl_collection_parser_error). */
int cl_collection_parser_feed(cl_collection_parser *p, const char *data, size_t len);
/* Call at the end of the body: -1 when the document is incomplete or the
 * collection key never appeared. */
int cl_collection_parser_finish(cl_collection_parser *p);

/* Why the last call failed, for the admin. */
const char *cl_collection_parser_error(const cl_collection_parser *p);
/* 1 when a handler asked to stop (not a document error). */
int cl_collection_parser_stopped(const cl_collection_parser *p);
/* Number of items delivered (valid or invalid). */
size_t cl_collection_parser_count(const cl_collection_parser *p);
/* The imsx description found in the body ("statusInfoSet"), or NULL. */
const char *cl_collection_parser_status_description(const cl_collection_parser *p);

#endif
