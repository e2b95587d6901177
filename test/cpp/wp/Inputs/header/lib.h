// The test replaces this header by lib-threaded.h: only the header changes, not lib.c.
static inline void start_workers(void) {}
