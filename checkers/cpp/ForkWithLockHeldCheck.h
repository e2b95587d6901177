//===--- ForkWithLockHeldCheck.h - forksafe-fork-with-lock-held -----------===//
#ifndef FORKSAFE_CPP_FORKWITHLOCKHELDCHECK_H
#define FORKSAFE_CPP_FORKWITHLOCKHELDCHECK_H

#include "ForkCheckBase.h"

namespace clang::tidy::forksafe {

/// Flags fork() while the forking function holds a lock (a live RAII guard, or a lock call
/// not undone on some path) and the child may do more than async-signal-safe work.
///
/// For the user-facing documentation see docs/checks/forksafe-fork-with-lock-held.md
class ForkWithLockHeldCheck : public ForkCheckBase {
public:
  ForkWithLockHeldCheck(StringRef Name, ClangTidyContext *Context)
      : ForkCheckBase(Name, Context), Safety(Options) {}
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override {
    ForkCheckBase::storeOptions(Opts);
    Safety.store(Options, Opts);
  }
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;

private:
  SafetyOptions Safety;
};

} // namespace clang::tidy::forksafe

#endif
