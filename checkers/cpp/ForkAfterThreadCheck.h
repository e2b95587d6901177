//===--- ForkAfterThreadCheck.h - forksafe-fork-after-thread --------------===//
#ifndef FORKSAFE_CPP_FORKAFTERTHREADCHECK_H
#define FORKSAFE_CPP_FORKAFTERTHREADCHECK_H

#include "ForkCheckBase.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace clang::tidy::forksafe {

/// Flags fork() in a process that may already run other threads, when the child may run
/// code that is not async-signal-safe before exec*/_exit.
///
/// For the user-facing documentation see docs/checks/forksafe-fork-after-thread.md
class ForkAfterThreadCheck : public ForkCheckBase {
public:
  ForkAfterThreadCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  SafetyOptions Safety;
  const bool AssumeMultithreaded;
  const std::string AdditionalThreadStarters;
  ThreadStartMatcher Threads;

  // Collected while matching, judged at the end of the translation unit: a fork may run in a
  // thread body whose thread is started further down.
  ASTContext *Ctx = nullptr;
  llvm::SmallVector<const CallExpr *, 8> Forks;
  llvm::DenseMap<const FunctionDecl *, const Stmt *> ThreadBodies;
};

} // namespace clang::tidy::forksafe

#endif
