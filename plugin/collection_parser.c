/*
 * collection_parser.c - see the header.  The envelope is a state machine
 * over bytes; every value inside it is delimited by a scanner that only
 * counts brackets outside strings, so an item's bytes can be handed to
 * json-c whole and alone.
 */
#include "collection_parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define KEY_MAX 64
#define STATUS_MAX (64 * 1024)
#define JSON_DEPTH_MAX 64

enum state {
    S_START, S_KEY_OR_END, S_KEY, S_COLON, S_VALUE_START, S_VALUE, S_ITEMS_OPEN,
    S_ITEM_OR_END, S_ITEM, S_ITEM_SEP, S_AFTER_VALUE, S_DONE, S_ERROR
};

/* Where one JSON value ends, byte by byte. */
typedef struct value_scanner {
    int depth;
    int in_string;
    int escape;
    int scalar;          /* a bare number/true/false/null at depth 0 */
    int started;
} value_scanner;

struct cl_collection_parser {
    char *key;
    size_t max_item;
    cl_collection_handlers h;
    enum state st;
    char cur_key[KEY_MAX];
    size_t cur_key_len;
    int key_escape;
    int after_comma;         /* an item must follow (no trailing comma) */
    int seen_collection;
    value_scanner vs;
    cl_buf item;             /* the current item's bytes, capped */
    int item_oversize;
    int capture_status;      /* the value being skipped is statusInfoSet */
    cl_buf status;
    char *status_desc;
    json_tokener *tok;
    size_t count;
    int stopped;
    char error[256];
};

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

cl_collection_parser *cl_collection_parser_new(const char *key, size_t max_item_bytes,
                                               const cl_collection_handlers *h)
{
    cl_collection_parser *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->key = strdup(key);
    p->max_item = max_item_bytes;
    p->h = *h;
    p->tok = json_tokener_new_ex(JSON_DEPTH_MAX);
    cl_buf_init(&p->item, max_item_bytes);
    cl_buf_init(&p->status, STATUS_MAX);
    if (p->key == NULL || p->tok == NULL) {
        cl_collection_parser_free(p);
        return NULL;
    }
    return p;
}

void cl_collection_parser_free(cl_collection_parser *p)
{
    if (p == NULL)
        return;
    free(p->key);
    free(p->status_desc);
    cl_buf_free(&p->item);
    cl_buf_free(&p->status);
    if (p->tok != NULL)
        json_tokener_free(p->tok);
    free(p);
}

static int fail(cl_collection_parser *p, const char *fmt, const char *arg)
{
    snprintf(p->error, sizeof p->error, fmt, arg);
    p->st = S_ERROR;
    return -1;
}

/* Advances the scanner over data; returns how many bytes belong to the
 * value and sets *done when the value ended inside them. */
static size_t scan_value(value_scanner *vs, const char *data, size_t len, int *done)
{
    size_t i;
    *done = 0;
    for (i = 0; i < len; i++) {
        char c = data[i];
        if (!vs->started) {
            vs->started = 1;
            if (c == '"') {
                vs->in_string = 1;
            } else if (c == '{' || c == '[') {
                vs->depth = 1;
            } else {
                vs->scalar = 1;
            }
            continue;
        }
        if (vs->in_string) {
            const char *q, *bs;
            size_t end;
            if (vs->escape) {
                vs->escape = 0;
                continue;
            }
            /* Most of a record is inside strings: jump to the next quote or
             * backslash instead of looking at every byte. */
            q = memchr(data + i, '"', len - i);
            end = q != NULL ? (size_t)(q - data) : len;
            bs = memchr(data + i, '\\', end - i);
            if (bs != NULL) {
                i = (size_t)(bs - data);
                vs->escape = 1;
                continue;
            }
            if (q == NULL)
                return len;
            i = end;
            vs->in_string = 0;
            if (vs->depth == 0) {
                *done = 1;
                return i + 1;
            }
            continue;
        }
        if (vs->scalar) {
            if (c == ',' || c == '}' || c == ']' || is_ws(c)) {
                *done = 1;
                return i;
            }
            continue;
        }
        if (c == '"')
            vs->in_string = 1;
        else if (c == '{' || c == '[')
            vs->depth++;
        else if ((c == '}' || c == ']') && --vs->depth == 0) {
            *done = 1;
            return i + 1;
        }
    }
    return len;
}

