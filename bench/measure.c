/* The launcher bench/run.py measures every tool through: runs argv[2..] and writes
 * "user_us sys_us maxrss_kb status" of that child to the file argv[1].
 *
 * Why not from Python directly: Linux counts in a child's peak RSS the pages it shared with the
 * process that forked it, until it execs; a child of the benchmark's Python (20 MB and more,
 * holding the file lists) would report at least that much. This launcher is small, so its
 * child's peak is the tool's own. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: measure OUT-FILE PROGRAM [ARG]...\n");
    return 125;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 125;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    perror(argv[2]);
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) {
    perror("wait4");
    return 125;
  }
  FILE *out = fopen(argv[1], "w");
  if (!out) {
    perror(argv[1]);
    return 125;
  }
  fprintf(out, "%ld %ld %ld %d\n", (long)ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
          (long)ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec, ru.ru_maxrss,
          WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  fclose(out);
  return 0;
}
