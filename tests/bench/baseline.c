/*
 * baseline.c - the same import done the way a typical integration does it,
 * for `make bench` to measure against: sequential pages of 1,000, each whole
 * page parsed into one json-c tree, no fields= projection, no compression,
 * one SQLite transaction per page.  It is competent otherwise: signed with
 * the same OAuth1 code, keep-alive, prepared statements, WAL, and it stores
 * the same two rows per user (the record and its Users page line).
 *
 *   baseline-sync ROOT_URL CLIENT_ID SECRET_ENV DB [PAGE_SIZE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <sqlite3.h>

#include "../../plugin/buf.h"
#include "../../plugin/oauth1.h"

static size_t collect(char *d, size_t s, size_t n, void *u)
{
    return cl_buf_add(u, d, s * n) == 0 ? s * n : 0;
}

static const char *str(json_object *o, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static int fetch(CURL *e, const char *url, const cl_oauth1 *p, cl_buf *body, long long *bytes)
{
    char *auth = NULL, *hdr = NULL;
    struct curl_slist *h = NULL;
    sis_error err = SIS_ERROR_LOCAL;
    CURLcode cc;
    long status = 0;
    if (cl_oauth1_authorization(&auth, NULL, "GET", url, p, &err) != SIS_OK ||
        asprintf(&hdr, "Authorization: %s", auth) < 0)
        return -1;
    h = curl_slist_append(h, hdr);
    cl_buf_reset(body);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
    cc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    *bytes += (long long)body->len;
    curl_slist_free_all(h);
    free(auth);
    free(hdr);
    return cc == CURLE_OK && status == 200 ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *root, *secret;
    long page = 1000, offset, n = 0, requests = 0;
    long long bytes = 0;
    cl_oauth1 p;
    cl_buf body;
    sqlite3 *db;
    sqlite3_stmt *rec, *usr;
    CURL *e;
    char url[1024];

    if (argc < 5 || (secret = getenv(argv[3])) == NULL) {
        fprintf(stderr, "usage: baseline-sync ROOT CLIENT_ID SECRET_ENV DB [PAGE]\n");
        return 2;
    }
    root = argv[1];
    if (argc > 5)
        page = atol(argv[5]);
    memset(&p, 0, sizeof p);
    p.consumer_key = argv[2];
    p.consumer_secret = secret;
    p.method = CL_SIG_HMAC_SHA256;
    cl_buf_init(&body, 512u << 20);
    if (sqlite3_open(argv[4], &db) != SQLITE_OK)
        return 1;
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE IF NOT EXISTS records(sourced_id TEXT PRIMARY KEY, body TEXT) WITHOUT ROWID;"
                     "CREATE TABLE IF NOT EXISTS users(sourced_id TEXT PRIMARY KEY, role TEXT, active INT,"
                     " given_name TEXT, family_name TEXT, email TEXT, username TEXT) WITHOUT ROWID;",
                 NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO records VALUES(?1, ?2)", -1, &rec, NULL);
    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO users VALUES(?1,?2,?3,?4,?5,?6,?7)", -1, &usr, NULL);
    e = curl_easy_init();
    for (offset = 0;; offset += page) {
        json_object *root_obj, *users;
        size_t i, count;
        snprintf(url, sizeof url, "%s/users?limit=%ld&offset=%ld", root, page, offset);
        requests++;
        if (fetch(e, url, &p, &body, &bytes) != 0) {
            fprintf(stderr, "baseline: request failed at offset %ld\n", offset);
            return 1;
        }
        root_obj = json_tokener_parse(body.data);
        if (root_obj == NULL || !json_object_object_get_ex(root_obj, "users", &users))
            return 1;
        count = json_object_array_length(users);
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        for (i = 0; i < count; i++) {
            json_object *u = json_object_array_get_idx(users, i);
            const char *id = str(u, "sourcedId");
            sqlite3_bind_text(rec, 1, id, -1, SQLITE_STATIC);
            sqlite3_bind_text(rec, 2, json_object_to_json_string(u), -1, SQLITE_STATIC);
            sqlite3_step(rec);
            sqlite3_reset(rec);
            sqlite3_bind_text(usr, 1, id, -1, SQLITE_STATIC);
            sqlite3_bind_text(usr, 2, str(u, "role"), -1, SQLITE_STATIC);
            sqlite3_bind_int(usr, 3, strcmp(str(u, "status"), "active") == 0);
            sqlite3_bind_text(usr, 4, str(u, "givenName"), -1, SQLITE_STATIC);
            sqlite3_bind_text(usr, 5, str(u, "familyName"), -1, SQLITE_STATIC);
            sqlite3_bind_text(usr, 6, str(u, "email"), -1, SQLITE_STATIC);
            sqlite3_bind_text(usr, 7, str(u, "username"), -1, SQLITE_STATIC);
            sqlite3_step(usr);
            sqlite3_reset(usr);
            n++;
        }
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        json_object_put(root_obj);
        if (count < (size_t)page)
            break;
    }
    printf("baseline: users=%ld requests=%ld bytes=%lld\n", n, requests, bytes);
    sqlite3_finalize(rec);
    sqlite3_finalize(usr);
    sqlite3_close(db);
    curl_easy_cleanup(e);
    cl_buf_free(&body);
    return 0;
}
