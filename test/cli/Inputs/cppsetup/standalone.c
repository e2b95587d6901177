// Needs no include path: default flags are enough.
int fork(void);
void exit(int);

int standalone(void) {
  if (fork() == 0)
    exit(1);
  return 0;
}
