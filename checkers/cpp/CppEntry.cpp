//===--- CppEntry.cpp - What libforksafe-cpp.so hands to the program ---------===//
#include "cpp/CppEntry.h"

extern const char *const ForksafeSourceDigest; // core/SourceDigest.cpp, generated

extern "C" __attribute__((visibility("default"))) const forksafe::cpp::EntryPoints *forksafe_cpp_entry_points() {
  static const forksafe::cpp::EntryPoints Entry{ForksafeSourceDigest, &forksafe::cpp::analyze,
                                                       &forksafe::cpp::summarizeDatabase,
                                                       &forksafe::cpp::writeSummaryFile};
  return &Entry;
}
