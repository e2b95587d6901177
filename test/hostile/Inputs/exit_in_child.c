#include <stdlib.h>
#include <unistd.h>

int run(void) {
  pid_t pid = fork();
  if (pid == 0) {
    exit(3);
  }
  return 0;
}
