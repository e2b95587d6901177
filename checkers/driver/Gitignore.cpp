#include "Gitignore.h"

#include "llvm/ADT/SmallVector.h"

namespace forksafe {

std::string gitignorePatternToRegex(llvm::StringRef P) {
  // A slash at the start or in the middle anchors the pattern to the .gitignore's directory;
  // otherwise it matches a name at any depth.
  bool Anchored = P.drop_back().contains('/');
  P.consume_front("/");
  std::string Re = Anchored ? "^" : "^(.*/)?";
  for (size_t I = 0; I < P.size(); ++I) {
    char C = P[I];
    if (C == '*') {
      bool Double = I + 1 < P.size() && P[I + 1] == '*';
      bool AtSegmentStart = I == 0 || P[I - 1] == '/';
      if (Double && AtSegmentStart && (I + 2 == P.size() || P[I + 2] == '/')) {
        if (I + 2 == P.size()) {
          Re += ".*"; // trailing `/**`: everything inside
          I += 1;
        } else {
          Re += "(.*/)?"; // `**/`: zero or more directories
          I += 2;
        }
      } else {
        Re += "[^/]*";
        while (I + 1 < P.size() && P[I + 1] == '*')
          ++I;
      }
    } else if (C == '?') {
      Re += "[^/]";
    } else if (C == '[') {
      size_t Close = P.find(']', I + 1);
      if (Close == llvm::StringRef::npos) {
        Re += "\\[";
        continue;
      }
      llvm::StringRef Class = P.slice(I + 1, Close);
      Re += "[";
      if (Class.consume_front("!") || Class.consume_front("^"))
        Re += "^";
      for (char K : Class)
        Re += (K == '\\') ? std::string("\\\\") : std::string(1, K);
      Re += "]";
      I = Close;
    } else if (C == '\\' && I + 1 < P.size()) {
      ++I;
      Re += "\\";
      Re += P[I];
    } else if (llvm::StringRef(".+()|{}^$").contains(C)) {
      Re += "\\";
      Re += C;
    } else {
      Re += C;
    }
  }
  // The pattern must match the entry itself: the walk prunes ignored folders as it descends,
  // so what lies below one is never asked about, and a folder named on the command line is
  // walked even when a parent's .gitignore excludes it.
  Re += "$";
  return Re;
}

GitignoreFile::GitignoreFile(std::string Base, llvm::StringRef Text) : BaseDir(std::move(Base)) {
  llvm::SmallVector<llvm::StringRef, 32> Lines;
  Text.split(Lines, '\n');
  for (llvm::StringRef Line : Lines) {
    Line = Line.rtrim("\r");
    // Trailing spaces are ignored unless escaped with a backslash.
    while (Line.size() >= 1 && Line.back() == ' ' && !(Line.size() >= 2 && Line[Line.size() - 2] == '\\'))
      Line = Line.drop_back();
    if (Line.empty() || Line.front() == '#')
      continue;
    Pattern Pat;
    if (Line.consume_front("!"))
      Pat.Negated = true;
    else
      Line.consume_front("\\"); // `\!` and `\#` stand for themselves
    if (Line.consume_back("/"))
      Pat.DirOnly = true;
    if (Line.empty())
      continue;
    Pat.Re = std::make_unique<llvm::Regex>(gitignorePatternToRegex(Line));
    std::string Err;
    if (!Pat.Re->isValid(Err))
      continue;
    Patterns.push_back(std::move(Pat));
  }
}

int GitignoreFile::match(llvm::StringRef RelPath, bool IsDir) const {
  for (auto It = Patterns.rbegin(); It != Patterns.rend(); ++It) {
    if (!It->Re->match(RelPath))
      continue;
    if (It->DirOnly && !IsDir)
      continue;
    return It->Negated ? -1 : 1;
  }
  return 0;
}

} // namespace forksafe
