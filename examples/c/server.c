/* A server that starts a logging thread, then forks a helper: the child may deadlock in
 * malloc/printf if the logging thread held their locks at the moment of the fork. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void *log_flusher(void *arg) {
  for (;;) {
    pthread_mutex_lock(&log_lock);
    fflush(stderr);
    pthread_mutex_unlock(&log_lock);
    sleep(1);
  }
  return arg;
}

static void run_helper(const char *name) {
  pid_t pid = fork();
  if (pid == 0) {
    char *label = strdup(name); /* malloc in the child of a multithreaded process */
    printf("helper %s started\n", label);
    exit(0); /* runs the parent's atexit handlers again */
  }
}

/* The safe way: exec immediately, nothing else in the child. */
static void run_tool(char *const argv[]) {
  pid_t pid = fork();
  if (pid == 0) {
    execvp(argv[0], argv);
    _exit(127);
  }
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, log_flusher, NULL);
  run_helper("indexer");
  char *argv[] = {"true", NULL};
  run_tool(argv);
  return 0;
}
