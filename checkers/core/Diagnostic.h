//===--- Diagnostic.h - Findings and input errors shared by all analyzers ---===//
//
// Both analyzers (Python rules, clang-tidy checks) report through these types, so
// reporters, suppressions and --fix never need to know which language a finding came from.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CORE_DIAGNOSTIC_H
#define FORKSAFE_CORE_DIAGNOSTIC_H

#include <optional>
#include <string>
#include <vector>

namespace forksafe {

/// A position in a file: 1-based line, 1-based column counted in bytes (clang's convention).
struct Location {
  std::string File;
  unsigned Line = 0;
  unsigned Column = 0;
};

struct Note {
  Location Loc;
  std::string Message;
};

/// Replace the bytes [Offset, Offset+Length) of File with Replacement. Line/column fields
/// describe the same range for reporters.
struct Edit {
  std::string File;
  unsigned Offset = 0;
  unsigned Length = 0;
  unsigned Line = 0, Column = 0, EndLine = 0, EndColumn = 0;
  std::string Replacement;
};

enum class Applicability { Safe, Unsafe };

struct Fix {
  Applicability Kind = Applicability::Safe;
  std::string Description;
  std::vector<Edit> Edits;
};

enum class Severity { Warning, Error };

struct Diagnostic {
  std::string Check;
  Severity Level = Severity::Warning;
  Location Loc;
  unsigned EndLine = 0, EndColumn = 0;   // exclusive end; 0 when unknown
  std::string Message;
  std::vector<Note> Notes;
  std::optional<Fix> FixIt;
};

/// An input that could not be analysed (fully or at all). Errors make the exit code 2,
/// but never stop the other inputs from being analysed and reported.
struct InputError {
  std::string File;
  std::string Message;
};

/// Orders diagnostics by file, line, column, check id (stable output under -j).
bool operator<(const Diagnostic &A, const Diagnostic &B);

} // namespace forksafe

#endif
