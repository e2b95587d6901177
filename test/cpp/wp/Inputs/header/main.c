#include <forksafe-system.h>

void setup(void);

int main(void) {
  setup();
  if (fork() == 0) {
    printf("child\n");
    _exit(0);
  }
  return 0;
}
