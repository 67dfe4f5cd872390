/* sim.h - the ClassLink simulator: shared state of the server. */
#ifndef SIM_H
#define SIM_H

#include <pthread.h>
#include <stdint.h>

#include "district.h"

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
    char nonces[SIM_NONCES][48];
    int nonce_pos;
    char tokens[SIM_TOKENS][48];    /* OAuth2 access tokens in force */
    int token_pos;
    uint64_t token_counter;
    sim_match cache[SIM_CACHE];
    int cache_next;
    char perm_rev[32];
    int send_link;
    int gzip;
    long page_max;
    long latency_ms;                /* WAN: added before each response */
    long per_record_us;             /* WAN: server time per record */
    long bandwidth_kbit;            /* WAN: per connection; 0 unlimited */
    /* stats */
    uint64_t requests, roster_requests, auth_failures, faults_fired, bytes_sent;
    int in_flight, max_in_flight;
} sim_server;

#endif
