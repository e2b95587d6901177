//===--- ExitInChildCheck.h - forksafe-exit-in-child ----------------------===//
#ifndef FORKSAFE_CPP_EXITINCHILDCHECK_H
#define FORKSAFE_CPP_EXITINCHILDCHECK_H

#include "ForkCheckBase.h"

#include "llvm/ADT/DenseSet.h"

namespace clang::tidy::forksafe {

/// Flags exit() (not _exit) in the child of a fork: the parent's atexit handlers, static
/// destructors and unflushed stdio buffers run a second time. Fix-it: _exit.
///
/// For the user-facing documentation see docs/checks/forksafe-exit-in-child.md
class ExitInChildCheck : public ForkCheckBase {
public:
  using ForkCheckBase::ForkCheckBase;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  llvm::DenseSet<const Stmt *> Reported;
};

} // namespace clang::tidy::forksafe

#endif
