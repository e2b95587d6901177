//===--- CheckGlobs.h - clang-tidy style check selection ---------------------===//
#ifndef FORKSAFE_CORE_CHECKGLOBS_H
#define FORKSAFE_CORE_CHECKGLOBS_H

#include "llvm/ADT/StringRef.h"
#include <string>
#include <vector>

namespace forksafe {

/// A comma-separated list of globs as clang-tidy reads `-checks`: `*` matches any run of
/// characters, a leading `-` removes, and the last glob that matches a name decides.
class CheckGlobs {
public:
  CheckGlobs() = default;
  explicit CheckGlobs(llvm::StringRef Spec) { append(Spec); }
  /// Adds globs after the existing ones (so they take precedence).
  void append(llvm::StringRef Spec);
  bool empty() const { return Items.empty(); }
  /// True when the last matching glob is positive; false when none matches.
  bool contains(llvm::StringRef Name) const;
  /// Whether any glob matched at all (to tell "disabled" from "not mentioned").
  bool matches(llvm::StringRef Name, bool &Enabled) const;

  struct Item {
    bool Positive;
    std::string Pattern;
  };
  const std::vector<Item> &items() const { return Items; }

private:
  std::vector<Item> Items;
};

/// The selection before configuration and --checks: every check but those off by default
/// (forksafe-unused-suppression, as Ruff's RUF100 is not in its defaults).
extern const char DefaultChecks[];

/// The ids of every check there is, set once by the program before any analysis starts (and
/// before threads). While empty, nothing is validated (library users, unit tests).
void setKnownChecks(std::vector<std::string> Ids);
const std::vector<std::string> &knownChecks();

/// The known check nearest to Name: the same name in another case if there is one, else the
/// smallest edit distance. "" when no checks are known.
std::string closestCheck(llvm::StringRef Name);

/// "" when every glob of Spec (clang-tidy syntax, as --checks) matches at least one known
/// check; else a sentence naming the first glob that matches none and the closest check,
/// e.g. "unknown check 'forksafe-preexec' (did you mean 'forksafe-preexec-fn'?)".
std::string checkListProblem(llvm::StringRef Spec);

/// Whether the glob Pattern (no leading '-') matches any known check.
bool matchesKnownCheck(llvm::StringRef Pattern);

} // namespace forksafe

#endif
