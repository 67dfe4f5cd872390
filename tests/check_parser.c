/* check_parser.c - streaming a collection out of a response, however the
 * bytes are cut, and every way a body can be wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../plugin/collection_parser.h"
#include "../plugin/record_map.h"
#include "testutil.h"

typedef struct seen {
    char ids[4096];
    char invalid[1024];
    int items, bad;
} seen;

static int on_item(void *ctx, json_object *item)
{
    seen *s = ctx;
    json_object *id;
    s->items++;
    if (json_object_object_get_ex(item, "sourcedId", &id)) {
        strcat(s->ids, json_object_get_string(id));
        strcat(s->ids, ",");
    }
    return 0;
}

static int on_invalid(void *ctx, const char *reason)
{
    seen *s = ctx;
    s->bad++;
    strcat(s->invalid, reason);
    strcat(s->invalid, ";");
    return 0;
}

/* Parses `body` fed in pieces of `step` bytes; returns feed/finish result. */
static int parse(const char *body, size_t step, seen *s, size_t max_item, char *err, size_t cap)
{
    cl_collection_handlers h = {s, on_item, on_invalid};
    cl_collection_parser *p = cl_collection_parser_new("users", max_item, &h);
    size_t len = strlen(body), i;
    int rc = 0;
    memset(s, 0, sizeof *s);
    for (i = 0; rc == 0 && i < len; i += step)
        rc = cl_collection_parser_feed(p, body + i, len - i < step ? len - i : step);
    if (rc == 0)
        rc = cl_collection_parser_finish(p);
    snprintf(err, cap, "%s", cl_collection_parser_error(p));
    cl_collection_parser_free(p);
    return rc;
}

static const char *good_body =
    "{ \"meta\": {\"x\": \"}]\\\"{[\"}, \"n\": -1.5e3, \"ok\": true,\n"
    "  \"users\" : [ {\"sourcedId\":\"a\",\"name\":\"Zoë \\\"Q\\\" }\"},"
    "{\"sourcedId\":\"b\",\"metadata\":{\"k\":[1,{\"z\":null}]}} ,\n"
    "{\"sourcedId\":\"c\"} ], \"tail\": null }\n";

START_TEST(items_arrive_whatever_the_chunking)
{
    static const size_t steps[] = {1, 2, 3, 7, 64, 100000};
    seen s;
    char err[256];
    size_t i;
    for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        ck_assert_msg(parse(good_body, steps[i], &s, 4096, err, sizeof err) == 0, "step %zu: %s",
                      steps[i], err);
        ck_assert_str_eq(s.ids, "a,b,c,");
        ck_assert_int_eq(s.bad, 0);
    }
}
END_TEST

static const struct { const char *body; const char *error; } bad_bodies[] = {
    {"<html><body>Maintenance</body></html>", "HTML page instead of JSON"},
    {"", "empty answer"},
    {"   \n", "empty answer"},
    {"{\"users\":[{\"sourcedId\":\"a\"},{\"sourcedId\":\"b\"", "ended before the JSON document was complete"},
    {"{\"orgs\":[]}", "has no \"users\" list"},
    {"{\"users\":{}}", "not a list"},
    {"[1,2]", "not a JSON object"},
    {"{\"users\":[]} x", "unexpected data after the end"},
    {"{\"users\":[{\"sourcedId\":\"a\"},]}", "malformed JSON"},
    {"{\"statusInfoSet\":[{\"imsx_codeMajor\":\"failure\",\"imsx_description\":\"Invalid filter field\"}]}",
     "the server reported: Invalid filter field"},
};

START_TEST(bad_bodies_fail_with_a_reason)
{
    seen s;
    char err[256];
    ck_assert_int_eq(parse(bad_bodies[_i].body, 5, &s, 4096, err, sizeof err), -1);
    ck_assert_msg(strstr(err, bad_bodies[_i].error) != NULL, "body %d: \"%s\" lacks \"%s\"", _i, err,
                  bad_bodies[_i].error);
}
END_TEST

