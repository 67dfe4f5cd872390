/* district.c - see district.h.  Every field is a pure function of (seed,
 * index, version), so responses are reproducible and need no storage. */
#include "district.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BASE_EPOCH_MS 1767225600000LL   /* 2026-01-01T00:00:00Z */

static const char *const given[] = {
    "Ana", "José", "Zoë", "Li", "Mohammed", "Olivia", "Nguyễn", "Søren", "Aoife", "Émile",
    "Chloé", "Liam", "Noah", "Sofía", "Mateo", "Yuki", "Ørjan", "Brían", "Amélie", "Dmitri"};
static const char *const family[] = {
    "García", "Smith", "O'Brien", "Müller", "Nguyen", "Kowalski", "Johnson", "Østergaard",
    "Dubois", "Lee", "Brown", "Patel", "Żółć", "Hernández", "Kim", "D'Angelo"};
static const char *const school_names[] = {
    "Lincoln Elementary School", "Washington Middle School", "Roosevelt High School",
    "Jefferson Elementary", "Kennedy Academy", "Madison Elementary School",
    "Franklin Middle School", "Adams High School", "Monroe Elementary", "Jackson STEM School"};
static const char *const departments[] = {"Mathematics", "Science", "English", "Arts", "PE"};
static const char *const lunch[] = {"free", "reduced", "paid"};

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t h(const sim_district *d, uint32_t i, uint64_t salt)
{
    return mix(d->seed ^ mix(((uint64_t)i << 8) ^ salt));
}

void sim_out_add(sim_out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 4096;
        while (ncap < o->len + n + 1)
            ncap *= 2;
        o->data = realloc(o->data, ncap);
        if (o->data == NULL)
            abort();
        o->cap = ncap;
    }
    memcpy(o->data + o->len, s, n);
    o->len += n;
    o->data[o->len] = '\0';
}

void sim_out_adds(sim_out *o, const char *s)
{
    sim_out_add(o, s, strlen(s));
}