static void extract_status(cl_collection_parser *p)
{
    json_object *root = json_tokener_parse(p->status.data ? p->status.data : "");
    json_object *first = NULL, *desc;
    if (root != NULL && json_object_is_type(root, json_type_array))
        first = json_object_array_get_idx(root, 0);
    else if (root != NULL && json_object_is_type(root, json_type_object))
        first = root;
    if (first != NULL && json_object_object_get_ex(first, "imsx_description", &desc)) {
        free(p->status_desc);
        p->status_desc = strdup(json_object_get_string(desc));
    }
    json_object_put(root);
}

/* The item's bytes are either p->item or, when the whole item arrived in
 * one chunk, the chunk itself (no copy). */
static int deliver_item(cl_collection_parser *p, const char *bytes, size_t len)
{
    json_object *obj = NULL;
    int rc;

    p->count++;
    if (p->item_oversize) {
        char msg[96];
        snprintf(msg, sizeof msg, "record larger than %zu bytes", p->max_item);
        rc = p->h.invalid ? p->h.invalid(p->h.ctx, msg) : 0;
    } else if (bytes[0] != '{') {
        rc = p->h.invalid ? p->h.invalid(p->h.ctx, "record is not a JSON object") : 0;
    } else {
        json_tokener_reset(p->tok);
        obj = json_tokener_parse_ex(p->tok, bytes, (int)len);
        if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
            const char *why = json_tokener_get_error(p->tok) == json_tokener_error_depth
                                  ? "record nested too deeply" : "record is not valid JSON";
            rc = p->h.invalid ? p->h.invalid(p->h.ctx, why) : 0;
        } else {
            rc = p->h.item(p->h.ctx, obj);
        }
        json_object_put(obj);
    }
    cl_buf_reset(&p->item);
    p->item_oversize = 0;
    if (rc != 0) {
        p->stopped = 1;
        return fail(p, "%s", "stopped by the receiver");
    }
    return 0;
}

static void begin_value(cl_collection_parser *p)
{
    memset(&p->vs, 0, sizeof p->vs);
}

/* Handles one chunk while inside an item or a skipped value; returns bytes
 * consumed, or (size_t)-1 on error. */
static size_t in_value(cl_collection_parser *p, const char *data, size_t len)
{
    int done;
    size_t n = scan_value(&p->vs, data, len, &done);
    if (p->st == S_ITEM) {
        if (done && p->item.len == 0 && !p->item_oversize) {
            /* The whole item is in this chunk: parse it where it lies. */
            p->st = S_ITEM_SEP;
            p->item_oversize = n > p->item.max;
            if (deliver_item(p, data, n) != 0)
                return (size_t)-1;
            return n;
        }
        if (!p->item_oversize && cl_buf_add(&p->item, data, n) != 0) {
            p->item_oversize = 1;
            cl_buf_reset(&p->item);
        }
        if (done) {
            p->st = S_ITEM_SEP;
            if (deliver_item(p, p->item.data, p->item.len) != 0)
                return (size_t)-1;
        }
    } else {
        if (p->capture_status)
            cl_buf_add(&p->status, data, n);  /* capped; a huge status is cut */
        if (done) {
            if (p->capture_status)
                extract_status(p);
            p->capture_status = 0;
            p->st = S_AFTER_VALUE;
        }
    }
    return n;
}

static int not_json(cl_collection_parser *p, char c)
{
    char what[8];
    snprintf(what, sizeof what, "%c", c >= 32 && c < 127 ? c : '?');
    if (c == '<')
        return fail(p, "%s", "the server answered with an HTML page instead of JSON");
    return fail(p, "the server's answer is not a JSON object (it starts with '%s')", what);
}

