/*
 * csv_reader.c - pull rows out of libcsv's push parser, with line numbers.
 *
 * libcsv is handed one physical line at a time (each piece of input ends
 * at a CR or LF), so at most one row completes per call and the line a row
 * started on is known exactly, also when quoted fields span lines.  Its
 * field buffer grows through our realloc hook, which refuses to go past
 * ORC_CSV_FIELD_MAX: libcsv then reports CSV_ENOMEM and we name the line.
 * Strict mode makes a quote inside an unquoted field, text after a closing
 * quote, and an unterminated quote at the end of the file parse errors.
 */
#include "csv_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#define READ_CHUNK (64u * 1024)

struct orc_csv {
    struct csv_parser p;
    FILE *in;
    char *name;
    unsigned char *chunk;        /* READ_CHUNK bytes of input */
    size_t pos, len;
    int started, at_eof, finished;
    int last_cr;                 /* the previous piece ended with CR */
    unsigned long line;          /* physical line of chunk[pos] */
    unsigned long row_line;      /* line the current row began on; 0 = none yet */
    uint64_t bytes;
    /* The row being assembled: fields NUL-terminated, back to back. */
    char *buf;
    size_t used, cap;
    size_t *offs;
    const char **ptrs;
    size_t n_fields;
    int row_done;
    int failed;                  /* sticky error code */
    orc_err fail;                /* and its message */
};

/* libcsv's realloc hook: the only way its field buffer grows. */
static void *capped_realloc(void *p, size_t n)
{
    if (n > ORC_CSV_FIELD_MAX + 64)
        return NULL;
    return realloc(p, n);
}

/* RFC 4180 keeps spaces around unquoted fields; libcsv would trim them. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

int orc_utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t need, k;
        uint32_t cp;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (len - i <= need)
            return 0;
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        /* overlong forms, surrogates and values past U+10FFFF */
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return 0;
        i += need + 1;
    }
    return 1;
}

static void set_failed(orc_csv *r, int code, const char *fmt, const char *detail)
{
    if (r->failed)
        return;
    r->failed = code;
    orc_fail(&r->fail, code, fmt, r->name, r->row_line ? r->row_line : r->line, detail);
}

static void on_field(void *s, size_t len, void *data)
{
    orc_csv *r = data;
    if (r->failed)
        return;
    if (r->n_fields >= ORC_CSV_COLUMNS_MAX) {
        set_failed(r, ORC_ERR_DATA, "%s line %lu: more than %s columns", "1024");
        return;
    }
    if (!orc_utf8_valid(s, len)) {
        char col[32];
        snprintf(col, sizeof col, "%zu", r->n_fields + 1);
        set_failed(r, ORC_ERR_DATA,
                   "%s line %lu: column %s is not valid UTF-8 (save the file as UTF-8)", col);
        return;
    }
    if (r->used + len + 1 > ORC_CSV_ROW_MAX) {
        set_failed(r, ORC_ERR_DATA, "%s line %lu: the row is longer than %s bytes", "1048576");
        return;
    }
    if (r->used + len + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        char *nb;
        while (cap < r->used + len + 1)
            cap *= 2;
        nb = realloc(r->buf, cap);
        if (nb == NULL) {
            set_failed(r, ORC_ERR_NOMEM, "%s line %lu: out of memory%s", "");
            return;
        }
        r->buf = nb;
        r->cap = cap;
    }
    memcpy(r->buf + r->used, s, len);
    r->buf[r->used + len] = '\0';
    r->offs[r->n_fields++] = r->used;
    r->used += len + 1;
}

static void on_row(int c, void *data)
{
    orc_csv *r = data;
    (void)c;
    r->row_done = 1;
}

int orc_csv_open(orc_csv **out, FILE *in, const char *name, orc_err *err)
{
    orc_csv *r = calloc(1, sizeof *r);
    if (r == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory opening %s", name);
    if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        free(r);
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory opening %s", name);
    }
    csv_set_realloc_func(&r->p, capped_realloc);
    csv_set_space_func(&r->p, no_space);
    csv_set_blk_size(&r->p, 4096);
    r->in = in;
    r->name = strdup(name);
    r->chunk = malloc(READ_CHUNK);
    r->offs = malloc(ORC_CSV_COLUMNS_MAX * sizeof *r->offs);
    r->ptrs = malloc(ORC_CSV_COLUMNS_MAX * sizeof *r->ptrs);
    r->line = 1;
    if (r->name == NULL || r->chunk == NULL || r->offs == NULL || r->ptrs == NULL) {
        orc_csv_close(r);
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory opening %s", name);
    }
    *out = r;
    return ORC_OK;
}

