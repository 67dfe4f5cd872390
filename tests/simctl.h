/* simctl.h - starting the simulator from a test, and talking to it. */
#ifndef SIMCTL_H
#define SIMCTL_H

#include <sys/types.h>

typedef struct sim_proc {
    pid_t pid;
    int port;
    int stdin_fd;       /* closing it stops the simulator */
} sim_proc;

/* Starts build/classlink-sim with extra arguments (space-separated). */
void sim_start(sim_proc *s, const char *args);
void sim_stop(sim_proc *s);

/* GET http://127.0.0.1:PORT/path; returns the body (caller frees). */
char *sim_get(const sim_proc *s, const char *path_fmt, ...) __attribute__((format(printf, 2, 3)));
/* A number from /_sim/stats, e.g. "auth_failures". */
long long sim_stat(const sim_proc *s, const char *key);

#endif
