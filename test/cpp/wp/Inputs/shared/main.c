// Names no fork: start_child is a fork only through AdditionalForkFunctions.
#include <forksafe-system.h>

int start_child(void);

int main(void) {
  if (start_child() == 0)
    exit(1);
  return 0;
}
