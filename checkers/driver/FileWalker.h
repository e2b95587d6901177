//===--- FileWalker.h - From command-line paths to the files to analyse ----===//
#ifndef FORKSAFE_DRIVER_FILEWALKER_H
#define FORKSAFE_DRIVER_FILEWALKER_H

#include "core/Diagnostic.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace forksafe {

enum class Language { Python, Cpp, Unknown };

/// The language of a file by its name (and, for a name without a known extension, a
/// `#!...python` first line).
Language languageOf(llvm::StringRef Path, bool ReadShebang);

struct WalkResult {
  std::vector<std::string> Python;
  std::vector<std::string> Cpp;
};

/// Expands Roots: files are taken as given (any name; an unknown type is an error); directories
/// are walked, respecting .gitignore files (the root's own and those of its parents inside the
/// same git work tree), skipping hidden folders, virtualenvs (pyvenv.cfg), node_modules and
/// __pycache__, following symbolic links without looping. Unreadable entries go to Errors.
WalkResult walkPaths(const std::vector<std::string> &Roots, std::vector<InputError> &Errors);

} // namespace forksafe

#endif
