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

private:
  struct Item {
    bool Positive;
    std::string Pattern;
  };
  std::vector<Item> Items;
};

} // namespace forksafe

#endif
