/* measure.c - runs a command and prints its wall time, CPU time (user and
 * system, all its threads and waited-for children) and peak RSS:
 *   measure CMD [ARGS...]  ->
 *   "measure: seconds=S user_s=U sys_s=Y peak_rss_kb=K vcsw=V ivcsw=I status=N" on stderr
 * (vcsw: context switches while waiting; ivcsw: while preempted) */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct timespec a, b;
    struct rusage ru;
    pid_t pid;
    int st = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: measure CMD [ARGS...]\n");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid = fork();
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &st, 0, &ru) != pid)
        return 1;
    clock_gettime(CLOCK_MONOTONIC, &b);
    fprintf(stderr, "measure: seconds=%.3f user_s=%.3f sys_s=%.3f peak_rss_kb=%ld vcsw=%ld ivcsw=%ld "
            "status=%d\n",
            (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
            (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
            (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss, ru.ru_nvcsw,
            ru.ru_nivcsw,
            WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
