/*
 * district.h - the simulator's generated district: deterministic users and
 * orgs computed from (seed, index), plus the small per-user state that
 * mutations change.  Nothing per user is stored but a few bytes, so a
 * million-user district fits easily.
 */
#ifndef SIM_DISTRICT_H
#define SIM_DISTRICT_H

#include <stddef.h>
#include <stdint.h>

enum {
    SIM_REMOVED = 1,       /* gone from every response */
    SIM_TOBEDELETED = 2,   /* status "tobedeleted" */
    SIM_DISABLED = 4,      /* enabledUser "false" */
    SIM_LONG_ID = 8,       /* a sourcedId of 300 bytes (SIM_LONG_ID_LEN); long-id
                              neighbours share their first 293 bytes */
    SIM_NO_ROLE = 16       /* the record has no role: a connector must refuse it */
};

#define SIM_LONG_ID_LEN 300

typedef struct sim_district {
    uint64_t seed;
    uint32_t n_users;      /* indices 0..n_users-1 exist (some removed) */
    uint32_t cap_users;
    uint32_t n_schools;
    uint8_t *flags;
    uint16_t *version;     /* bumps on every change */
    int64_t *modified_ms;  /* dateLastModified, ms since the epoch */
    uint64_t generation;   /* bumps on every mutation: invalidates caches */
    char base_url[256];    /* for absolute hrefs */
    int oneroster12;       /* emit 1.2 shape (roles[], primaryOrg) */
} sim_district;

int sim_district_init(sim_district *d, uint64_t seed, uint32_t n_users, uint32_t n_schools);
void sim_district_free(sim_district *d);

/* Appends a user's JSON object to out (growable).  `fields` is NULL for
 * all fields, else a comma-separated projection. */
typedef struct sim_out {
    char *data;
    size_t len, cap;
} sim_out;
void sim_out_add(sim_out *o, const char *s, size_t n);
void sim_out_adds(sim_out *o, const char *s);
void sim_out_addf(sim_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void sim_user_json(const sim_district *d, uint32_t i, const char *fields, sim_out *out);
void sim_org_json(const sim_district *d, uint32_t i, const char *fields, sim_out *out);
uint32_t sim_n_orgs(const sim_district *d);

/* The value of one user field as the filter sees it; 0 when the field is
 * not filterable. */
int sim_user_field(const sim_district *d, uint32_t i, const char *field, char *buf, size_t cap);
int sim_org_field(const sim_district *d, uint32_t i, const char *field, char *buf, size_t cap);
const char *sim_user_role(const sim_district *d, uint32_t i);

/* 1 when `name` may appear in fields= for users / orgs. */
int sim_user_field_known(const char *name);
int sim_org_field_known(const char *name);

/* Mutations; each returns how many users it touched. */
uint32_t sim_mutate(sim_district *d, const char *kind, uint32_t count, int64_t now_ms);

void sim_iso_time(int64_t ms, char *buf, size_t cap);

#endif
