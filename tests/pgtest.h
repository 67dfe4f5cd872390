/* pgtest.h - a real PostgreSQL server for the PostgreSQL variants of the
 * suites: started once per test run in a temp folder (as an unprivileged
 * user when the run is root, since initdb refuses root), listening on a
 * socket in that folder and on a loopback port, stopped at the end. */
#ifndef PGTEST_H
#define PGTEST_H

/* The superuser "mh" connects by socket without a password and over TCP
 * with this one (scram-sha-256). */
#define PGTEST_PASSWORD "mh-test-Pw-7f3"

/* Starts the server and sets MH_TEST_PG_HOST (the socket folder) and
 * MH_TEST_PG_PORT for the test processes; 0, or -1 with the reason on
 * stderr. */
int pgtest_start(void);
/* Stops it (immediately: nothing in it is kept) and removes its folder. */
void pgtest_stop(void);

/* 1 when this process's tests run against PostgreSQL. */
int pgtest_active(void);
/* Runs SQL as the superuser on database `db` through psql; the result as
 * tu_run's (caller frees).  Only in a test. */
struct tu_result pgtest_psql(const char *db, const char *sql);

#endif