void sim_out_addf(sim_out *o, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sim_out_add(o, buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
}

int sim_district_init(sim_district *d, uint64_t seed, uint32_t n_users, uint32_t n_schools)
{
    uint32_t i;
    memset(d, 0, sizeof *d);
    d->seed = seed;
    d->n_users = n_users;
    d->cap_users = n_users + 1024;
    d->n_schools = n_schools ? n_schools : 1;
    d->flags = calloc(d->cap_users, 1);
    d->version = calloc(d->cap_users, sizeof *d->version);
    d->modified_ms = calloc(d->cap_users, sizeof *d->modified_ms);
    if (!d->flags || !d->version || !d->modified_ms)
        return -1;
    for (i = 0; i < n_users; i++) {
        d->modified_ms[i] = BASE_EPOCH_MS + (int64_t)(h(d, i, 1) % (90ULL * 86400000ULL));
        if (h(d, i, 2) % 200 == 0)
            d->flags[i] |= SIM_TOBEDELETED;
        if (h(d, i, 3) % 100 == 0)
            d->flags[i] |= SIM_DISABLED;
    }
    snprintf(d->base_url, sizeof d->base_url, "https://sim.oneroster.example/ims/oneroster/v1p1");
    return 0;
}

void sim_district_free(sim_district *d)
{
    free(d->flags);
    free(d->version);
    free(d->modified_ms);
}

void sim_iso_time(int64_t ms, char *buf, size_t cap)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

const char *sim_user_role(const sim_district *d, uint32_t i)
{
    unsigned r = (unsigned)(h(d, i, 10) % 100);
    return r < 80 ? "student" : r < 90 ? "teacher" : r < 93 ? "aide" : r < 95 ? "administrator"
                                                                               : "guardian";
}

static uint32_t school_of(const sim_district *d, uint32_t i, int second)
{
    return (uint32_t)(h(d, i, second ? 12 : 11) % d->n_schools);
}

static int two_schools(const sim_district *d, uint32_t i)
{
    return d->n_schools > 1 && strcmp(sim_user_role(d, i), "teacher") == 0 &&
           h(d, i, 13) % 10 == 0 && school_of(d, i, 0) != school_of(d, i, 1);
}

static const char *given_of(const sim_district *d, uint32_t i)
{
    return given[(h(d, i, 20) + d->version[i]) % (sizeof given / sizeof given[0])];
}

static const char *family_of(const sim_district *d, uint32_t i)
{
    return family[h(d, i, 21) % (sizeof family / sizeof family[0])];
}

int sim_user_field(const sim_district *d, uint32_t i, const char *f, char *buf, size_t cap)
{
    if (strcmp(f, "sourcedId") == 0 && (d->flags[i] & SIM_LONG_ID)) {
        /* "u<head>-000...0<i>": head is the first of the run of long-id
         * users that i ends, so neighbours given long ids together (longrun)
         * share their first 292 bytes.  Still after u%07u of the user before
         * the run and before that of the user after it, so the order holds. */
        uint32_t head = i;
        while (head > 0 && (d->flags[head - 1] & SIM_LONG_ID))
            head--;
        snprintf(buf, cap, "u%07u-%0*u", head, SIM_LONG_ID_LEN - 9, i);
    } else if (strcmp(f, "sourcedId") == 0)
        snprintf(buf, cap, "u%07u", i);
    else if (strcmp(f, "status") == 0)
        snprintf(buf, cap, "%s", d->flags[i] & SIM_TOBEDELETED ? "tobedeleted" : "active");
    else if (strcmp(f, "dateLastModified") == 0)
        sim_iso_time(d->modified_ms[i], buf, cap);
    else if (strcmp(f, "role") == 0)
        snprintf(buf, cap, "%s", sim_user_role(d, i));
    else if (strcmp(f, "givenName") == 0)
        snprintf(buf, cap, "%s", given_of(d, i));
    else if (strcmp(f, "familyName") == 0)
        snprintf(buf, cap, "%s", family_of(d, i));
    else if (strcmp(f, "username") == 0)
        snprintf(buf, cap, "user%07u", i);
    else if (strcmp(f, "email") == 0)
        snprintf(buf, cap, "user%07u@district.example.org", i);
    else if (strcmp(f, "identifier") == 0)
        snprintf(buf, cap, "ID%07u", i);
    else if (strcmp(f, "enabledUser") == 0)
        snprintf(buf, cap, "%s", d->flags[i] & SIM_DISABLED ? "false" : "true");
    else
        return 0;
    return 1;
}

static const char *const user_fields[] = {
    "sourcedId", "status", "dateLastModified", "metadata", "username", "userIds", "enabledUser",
    "givenName", "familyName", "middleName", "role", "roles", "primaryOrg", "identifier", "email",
    "sms", "phone", "agents", "orgs", "grades", "password"};

int sim_user_field_known(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof user_fields / sizeof user_fields[0]; i++)
        if (strcmp(user_fields[i], name) == 0)
            return 1;
    return 0;
}

int sim_org_field_known(const char *name)
{
    static const char *const f[] = {"sourcedId", "status", "dateLastModified", "metadata", "name",
                                    "type", "identifier", "parent", "children"};
    size_t i;
    for (i = 0; i < sizeof f / sizeof f[0]; i++)
        if (strcmp(f[i], name) == 0)
            return 1;
    return 0;
}

