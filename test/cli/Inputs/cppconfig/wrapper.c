// Calls only a project wrapper (named in AdditionalForkFunctions), never the libc call itself.
void exit(int) __attribute__((noreturn));
int spawn_worker(void);

int run_wrapped(void) {
  if (spawn_worker() == 0)
    exit(1);
  return 0;
}
