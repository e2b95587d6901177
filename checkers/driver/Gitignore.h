//===--- Gitignore.h - .gitignore patterns, as git reads them ---------------===//
#ifndef FORKSAFE_DRIVER_GITIGNORE_H
#define FORKSAFE_DRIVER_GITIGNORE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Regex.h"

#include <memory>
#include <string>
#include <vector>

namespace forksafe {

/// The patterns of one .gitignore file, matched against paths relative to its directory.
class GitignoreFile {
public:
  GitignoreFile(std::string BaseDir, llvm::StringRef Text);
  const std::string &baseDir() const { return BaseDir; }
  /// The verdict of the last pattern matching RelPath: 1 ignored, -1 re-included (`!`),
  /// 0 no pattern matched.
  int match(llvm::StringRef RelPath, bool IsDir) const;

private:
  struct Pattern {
    std::unique_ptr<llvm::Regex> Re;
    bool Negated = false;
    bool DirOnly = false;
  };
  std::string BaseDir;
  std::vector<Pattern> Patterns;
};

/// Translates one gitignore pattern (without `!` and trailing `/`) to an anchored regex.
std::string gitignorePatternToRegex(llvm::StringRef Pattern);

} // namespace forksafe

#endif
