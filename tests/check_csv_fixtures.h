/*
 * check_csv_fixtures.h - what the OneRoster CSV suites share: a small
 * export (with quoting, a BOM-free CRLF file, lists, metadata and
 * passwords that must never surface), writers for folders and zips, and a
 * real OpenSSH sshd on loopback with keys made at test time.
 */
#ifndef CHECK_CSV_FIXTURES_H
#define CHECK_CSV_FIXTURES_H

#include <stddef.h>
#include <sys/types.h>

struct MHD_Daemon;

#define USERS_HEADER "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username," \
    "userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades," \
    "password,metadata.cohort,metadata.lunch_id\r\n"
#define MANIFEST_BULK "propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.1\r\n" \
    "file.orgs,bulk\r\nfile.users,bulk\r\nsource.systemName,Test District\r\n"
#define ORGS "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\n" \
    "d1,,,Test District,district,D1,\r\ns1,,,\"North, High\",school,S1,d1\r\n" \
    "s2,,,South Middle,school,S2,d1\r\n"
#define USERS USERS_HEADER \
    "u1,,,true,\"s1,s2\",student,ann,\"{SIS:1}\",Ann,\"O\"\"Neil, Jr\",,ID1,ann@x.org,,,," \
    "\"09,10\",pw-secret-1,2027,5001\r\n" \
    "u2,,,false,s1,teacher,bob,,Bob,\"Two\r\nLines\",,ID2,bob@x.org,,,,,pw-secret-2,,\r\n" \
    "u3,,2024-05-01T10:00:00Z,true,s2,Student,cy,,Cy,Dee,,ID3,,,,,11,,2028,5003\r\n"

/* users.csv with a bad row of every kind between three good ones (g1, g2,
 * g3).  Readable sourcedId, bad value: b1 role (line 3), b3 enabledUser
 * (5), b5 dateLastModified (8), b6 status (9), b7 no org (10).  No readable
 * sourcedId: a short row (4), an empty sourcedId (6), a long row (11). */
#define USERS_BAD_ROWS USERS_HEADER \
    "g1,,,true,s1,student,g1,,Gee,One,,,,,,,,,,\r\n" \
    "b1,,,true,s1,wizard,b1,,Bad,Role,,,,,,,,,,\r\n" \
    "b2,,,true,s1\r\n" \
    "b3,,,maybe,s1,teacher,b3,,Bad,Bool,,,,,,,,,,\r\n" \
    ",,,true,s1,student,b4,,No,Id,,,,,,,,,,\r\n" \
    "g2,,2024-05-01T10:00:00Z,true,s2,teacher,g2,,Gee,Two,,,,,,,,,,\r\n" \
    "b5,,yesterday,true,s1,student,b5,,Bad,Date,,,,,,,,,,\r\n" \
    "b6,retired,,true,s1,student,b6,,Bad,Status,,,,,,,,,,\r\n" \
    "b7,,,true,,student,b7,,No,Org,,,,,,,,,,\r\n" \
    "b8,,,true,s1,student,b8,,Too,Many,,,,,,,,,,,extra\r\n" \
    "g3,,,false,\"s1,s2\",aide,g3,,Gee,Three,,,,,,,,,,\r\n"
#define USERS_BAD_ROWS_N 8
/* Each bad row's report: sourcedId ("" when none) and the reason's start. */
#define USERS_BAD_ROWS_REPORTS { \
    {"b1", "users.csv line 3: unknown role 'wizard' (expected administrator, aide, "}, \
    {"", "users.csv line 4: 5 columns where the header has 20"}, \
    {"b3", "users.csv line 5: enabledUser is 'maybe' (expected true or false)"}, \
    {"", "users.csv line 6: sourcedId is empty"}, \
    {"b5", "users.csv line 8: dateLastModified 'yesterday' is not an ISO 8601 date"}, \
    {"b6", "users.csv line 9: unknown status 'retired' (expected active or tobedeleted)"}, \
    {"b7", "users.csv line 10: orgSourcedIds is empty"}, \
    {"", "users.csv line 11: 21 columns where the header has 20"}}

/* Writes manifest.csv, orgs.csv and users.csv (each when non-NULL) into `d`. */
void csvfx_write_export(const char *d, const char *manifest, const char *orgs, const char *users);

/* A zip `d`/`name` of the name=content pairs (NULL-terminated), entries
 * stored under `prefix`.  Returns its path; caller frees. */
char *csvfx_write_zip(const char *d, const char *name, const char *prefix,
                      const char *const *files);

/* sshd on 127.0.0.1:port for `d`, with, in `d`: host_key, user_key
 * (authorized for any user), known_hosts (the right key),
 * changed_known_hosts (another key for the same host), empty_known_hosts.
 * root's password is not known to tests: a password login always fails. */
typedef struct csvfx_sshd {
    pid_t pid;
    unsigned port;
} csvfx_sshd;

void csvfx_sshd_start(csvfx_sshd *s, const char *d);
void csvfx_sshd_stop(csvfx_sshd *s);

/* A plain-http server on 127.0.0.1 (a loopback host, so the plugin allows
 * http) standing for a storage service with pre-signed URLs: it serves the
 * file `path` at /export.zip only to a request whose query carries
 * X-Amz-Credential=`credential` and X-Amz-Signature=`signature` (both
 * borrowed until stop), and answers 403 otherwise. */
typedef struct csvfx_signed {
    struct MHD_Daemon *daemon;
    unsigned port;
    char *body;
    size_t len;
    const char *credential, *signature;
} csvfx_signed;

void csvfx_signed_start(csvfx_signed *s, const char *path, const char *credential,
                        const char *signature);
void csvfx_signed_stop(csvfx_signed *s);

/* The host-level cases (check_csv_host.c), a second TCase of suite "csv". */
#include <check.h>
TCase *csv_host_tcase(void);

#endif
