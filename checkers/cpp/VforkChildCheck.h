//===--- VforkChildCheck.h - forksafe-vfork-child -------------------------===//
#ifndef FORKSAFE_CPP_VFORKCHILDCHECK_H
#define FORKSAFE_CPP_VFORKCHILDCHECK_H

#include "ForkCheckBase.h"

namespace clang::tidy::forksafe {

/// Flags anything but exec*/_exit/_Exit in the child of vfork(): other calls, stores to
/// memory the parent sees, and return.
///
/// For the user-facing documentation see docs/checks/forksafe-vfork-child.md
class VforkChildCheck : public ForkCheckBase {
public:
  using ForkCheckBase::ForkCheckBase;
  /// No options: vfork has no wrappers worth naming (returning from one is itself a bug).
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override {}
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
};

} // namespace clang::tidy::forksafe

#endif
