int start_child(void) { return 0; }
