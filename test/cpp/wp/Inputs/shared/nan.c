// Calls a compiler builtin, which no unit defines: it is not a project function.
int is_nan(double x) { return __builtin_isnan(x); }