/* One structural byte outside values. */
static int structural(cl_collection_parser *p, char c)
{
    if (is_ws(c))
        return 0;
    switch (p->st) {
    case S_START:
        if (c != '{')
            return not_json(p, c);
        p->st = S_KEY_OR_END;
        return 0;
    case S_KEY_OR_END:
        if (c == '}' && !p->after_comma) {
            p->st = S_DONE;
            return 0;
        }
        if (c != '"')
            return fail(p, "%s", "malformed JSON: expected a member name");
        p->cur_key_len = 0;
        p->key_escape = 0;
        p->st = S_KEY;
        return 0;
    case S_COLON:
        if (c != ':')
            return fail(p, "%s", "malformed JSON: expected ':'");
        p->st = S_VALUE_START;
        return 0;
    case S_ITEMS_OPEN:
        if (c != '[')
            return fail(p, "the \"%s\" member is not a list", p->key);
        p->st = S_ITEM_OR_END;
        p->after_comma = 0;
        return 0;
    case S_ITEM_SEP:
        if (c == ',') {
            p->st = S_ITEM_OR_END;
            p->after_comma = 1;
        } else if (c == ']') {
            p->st = S_AFTER_VALUE;
        } else {
            return fail(p, "%s", "malformed JSON between two records");
        }
        return 0;
    case S_AFTER_VALUE:
        if (c == ',') {
            p->st = S_KEY_OR_END;
            p->after_comma = 1;
        } else if (c == '}') {
            p->st = S_DONE;
        } else {
            return fail(p, "%s", "malformed JSON after a member");
        }
        return 0;
    case S_DONE:
        return fail(p, "%s", "unexpected data after the end of the JSON document");
    default:
        return fail(p, "%s", "internal parser state error");
    }
}

static void read_key_byte(cl_collection_parser *p, char c)
{
    if (p->key_escape) {
        p->key_escape = 0;
    } else if (c == '\\') {
        p->key_escape = 1;
        return;
    } else if (c == '"') {
        p->cur_key[p->cur_key_len < KEY_MAX ? p->cur_key_len : KEY_MAX - 1] = '\0';
        p->st = S_COLON;
        return;
    }
    if (p->cur_key_len < KEY_MAX - 1)
        p->cur_key[p->cur_key_len] = c;
    p->cur_key_len++;
}

int cl_collection_parser_feed(cl_collection_parser *p, const char *data, size_t len)
{
    size_t i = 0, n;

    while (i < len) {
        char c = data[i];
        switch (p->st) {
        case S_ERROR:
            return -1;
        case S_KEY:
            read_key_byte(p, c);
            i++;
            break;
        case S_VALUE_START:
            if (is_ws(c)) {
                i++;
                break;
            }
            p->after_comma = 0;
            if (p->cur_key_len < KEY_MAX && strcmp(p->cur_key, p->key) == 0) {
                p->seen_collection = 1;
                p->st = S_ITEMS_OPEN;
                break;
            }
            p->capture_status = strcmp(p->cur_key, "statusInfoSet") == 0 ||
                                strcmp(p->cur_key, "imsx_statusInfo") == 0;
            begin_value(p);
            p->st = S_VALUE;
            break;
        case S_ITEM_OR_END:
            if (is_ws(c)) {
                i++;
                break;
            }
            if (c == ']' && !p->after_comma) {
                p->st = S_AFTER_VALUE;
                i++;
                break;
            }
            begin_value(p);
            p->st = S_ITEM;
            break;
        case S_ITEM:
        case S_VALUE:
            n = in_value(p, data + i, len - i);
            if (n == (size_t)-1)
                return -1;
            i += n;
            break;
        default:
            if (structural(p, c) != 0)
                return -1;
            i++;
            break;
        }
    }
    return 0;
}

int cl_collection_parser_finish(cl_collection_parser *p)
{
    if (p->st == S_ERROR)
        return -1;
    if (p->st == S_START)
        return fail(p, "%s", "the server sent an empty answer");
    if (p->st != S_DONE)
        return fail(p, "%s", "the answer ended before the JSON document was complete "
                             "(connection cut or response truncated)");
    if (!p->seen_collection) {
        if (p->status_desc != NULL)
            return fail(p, "the server reported: %s", p->status_desc);
        return fail(p, "the answer has no \"%s\" list", p->key);
    }
    return 0;
}

const char *cl_collection_parser_error(const cl_collection_parser *p)
{
    return p->error;
}

int cl_collection_parser_stopped(const cl_collection_parser *p)
{
    return p->stopped;
}

size_t cl_collection_parser_count(const cl_collection_parser *p)
{
    return p->count;
}

const char *cl_collection_parser_status_description(const cl_collection_parser *p)
{
    return p->status_desc;
}
