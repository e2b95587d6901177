// usage() never returns either: it calls fatal() of util.c on its only path.
void fatal(const char *why);

void usage(void) { fatal("usage: prog [-v]"); }
