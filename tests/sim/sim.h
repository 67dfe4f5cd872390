/* sim.h - the ClassLink simulator: shared state of the server. */
#ifndef SIM_H
#define SIM_H

#include <pthread.h>
#include <stdint.h>

#include "district.h"
#include "page_cache.h"

#define SIM_MAX_FAULTS 64
#define SIM_NONCES 8192
#define SIM_TOKENS 8
#define SIM_CACHE 4

typedef struct sim_fault {
    char kind[16];          /* 429, 500, 502, 503, reset, truncate, slow, html, empty,
                               lie_total, dup, rev, rotate, 401, 403 */
    char path[64];          /* fires on requests whose path contains this */
    int skip;               /* matching requests to let through first */
    int count;              /* times to fire; -1 forever */
    int retry_after;        /* 429: seconds, -1 for no header */
    long long arg;          /* bytes for reset/truncate, delta for lie_total, ms for slow */
} sim_fault;

typedef struct sim_match {
    char key[512];
    uint64_t generation;
    uint32_t *idx;
    uint32_t n;
} sim_match;

typedef struct sim_server {
    pthread_mutex_t mu;
    sim_district d;
    char client_id[128];
    char client_secret[128];
    char bearer[128];               /* proxy bearer token */
    long long clock_offset_s;       /* the server's clock = now + offset */
    sim_fault faults[SIM_MAX_FAULTS];
    int n_faults;
    char nonces[SIM_NONCES][64];
    int nonce_pos;
    char tokens[SIM_TOKENS][48];    /* OAuth2 access tokens in force */
    int token_pos;
    uint64_t token_counter;
    sim_match cache[SIM_CACHE];
    int cache_next;
    sim_page_cache pages;           /* rendered pages (page_cache.h) */
    char perm_rev[32];
    int send_link;
    int tls;                        /* serving HTTPS */
    int gzip;
    long page_max;
    long latency_ms;                /* WAN: added before each response */
    long per_record_us;             /* WAN: server time per record */
    long bandwidth_kbit;            /* WAN: per connection; 0 unlimited */
    /* ClassLink Login: LaunchPad, nodeapi and the proxy's /applications */
    char lp_client_id[64], lp_client_secret[64], partner_key[64];
    char login_role[64];            /* Role of the user who signs in */
    int login_deny;                 /* the user refuses consent */
    char tenant_id[400];            /* the district's TenantId as a string; "" the number 2 */
    int app_installed;              /* the tenant installed the vendor's app */
    int server_creds;               /* /server carries OAuth1 credentials */
    char codes[8][48];              /* authorization codes not yet used */
    long long code_expiry[8];
    int code_pos;
    char access_tokens[8][48];      /* LaunchPad access tokens */
    int access_pos;
    char endpoint_url[256];         /* what /server reports; default this server */
    /* stats */
    uint64_t requests, roster_requests, auth_failures, faults_fired, bytes_sent;
    int in_flight, max_in_flight;
} sim_server;

#endif