START_TEST(bad_records_are_skipped_not_fatal)
{
    seen s;
    char err[256], *body, *deep;
    size_t i;
    deep = malloc(30000);
    for (i = 0; i < 10000; i++)
        deep[i] = '[';
    for (i = 0; i < 10000; i++)
        deep[10000 + i] = ']';
    deep[20000] = '\0';
    ck_assert_int_ne(asprintf(&body, "{\"users\":[{\"sourcedId\":\"a\"},{\"sourcedId\":\"big\",\"name\":\"%070000d\"},"
                              "{\"sourcedId\":\"deep\",\"x\":%s},42,{\"sourcedId\":\"b\",\"x\":tru},"
                              "{\"sourcedId\":\"c\"}]}", 0, deep), -1);
    ck_assert_msg(parse(body, 13, &s, 65536, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(s.ids, "a,c,");
    ck_assert_int_eq(s.bad, 4);
    ck_assert_ptr_nonnull(strstr(s.invalid, "record larger than 65536 bytes"));
    ck_assert_ptr_nonnull(strstr(s.invalid, "nested too deeply"));
    ck_assert_ptr_nonnull(strstr(s.invalid, "not a JSON object"));
    ck_assert_ptr_nonnull(strstr(s.invalid, "not valid JSON"));
    free(body);
    free(deep);
}
END_TEST

static int map_item(void *ctx, json_object *item)
{
    seen *s = ctx;
    cl_record_scratch sc;
    const char *why = NULL;
    cl_record_scratch_init(&sc);
    if (cl_map_user(&sc, item, &why) == 0) {
        s->items++;
        strcat(s->ids, sc.rec.sourced_id);
        strcat(s->ids, ",");
    } else {
        s->bad++;
        strcat(s->invalid, why);
        strcat(s->invalid, ";");
    }
    cl_record_scratch_free(&sc);
    return 0;
}

START_TEST(hostile_records_are_mapped_or_refused_in_bounded_memory)
{
    cl_collection_handlers h;
    cl_collection_parser *p;
    seen s;
    char *body, *keys;
    size_t i, off = 0;

    memset(&s, 0, sizeof s);
    h.ctx = &s;
    h.item = map_item;
    h.invalid = on_invalid;
    /* 100,000 metadata keys in one record; invalid UTF-8; a NUL escape. */
    keys = malloc(100000 * 16 + 1);
    for (i = 0; i < 100000; i++)
        off += (size_t)sprintf(keys + off, "%s\"k%06zu\":1", i ? "," : "", i);
    ck_assert_int_ne(asprintf(&body, "{\"users\":[{\"sourcedId\":\"many\",\"role\":\"student\","
                              "\"metadata\":{%s}},{\"sourcedId\":\"utf\",\"role\":\"student\","
                              "\"givenName\":\"\xff\xfe\xc3\"},{\"sourcedId\":\"nul\",\"role\":"
                              "\"student\",\"givenName\":\"a\\u0000b\"}]}", keys), -1);
    p = cl_collection_parser_new("users", 4u << 20, &h);
    ck_assert_int_eq(cl_collection_parser_feed(p, body, strlen(body)), 0);
    ck_assert_int_eq(cl_collection_parser_finish(p), 0);
    cl_collection_parser_free(p);
    ck_assert_msg(strstr(s.invalid, "more than 512 fields"), "%s", s.invalid);
    ck_assert_str_eq(s.ids, "utf,nul,");  /* the others still arrive */
    free(keys);
    free(body);
}
END_TEST

/* A user whose orgs are given as `n` references o0000, o0001, ... */
static json_object *user_in_orgs(int n)
{
    json_object *u = json_object_new_object(), *orgs = json_object_new_array();
    char id[16];
    int i;
    json_object_object_add(u, "sourcedId", json_object_new_string("staff1"));
    json_object_object_add(u, "role", json_object_new_string("administrator"));
    for (i = 0; i < n; i++) {
        json_object *ref = json_object_new_object();
        snprintf(id, sizeof id, "o%04d", i);
        json_object_object_add(ref, "sourcedId", json_object_new_string(id));
        json_object_array_add(orgs, ref);
    }
    json_object_object_add(u, "orgs", orgs);
    return u;
}

/* A district office member of every school keeps every one of them, also
 * through the flat form the parse thread hands over; beyond any district's
 * size the record is refused whole, never cut. */
START_TEST(a_user_keeps_every_org_through_the_parse_threads_form)
{
    cl_record_scratch a, b;
    cl_buf flat;
    json_object *u = user_in_orgs(1500);
    const char *why = NULL;

    cl_record_scratch_init(&a);
    cl_record_scratch_init(&b);
    cl_buf_init(&flat, 0);
    ck_assert_int_eq(cl_map_user_flat(&a, u, &flat), 0);
    ck_assert_int_eq(cl_flat_user(&b, flat.data, flat.len, &why), 0);
    ck_assert_str_eq(b.rec.sourced_id, "staff1");
    ck_assert_str_eq(b.rec.role, "administrator");
    ck_assert_uint_eq(b.rec.n_org_ids, 1500);
    ck_assert_str_eq(b.rec.org_ids[0], "o0000");
    ck_assert_str_eq(b.rec.org_ids[1499], "o1499");
    json_object_put(u);

    u = user_in_orgs(5000);
    ck_assert_int_eq(cl_map_user(&a, u, &why), -1);
    ck_assert_str_eq(why, "record with more than 4096 orgs");
    json_object_put(u);
    cl_buf_free(&flat);
    cl_record_scratch_free(&a);
    cl_record_scratch_free(&b);
}
END_TEST

Suite *suite_parser(void)
{
    Suite *s = suite_create("parser");
    TCase *tc = tcase_create("parser");
    tcase_add_test(tc, items_arrive_whatever_the_chunking);
    tcase_add_loop_test(tc, bad_bodies_fail_with_a_reason, 0,
                        (int)(sizeof bad_bodies / sizeof bad_bodies[0]));
    tcase_add_test(tc, bad_records_are_skipped_not_fatal);
    tcase_add_test(tc, hostile_records_are_mapped_or_refused_in_bounded_memory);
    tcase_add_test(tc, a_user_keeps_every_org_through_the_parse_threads_form);
    suite_add_tcase(s, tc);
    return s;
}
