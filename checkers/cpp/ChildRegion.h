//===--- ChildRegion.h - Where the child of a fork runs ---===//
#ifndef FORKSAFE_CPP_CHILDREGION_H
#define FORKSAFE_CPP_CHILDREGION_H

#include "TranslationUnitModel.h"

namespace clang {
namespace tidy::forksafe {

/// Statements the child runs one after the other, in one function, until one of them ends
/// the walk (exec*, _exit, return, a call or loop that never returns).
struct ChildSequence {
  llvm::SmallVector<const Stmt *, 8> Stmts;
  const FunctionDecl *Function = nullptr;
  /// Running off the end of Stmts returns from Function.
  bool EndsFunction = false;
  /// switch (fork()) { case 0: ... }: a break of BreaksOutOf goes on at Stmts[AfterBreak].
  const SwitchStmt *BreaksOutOf = nullptr;
  unsigned AfterBreak = ~0u;
  /// Set when the child returned from a function into this sequence, after this call.
  CallLink ReturnedThrough;
};

/// The code that runs in the child of one fork.
struct ChildRegion {
  /// The places the child may run from: its branch (and what follows it), the code of fork
  /// wrappers below the site, the callers it returns into.
  llvm::SmallVector<ChildSequence, 2> Sequences;
  /// The function the child region is in.
  const FunctionDecl *Function = nullptr;
  /// The child may return from Function into code this analysis does not see (no caller in
  /// the translation unit): it goes on running the program.
  bool ReturnsFromFunction = false;
  /// Functions whose returns in the child are followed into their callers (sequences with
  /// ReturnedThrough set, or the wrappers' callers' tests): such a return is not by itself
  /// the child going astray.
  llvm::SmallVector<const FunctionDecl *, 2> FollowedReturns;
  /// How the child was found could not be determined (the pid escapes, is never tested).
  bool Unknown = false;
  /// The variable holding the fork's result, if any.
  const VarDecl *PidVar = nullptr;
  /// The parent's branch ends the process (if (fork() != 0) exit(0);): the child goes on as
  /// the program itself, as daemons do, and its later exit is its own.
  bool ParentEndsProcess = false;
};

/// Where a fork's child runs: the fork call itself, or the call of a wrapper that returns the
/// fork's result, at which the child is found. Frames lead from the fork up to the site.
struct ForkSite {
  const Expr *Site = nullptr;
  const FunctionDecl *Function = nullptr;
  /// (function, statement) pairs from the fork call outward to Site (inclusive).
  llvm::SmallVector<std::pair<const FunctionDecl *, const Stmt *>, 2> Frames;
};

/// The places where the child of ForkCall can be found: ForkCall itself, or where the wrappers
/// returning its result are called (an unused wrapper stays the site).
llvm::SmallVector<ForkSite, 2> forkSites(TranslationUnitModel &Model, const CallExpr *ForkCall);

/// The child region of a fork site.
ChildRegion childRegion(TranslationUnitModel &Model, const ForkSite &Site);

} // namespace tidy::forksafe
} // namespace clang

#endif