static int fail_out(orc_csv *r, orc_err *err)
{
    if (err != NULL)
        *err = r->fail;
    return r->failed;
}

static void parse_error(orc_csv *r)
{
    int e = csv_error(&r->p);
    if (e == CSV_ENOMEM || e == CSV_ETOOBIG)
        set_failed(r, ORC_ERR_DATA, "%s line %lu: a field is longer than %s bytes", "65536");
    else
        set_failed(r, ORC_ERR_DATA,
                   "%s line %lu: malformed quoting (a quote inside an unquoted field, text "
                   "after a closing quote, or a quote never closed)%s", "");
}

/* Reads the next chunk; at the end of the input, finishes the parser. */
static int refill(orc_csv *r)
{
    size_t n = fread(r->chunk, 1, READ_CHUNK, r->in);
    if (n == 0) {
        if (ferror(r->in)) {
            char why[256];
            snprintf(why, sizeof why, "%s (a corrupt or truncated archive, an entry over the "
                     "size limit, or a failed disk)", strerror(errno ? errno : EIO));
            set_failed(r, ORC_ERR_IO, "%s line %lu: the file could not be read further: %s", why);
            return -1;
        }
        r->at_eof = 1;
        return 0;
    }
    r->pos = 0;
    r->len = n;
    r->bytes += n;
    if (!r->started) {
        r->started = 1;
        if (n >= 3 && memcmp(r->chunk, "\xef\xbb\xbf", 3) == 0)
            r->pos = 3;
    }
    return 1;
}

static void deliver(orc_csv *r, orc_csv_row *row)
{
    size_t i;
    for (i = 0; i < r->n_fields; i++)
        r->ptrs[i] = r->buf + r->offs[i];
    row->fields = r->ptrs;
    row->n = r->n_fields;
    row->line = r->row_line;
}

/* Line ends are CRLF, LF or CR: a piece ending in either terminator ends a
 * line, except the LF right after a CR. */
static void count_line(orc_csv *r, size_t seg)
{
    unsigned char last = r->chunk[r->pos + seg - 1];
    if (last == '\r')
        r->line++;
    else if (last == '\n' && !(seg == 1 && r->last_cr))
        r->line++;
    r->last_cr = last == '\r';
}

int orc_csv_next(orc_csv *r, orc_csv_row *row, orc_err *err)
{
    if (r->failed)
        return fail_out(r, err);
    if (r->row_done) {
        r->row_done = 0;
        r->n_fields = 0;
        r->used = 0;
        r->row_line = 0;
    }
    for (;;) {
        size_t end, seg;
        if (r->pos == r->len) {
            int rc;
            if (r->finished)
                return 0;
            rc = r->at_eof ? 0 : refill(r);
            if (rc < 0)
                return fail_out(r, err);
            if (rc == 0) {
                r->finished = 1;
                if (csv_fini(&r->p, on_field, on_row, r) != 0)
                    parse_error(r);
                if (r->failed)
                    return fail_out(r, err);
                if (r->row_done) {
                    deliver(r, row);
                    return 1;
                }
                return 0;
            }
            continue;
        }
        for (end = r->pos; end < r->len && r->chunk[end] != '\n' && r->chunk[end] != '\r'; end++)
            ;
        if (end < r->len)
            end++;                  /* the terminator belongs to this piece */
        seg = end - r->pos;
        if (r->row_line == 0) {
            if (seg == 1 && (r->chunk[r->pos] == '\n' || r->chunk[r->pos] == '\r')) {
                count_line(r, seg);
                r->pos = end;       /* a blank line, or the LF of a CRLF */
                continue;
            }
            r->row_line = r->line;
        }
        if (csv_parse(&r->p, r->chunk + r->pos, seg, on_field, on_row, r) != seg)
            parse_error(r);
        count_line(r, seg);
        r->pos = end;
        if (r->failed)
            return fail_out(r, err);
        if (r->row_done) {
            deliver(r, row);
            return 1;
        }
    }
}

uint64_t orc_csv_bytes(const orc_csv *r)
{
    return r->bytes;
}

const char *orc_csv_name(const orc_csv *r)
{
    return r->name;
}

void orc_csv_close(orc_csv *r)
{
    if (r == NULL)
        return;
    csv_free(&r->p);
    free(r->name);
    free(r->chunk);
    free(r->buf);
    free(r->offs);
    free(r->ptrs);
    free(r);
}
