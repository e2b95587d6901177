#include "lib.h"

void setup(void) { start_workers(); }
