// Calls no process-creating function: skipped before parsing, so its missing header is never an error.
#include <not_installed_anywhere.h>
int quiet(void) { return 0; }
