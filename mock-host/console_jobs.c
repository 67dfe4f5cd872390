/*
 * console_jobs.c - the console runs mock-host's own commands as child
 * processes, so a page says exactly the sentences the command line prints
 * and a sync runs on its own database connection, apart from the
 * console's: a sync is one long write transaction, and the console keeps
 * answering (reads in WAL mode never wait for it) while it runs.
 *
 * The child is this same binary, started with posix_spawn (no shell; the
 * arguments are a vector).  A secret never goes on its command line: it is
 * handed over as an environment variable of the child only (--FIELD-env).
 * A background job's output is read by one thread per job into a buffer
 * capped at 256 KiB (a sync prints a few lines, never its records).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console_server.h"

extern char **environ;

#define MAX_JOBS 16
#define MAX_OUTPUT (256 * 1024)
#define MAX_ARGS 32

typedef struct job {
    char app[64];
    char what[64];
    pid_t pid;
    int fd;
    int running, exit_status, used;
    mh_str out;
    char last_line[512];
    pthread_t thread;
    int joinable;
} job;

static pthread_mutex_t jobs_mu = PTHREAD_MUTEX_INITIALIZER;
static job jobs[MAX_JOBS];

/* Spawns `self --db DB args...` with stdout and stderr on a pipe; the read
 * end into *fd.  Returns the pid or -1. */
static pid_t spawn(mh_console *con, const char *const *args, const char *const *extra_env, int *fd)
{
    const char *argv[MAX_ARGS + 4];
    char **envp;
    size_t n = 0, i, n_env = 0, n_extra = 0;
    posix_spawn_file_actions_t fa;
    int p[2];
    pid_t pid;

    argv[n++] = con->self_exe;
    argv[n++] = "--db";
    argv[n++] = con->ctx->db_path;
    for (i = 0; args[i] != NULL && n < MAX_ARGS + 3; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    while (environ[n_env] != NULL)
        n_env++;
    while (extra_env != NULL && extra_env[n_extra] != NULL)
        n_extra++;
    envp = calloc(n_env + n_extra + 1, sizeof *envp);
    if (envp == NULL || pipe2(p, O_CLOEXEC) != 0) {
        free(envp);
        return -1;
    }
    memcpy(envp, environ, n_env * sizeof *envp);
    for (i = 0; i < n_extra; i++)
        envp[n_env + i] = (char *)extra_env[i];
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_adddup2(&fa, p[1], 2);
    if (posix_spawn(&pid, con->self_exe, &fa, NULL, (char *const *)argv, envp) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    free(envp);
    close(p[1]);
    if (pid < 0)
        close(p[0]);
    else
        *fd = p[0];
    return pid;
}

static int exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int mh_console_run(mh_console *con, const char *const *args, const char *const *extra_env,
                   char **output)
{
    mh_str out = {0};
    char buf[4096];
    ssize_t n;
    int fd = -1, status = 0;
    pid_t pid = spawn(con, args, extra_env, &fd);

    mh_str_adds(&out, "");
    if (pid < 0) {
        mh_str_adds(&out, "mock-host: could not start the command (out of processes?); try again");
        *output = out.data;
        return -1;
    }
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && out.len < MAX_OUTPUT)
            mh_str_add(&out, buf, (size_t)n);
    close(fd);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    *output = out.data;
    return exit_code(status);
}

/* The latest complete line of a job's output, as its progress. */
static void note_last_line(job *j)
{
    const char *end = j->out.data + j->out.len, *start;
    while (end > j->out.data && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    start = end;
    while (start > j->out.data && start[-1] != '\n' && start[-1] != '\r')
        start--;
    snprintf(j->last_line, sizeof j->last_line, "%.*s", (int)(end - start), start);
}

static void *job_reader(void *arg)
{
    job *j = arg;
    char buf[4096];
    ssize_t n;
    int status = 0;
    for (;;) {
        n = read(j->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        pthread_mutex_lock(&jobs_mu);
        if (j->out.len < MAX_OUTPUT)
            mh_str_add(&j->out, buf, (size_t)n);
        note_last_line(j);
        pthread_mutex_unlock(&jobs_mu);
    }
    close(j->fd);
    while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&jobs_mu);
    j->exit_status = exit_code(status);
    j->running = 0;
    pthread_mutex_unlock(&jobs_mu);
    return NULL;
}

int mh_job_start(mh_console *con, const char *app, const char *what, const char *const *args)
{
    job *j = NULL;
    size_t i;
    int fd = -1;

    pthread_mutex_lock(&jobs_mu);
    for (i = 0; i < MAX_JOBS; i++) {
        if (jobs[i].used && strcmp(jobs[i].app, app) == 0) {
            if (jobs[i].running) {
                pthread_mutex_unlock(&jobs_mu);
                return 1;
            }
            j = &jobs[i];
            break;
        }
        if (!jobs[i].used && j == NULL)
            j = &jobs[i];
    }
    if (j == NULL) {
        for (i = 0; i < MAX_JOBS && j == NULL; i++)   /* full: reuse a finished one */
            if (!jobs[i].running)
                j = &jobs[i];
    }
    if (j == NULL) {
        pthread_mutex_unlock(&jobs_mu);
        return -1;
    }
    if (j->joinable) {
        pthread_join(j->thread, NULL);  /* finished: returns at once */
        j->joinable = 0;
    }
    mh_str_free(&j->out);
    mh_str_adds(&j->out, "");
    j->used = 1;
    snprintf(j->app, sizeof j->app, "%s", app);
    snprintf(j->what, sizeof j->what, "%s", what);
    j->last_line[0] = '\0';
    j->pid = spawn(con, args, NULL, &fd);
    if (j->pid < 0) {
        j->running = 0;
        j->exit_status = -1;
        snprintf(j->last_line, sizeof j->last_line, "could not start the command");
        pthread_mutex_unlock(&jobs_mu);
        return -1;
    }
    j->fd = fd;
    j->running = 1;
    if (pthread_create(&j->thread, NULL, job_reader, j) != 0) {
        kill(j->pid, SIGTERM);
        close(fd);
        waitpid(j->pid, NULL, 0);
        j->running = 0;
        j->exit_status = -1;
        pthread_mutex_unlock(&jobs_mu);
        return -1;
    }
    j->joinable = 1;
    pthread_mutex_unlock(&jobs_mu);
    return 0;
}

int mh_job_get(const char *app, mh_job_view *out)
{
    size_t i;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&jobs_mu);
    for (i = 0; i < MAX_JOBS; i++) {
        job *j = &jobs[i];
        if (!j->used || strcmp(j->app, app) != 0)
            continue;
        out->running = j->running;
        out->exit_status = j->exit_status;
        snprintf(out->what, sizeof out->what, "%s", j->what);
        snprintf(out->last_line, sizeof out->last_line, "%s", j->last_line);
        out->output = strdup(j->out.data != NULL ? j->out.data : "");
        pthread_mutex_unlock(&jobs_mu);
        return 0;
    }
    pthread_mutex_unlock(&jobs_mu);
    return 1;
}

void mh_jobs_stop_all(void)
{
    size_t i;
    pthread_mutex_lock(&jobs_mu);
    for (i = 0; i < MAX_JOBS; i++)
        if (jobs[i].used && jobs[i].running)
            kill(jobs[i].pid, SIGTERM);
    pthread_mutex_unlock(&jobs_mu);
    for (i = 0; i < MAX_JOBS; i++) {
        if (jobs[i].joinable) {
            pthread_join(jobs[i].thread, NULL);
            jobs[i].joinable = 0;
        }
        mh_str_free(&jobs[i].out);
        jobs[i].used = 0;
    }
}