/* 1 when `name` is in the comma-separated projection (or there is none). */
static int want(const char *fields, const char *name)
{
    size_t n = strlen(name);
    const char *p = fields;
    if (fields == NULL)
        return 1;
    while ((p = strstr(p, name)) != NULL) {
        if ((p == fields || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

static void sep(sim_out *o, int *first)
{
    if (!*first)
        sim_out_add(o, ",", 1);
    *first = 0;
}

static void org_ref(const sim_district *d, sim_out *o, const char *id)
{
    sim_out_addf(o, "{\"href\":\"%s/orgs/%s\",\"sourcedId\":\"%s\",\"type\":\"org\"}", d->base_url,
                 id, id);
}

static void metadata_json(const sim_district *d, uint32_t i, const char *role, sim_out *o)
{
    sim_out_addf(o, "{\"sis_building\":\"B%02u\"", school_of(d, i, 0));
    if (strcmp(role, "student") == 0) {
        sim_out_addf(o, ",\"student_cohort\":\"%u\",\"lunch_status\":\"%s\",\"iep\":\"%s\"",
                     2027 + (unsigned)(h(d, i, 30) % 12), lunch[h(d, i, 31) % 3],
                     h(d, i, 32) % 7 == 0 ? "true" : "false");
        if (h(d, i, 33) % 5 == 0)
            sim_out_addf(o, ",\"ell_level\":%u", (unsigned)(h(d, i, 34) % 5) + 1);
        if (h(d, i, 35) % 33 == 0)
            sim_out_addf(o, ",\"transport_route\":\"R-%03u\"", (unsigned)(h(d, i, 36) % 200));
    } else if (strcmp(role, "teacher") == 0 || strcmp(role, "aide") == 0) {
        sim_out_addf(o, ",\"department\":\"%s\",\"hire_year\":%u", departments[h(d, i, 37) % 5],
                     2000 + (unsigned)(h(d, i, 38) % 26));
        if (strcmp(role, "teacher") == 0 && h(d, i, 39) % 33 == 0)
            sim_out_add(o, ",\"certification_expiry\":\"2027-06-30\"", 36);
    } else if (strcmp(role, "administrator") == 0) {
        sim_out_addf(o, ",\"office\":\"Room %u\",\"title\":\"Principal\"", (unsigned)(h(d, i, 40) % 300));
    } else {
        sim_out_addf(o, ",\"contact_priority\":%u,\"preferred_language\":\"%s\"",
                     (unsigned)(h(d, i, 41) % 3) + 1, h(d, i, 42) % 4 ? "en" : "es");
    }
    sim_out_add(o, "}", 1);
}

static void orgs_json(const sim_district *d, uint32_t i, const char *role, sim_out *o)
{
    char id[32];
    sim_out_add(o, "[", 1);
    snprintf(id, sizeof id, "org-school-%03u", school_of(d, i, 0));
    org_ref(d, o, id);
    if (two_schools(d, i)) {
        snprintf(id, sizeof id, "org-school-%03u", school_of(d, i, 1));
        sim_out_add(o, ",", 1);
        org_ref(d, o, id);
    }
    if (strcmp(role, "administrator") == 0) {
        sim_out_add(o, ",", 1);
        org_ref(d, o, "org-district");
    }
    sim_out_add(o, "]", 1);
}

void sim_user_json(const sim_district *d, uint32_t i, const char *fields, sim_out *o)
{
    const char *role = sim_user_role(d, i);
    char v[SIM_LONG_ID_LEN + 64];
    int first = 1;
#define STR_FIELD(name)                                              \
    if (want(fields, name)) {                                        \
        sim_user_field(d, i, name, v, sizeof v);                     \
        sep(o, &first);                                              \
        sim_out_addf(o, "\"" name "\":\"%s\"", v);                   \
    }
    sim_out_add(o, "{", 1);
    STR_FIELD("sourcedId");
    STR_FIELD("status");
    STR_FIELD("dateLastModified");
    if (want(fields, "metadata")) {
        sep(o, &first);
        sim_out_add(o, "\"metadata\":", 11);
        metadata_json(d, i, role, o);
    }
    STR_FIELD("username");
    if (want(fields, "userIds")) {
        sep(o, &first);
        sim_out_addf(o, "\"userIds\":[{\"type\":\"SIS\",\"identifier\":\"S%07u\"}]", i);
    }
    STR_FIELD("enabledUser");
    STR_FIELD("givenName");
    STR_FIELD("familyName");
    if (want(fields, "middleName")) {
        sep(o, &first);
        sim_out_add(o, "\"middleName\":\"\"", 15);
    }
    if (d->flags[i] & SIM_NO_ROLE) {
        /* neither role nor roles */
    } else if (d->oneroster12) {
        if (want(fields, "roles")) {
            char id[32];
            snprintf(id, sizeof id, "org-school-%03u", school_of(d, i, 0));
            sep(o, &first);
            sim_out_addf(o, "\"roles\":[{\"roleType\":\"primary\",\"role\":\"%s\",\"org\":", role);
            org_ref(d, o, id);
            sim_out_add(o, "}]", 2);
        }
        if (want(fields, "primaryOrg")) {
            char id[32];
            snprintf(id, sizeof id, "org-school-%03u", school_of(d, i, 0));
            sep(o, &first);
            sim_out_add(o, "\"primaryOrg\":", 13);
            org_ref(d, o, id);
        }
    } else {
        STR_FIELD("role");
    }
    STR_FIELD("identifier");
    STR_FIELD("email");
    if (want(fields, "sms")) {
        sep(o, &first);
        sim_out_add(o, "\"sms\":\"\"", 8);
    }
    if (want(fields, "phone")) {
        sep(o, &first);
        sim_out_add(o, "\"phone\":\"\"", 10);
    }
    if (want(fields, "agents")) {
        sep(o, &first);
        if (strcmp(role, "student") == 0 && i + 1 < d->n_users)
            sim_out_addf(o, "\"agents\":[{\"href\":\"%s/users/u%07u\",\"sourcedId\":\"u%07u\","
                         "\"type\":\"user\"}]", d->base_url, i + 1, i + 1);
        else
            sim_out_add(o, "\"agents\":[]", 11);
    }
    if (want(fields, "orgs") && !d->oneroster12) {
        sep(o, &first);
        sim_out_add(o, "\"orgs\":", 7);
        orgs_json(d, i, role, o);
    }
    if (want(fields, "grades")) {
        sep(o, &first);
        if (strcmp(role, "student") == 0)
            sim_out_addf(o, "\"grades\":[\"%02u\"]", (unsigned)(h(d, i, 43) % 12) + 1);
        else
            sim_out_add(o, "\"grades\":[]", 11);
    }
    if (want(fields, "password")) {
        sep(o, &first);
        sim_out_add(o, "\"password\":\"\"", 13);
    }
    sim_out_add(o, "}", 1);
#undef STR_FIELD
}

uint32_t sim_n_orgs(const sim_district *d)
{
    return d->n_schools + 1;
}

/* Org 0 is the district; org k (k >= 1) is school k-1. */
int sim_org_field(const sim_district *d, uint32_t i, const char *f, char *buf, size_t cap)
{
    (void)d;  /* orgs do not change with mutations */
    if (strcmp(f, "sourcedId") == 0) {
        if (i == 0)
            snprintf(buf, cap, "org-district");
        else
            snprintf(buf, cap, "org-school-%03u", i - 1);
    } else if (strcmp(f, "name") == 0) {
        if (i == 0)
            snprintf(buf, cap, "Springfield Unified School District");
        else if (i - 1 < sizeof school_names / sizeof school_names[0])
            snprintf(buf, cap, "%s", school_names[i - 1]);
        else
            snprintf(buf, cap, "School %u", i - 1);
    } else if (strcmp(f, "type") == 0) {
        snprintf(buf, cap, "%s", i == 0 ? "district" : "school");
    } else if (strcmp(f, "identifier") == 0) {
        snprintf(buf, cap, i == 0 ? "DIST" : "SCH%03u", i - 1);
    } else if (strcmp(f, "status") == 0) {
        snprintf(buf, cap, "active");
    } else if (strcmp(f, "dateLastModified") == 0) {
        sim_iso_time(BASE_EPOCH_MS, buf, cap);
    } else {
        return 0;
    }
    return 1;
}

void sim_org_json(const sim_district *d, uint32_t i, const char *fields, sim_out *o)
{
    static const char *const strs[] = {"sourcedId", "status", "dateLastModified", "name", "type",
                                       "identifier"};
    char v[128];
    size_t k;
    int first = 1;
    sim_out_add(o, "{", 1);
    for (k = 0; k < sizeof strs / sizeof strs[0]; k++) {
        if (!want(fields, strs[k]))
            continue;
        sim_org_field(d, i, strs[k], v, sizeof v);
        sep(o, &first);
        sim_out_addf(o, "\"%s\":\"%s\"", strs[k], v);
    }
    if (want(fields, "parent")) {
        sep(o, &first);
        if (i == 0)
            sim_out_add(o, "\"parent\":null", 13);
        else {
            sim_out_add(o, "\"parent\":", 9);
            org_ref(d, o, "org-district");
        }
    }
    sim_out_add(o, "}", 1);
}

static int grow(sim_district *d, uint32_t want_n)
{
    uint32_t ncap = d->cap_users;
    if (want_n <= ncap)
        return 0;
    while (ncap < want_n)
        ncap *= 2;
    d->flags = realloc(d->flags, ncap);
    d->version = realloc(d->version, ncap * sizeof *d->version);
    d->modified_ms = realloc(d->modified_ms, ncap * sizeof *d->modified_ms);
    if (!d->flags || !d->version || !d->modified_ms)
        return -1;
    memset(d->flags + d->cap_users, 0, ncap - d->cap_users);
    memset(d->version + d->cap_users, 0, (ncap - d->cap_users) * sizeof *d->version);
    d->cap_users = ncap;
    return 0;
}

uint32_t sim_mutate(sim_district *d, const char *kind, uint32_t count, int64_t now_ms)
{
    uint32_t done = 0, j, i, start, stride;
    int add = strcmp(kind, "add") == 0, restore = strcmp(kind, "restore") == 0;
    int longrun = strcmp(kind, "longrun") == 0;

    d->generation++;
    if (add) {
        if (grow(d, d->n_users + count) != 0)
            return 0;
        for (i = 0; i < count; i++) {
            d->flags[d->n_users] = 0;
            d->version[d->n_users] = 0;
            d->modified_ms[d->n_users++] = now_ms;
        }
        return count;
    }
    if (d->n_users == 0)
        return 0;
    /* Visit every user once, from a pseudo-random start with a prime stride,
     * so picks are spread out yet always found when eligible. */
    start = (uint32_t)(mix(d->seed ^ d->generation) % d->n_users);
    stride = d->n_users % 7919 != 0 ? 7919 % d->n_users : 1;
    if (stride == 0 || longrun)
        stride = 1;  /* longrun: neighbours, so their long ids share a head */
    for (j = 0; done < count && j < d->n_users; j++) {
        uint32_t k = (uint32_t)((start + (uint64_t)j * stride) % d->n_users);
        uint8_t f = d->flags[k];
        if (restore ? !(f & SIM_REMOVED) : (f & SIM_REMOVED) != 0)
            continue;
        if (strcmp(kind, "change") == 0) {
            d->version[k]++;
        } else if (strcmp(kind, "tobedeleted") == 0) {
            if (f & SIM_TOBEDELETED)
                continue;
            d->flags[k] |= SIM_TOBEDELETED;
        } else if (strcmp(kind, "disable") == 0) {
            if (f & SIM_DISABLED)
                continue;
            d->flags[k] |= SIM_DISABLED;
        } else if (strcmp(kind, "remove") == 0) {
            d->flags[k] |= SIM_REMOVED;
        } else if (strcmp(kind, "longid") == 0 || longrun) {
            if (f & SIM_LONG_ID)
                continue;
            d->flags[k] |= SIM_LONG_ID;
        } else if (strcmp(kind, "norole") == 0) {
            if (!(f & SIM_LONG_ID) || (f & SIM_NO_ROLE))
                continue;  /* only users given a long id: the case a test needs */
            d->flags[k] |= SIM_NO_ROLE;
        } else if (restore) {
            d->flags[k] &= (uint8_t)~SIM_REMOVED;
        } else {
            return 0;
        }
        d->modified_ms[k] = now_ms;
        done++;
    }
    return done;
}
