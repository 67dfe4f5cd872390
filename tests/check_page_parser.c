/* check_page_parser.c - plugin/page_parser.c, the thread that parses user
 * pages: what it hands back, in order, whatever the chunking; a refused
 * record keeps its whole sourcedId (the host marks that id as seen, so a
 * cut one would get the real user deactivated); a broken body gets a
 * verdict with a reason; an abandoned attempt gets none. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../plugin/page_parser.h"
#include "../plugin/record_map.h"
#include "testutil.h"

static int encode(void *ctx, json_object *item, cl_buf *out)
{
    return cl_map_user_flat(ctx, item, out);
}

static void no_wake(void *ctx)
{
    (void)ctx;
}

/* What came back for one attempt, as text: "id:ok" or "id:why" per entry,
 * then "|verdict ok N" or "|verdict failed: ERROR". */
typedef struct outcome {
    char text[8192];
    int verdicts;
} outcome;

static void describe(outcome *o, const cl_pp_result *r, unsigned gen)
{
    cl_record_scratch sc;
    cl_pp_entry e;
    size_t pos = 0, len;
    const char *why;

    if (r->gen != gen)
        return;
    len = strlen(o->text);
    if (r->kind == CL_PP_VERDICT) {
        o->verdicts++;
        if (r->ok)
            snprintf(o->text + len, sizeof o->text - len, "|verdict ok %zu", r->count);
        else
            snprintf(o->text + len, sizeof o->text - len, "|verdict failed: %s", r->error);
        return;
    }
    cl_record_scratch_init(&sc);
    while (cl_pp_entry_next(r, &pos, &e) == 0) {
        len = strlen(o->text);
        if (e.invalid)
            snprintf(o->text + len, sizeof o->text - len, "[unreadable: %s]", e.data);
        else if (cl_flat_user(&sc, e.data, e.len, &why) == 0)
            snprintf(o->text + len, sizeof o->text - len, "[%s:ok]", sc.rec.sourced_id);
        else
            snprintf(o->text + len, sizeof o->text - len, "[%zu-byte id:%s]", strlen(e.id), why);
    }
    cl_record_scratch_free(&sc);
}

/* Hands `body` over in chunks of `chunk` bytes as attempt (0, gen), ended
 * (or abandoned), then collects what comes back for up to 10 s. */
static void run_attempt(cl_page_parser *pp, const char *body, size_t chunk, unsigned gen,
                        int abandon, outcome *o)
{
    size_t off, n;
    int waited;
    ck_assert_int_eq(cl_page_parser_begin(pp, 0, gen), 0);
    for (off = 0; off < strlen(body); off += n) {
        cl_buf b;
        n = strlen(body) - off < chunk ? strlen(body) - off : chunk;
        cl_buf_init(&b, 0);
        ck_assert_int_eq(cl_buf_add(&b, body + off, n), 0);
        ck_assert_int_eq(cl_page_parser_data(pp, 0, gen, &b), 0);
        cl_buf_free(&b);
    }
    ck_assert_int_eq(abandon ? cl_page_parser_abort(pp, 0, gen) : cl_page_parser_end(pp, 0, gen), 0);
    for (waited = 0; waited < 1000 && (abandon || o->verdicts == 0); waited++) {
        cl_pp_result *r = cl_page_parser_take(pp, 0), *i;
        for (i = r; i != NULL; i = i->next)
            describe(o, i, gen);
        cl_pp_results_free(r);
        if (r == NULL)
            usleep(10000);
        if (abandon && waited >= 50 && cl_page_parser_backlog(pp) == 0)
            break;
    }
}

START_TEST(records_come_back_in_order_and_a_refused_one_keeps_its_whole_id)
{
    static const size_t chunks[] = {1, 7, 100, 1 << 20};
    cl_record_scratch enc;
    cl_page_parser *pp;
    char long_id[301], *body, expect[1024];
    outcome o;

    memset(long_id, 'x', 300);
    long_id[300] = '\0';
    ck_assert_int_ne(asprintf(&body, "{\"users\":[{\"sourcedId\":\"a1\",\"role\":\"student\"},"
                              "{\"sourcedId\":\"%s\",\"role\":\"student\",\"status\":\"odd\"},"
                              "{\"sourcedId\":\"a3\",\"role\":\"teacher\"}]}", long_id), -1);
    snprintf(expect, sizeof expect, "[a1:ok][300-byte id:record with an unknown status]"
             "[a3:ok]|verdict ok 3");
    cl_record_scratch_init(&enc);
    pp = cl_page_parser_new("users", 1 << 20, encode, &enc, no_wake, NULL);
    ck_assert_ptr_nonnull(pp);
    memset(&o, 0, sizeof o);
    run_attempt(pp, body, chunks[_i], 1, 0, &o);
    ck_assert_str_eq(o.text, expect);
    cl_page_parser_free(pp);
    cl_record_scratch_free(&enc);
    free(body);
}
END_TEST

START_TEST(a_broken_body_gets_a_reason_and_an_abandoned_one_no_verdict)
{
    cl_record_scratch enc;
    cl_page_parser *pp;
    outcome o;

    cl_record_scratch_init(&enc);
    pp = cl_page_parser_new("users", 1 << 20, encode, &enc, no_wake, NULL);
    ck_assert_ptr_nonnull(pp);
    memset(&o, 0, sizeof o);
    run_attempt(pp, "{\"users\":[{\"sourcedId\":\"a1\",\"role\":\"student\"},{\"sourc", 5, 1, 0,
                &o);
    ck_assert_msg(strncmp(o.text, "[a1:ok]|verdict failed: ", 24) == 0, "%s", o.text);
    memset(&o, 0, sizeof o);
    run_attempt(pp, "{\"users\":[{\"sourcedId\":\"b1\",\"role\":\"student\"}", 3, 2, 1, &o);
    ck_assert_int_eq(o.verdicts, 0);
    /* The parser goes on with the next attempt of the slot as if new. */
    memset(&o, 0, sizeof o);
    run_attempt(pp, "{\"users\":[{\"sourcedId\":\"c1\",\"role\":\"student\"}]}", 4, 3, 0, &o);
    ck_assert_str_eq(o.text, "[c1:ok]|verdict ok 1");
    cl_page_parser_free(pp);
    cl_record_scratch_free(&enc);
}
END_TEST

Suite *suite_page_parser(void)
{
    Suite *s = suite_create("page_parser");
    TCase *tc = tcase_create("page_parser");
    tcase_add_loop_test(tc, records_come_back_in_order_and_a_refused_one_keeps_its_whole_id, 0, 4);
    tcase_add_test(tc, a_broken_body_gets_a_reason_and_an_abandoned_one_no_verdict);
    suite_add_tcase(s, tc);
    return s;
}
