/*
 * stream_users.c - reads a OneRoster CSV export the way a sync does (orgs,
 * then users, every row validated and every sourcedId checked for
 * duplicates) with a sink that keeps nothing, to measure the plugin's own
 * time and memory apart from any host:
 *
 *   /usr/bin/time -v oneroster-stream DIR|ZIP
 */
#include <stdio.h>
#include <stdlib.h>

#include "../export.h"

static int on_org(void *ctx, const orc_org *o, orc_err *err)
{
    (void)ctx;
    (void)o;
    (void)err;
    return ORC_OK;
}

static int on_user(void *ctx, const orc_user *u, orc_err *err)
{
    (void)ctx;
    (void)u;
    (void)err;
    return ORC_OK;
}

int main(int argc, char **argv)
{
    orc_source_opts o = {0};
    orc_source *src = NULL;
    orc_stream_cb cb = {NULL, on_org, on_user, NULL, NULL, NULL};   /* bad rows: counted */
    orc_stream_stats st = {0};
    orc_err e = {0, ""};
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR|ZIP\n", argv[0]);
        return 2;
    }
    o.location = argv[1];
    o.zip.max_entry = 2048ull << 20;
    o.zip.max_ratio = 250;
    o.remote.max_bytes = 2048ull << 20;
    rc = orc_source_open(&src, &o, &e);
    if (rc == ORC_OK)
        rc = orc_export_stream(src, &cb, &st, &e);
    orc_source_close(src);
    if (rc != ORC_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    printf("orgs %llu users %llu bad users %llu bytes %llu complete %d\n",
           (unsigned long long)st.orgs, (unsigned long long)st.users,
           (unsigned long long)st.bad_users, (unsigned long long)st.bytes, st.complete);
    return 0;
}
