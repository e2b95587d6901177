//===--- CppEntry.h - The C/C++ analyzer as a library loaded on demand -------===//
//
// The clang-tidy engine needs libclang-cpp and libLLVM: 60+ MB and a tenth of a second of
// relocations at start-up. A Python-only run must not pay that, so the forksafe program does not
// link them: the C/C++ analyzer (CppAnalyzer.cpp and the checks) is built as lib/libforksafe-cpp.so,
// which the program loads with dlopen the first time it analyses a C/C++ file (CppLoader.cpp).
// The program's cpp::analyze (and summarizeDatabase, writeSummaryFile) forward to the library's,
// with the same signatures, so CppAnalyzer.h and WholeProgram.h stay the interface; the library hands its functions over in this table.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_CPPENTRY_H
#define FORKSAFE_CPP_CPPENTRY_H

#include "cpp/CppAnalyzer.h"
#include "cpp/WholeProgram.h"

namespace forksafe {
namespace cpp {

struct EntryPoints {
  /// The digest of the sources the library was built from: the program refuses a library of
  /// another build, whose types may differ.
  const char *SourceDigest;
  decltype(&analyze) Analyze;
  decltype(&summarizeDatabase) SummarizeDatabase;
  decltype(&writeSummaryFile) WriteSummaryFile;
};

} // namespace cpp
} // namespace forksafe

/// The one symbol the library exports.
extern "C" const forksafe::cpp::EntryPoints *forksafe_cpp_entry_points();
#define FORKSAFE_CPP_ENTRY_SYMBOL "forksafe_cpp_entry_points"

#endif
