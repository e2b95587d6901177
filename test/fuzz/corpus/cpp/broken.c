int f(void) { return fork( ; }
#include <nonexistent.h>
