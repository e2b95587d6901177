// The program: daemonize, start the pool, then fork workers through the wrapper.
#include <forksafe-system.h>

void daemonize(void);
void start_pool(int n);
pid_t spawn_worker(void);
void child_main(void);
void child_log(void);
void fatal(const char *why);

static void serve(void) {
  if (spawn_worker() == 0) {
    child_log();
    child_main();
  }
}

int main(void) {
  daemonize();
  start_pool(4);
  serve();
  pid_t pid = spawn_worker();
  if (pid == 0)
    fatal("no work");
  return 0;
}
