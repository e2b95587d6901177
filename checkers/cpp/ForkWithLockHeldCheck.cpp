//===--- ForkWithLockHeldCheck.cpp - forksafe-fork-with-lock-held ---------===//

#include "ForkWithLockHeldCheck.h"

#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::forksafe {

void ForkWithLockHeldCheck::registerMatchers(MatchFinder *Finder) { addForkMatcher(Finder); }

void ForkWithLockHeldCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Fork = Result.Nodes.getNodeAs<CallExpr>("fork");
  ForkFacts &Facts = facts(*Result.Context);
  const std::optional<HeldLock> &Lock = Facts.heldLock(Fork);
  if (!Lock)
    return;
  // The child inherits the lock held; only a child that execs or exits cheaply is fine.
  SafetyPolicy Policy = Safety.policy();
  for (const ForkSite &Site : Facts.sites(Fork)) {
    const ChildRegion &Child = Facts.child(Site);
    const std::optional<UnsafeOperation> &Unsafe = Facts.firstUnsafe(Site, Policy);
    if (!Unsafe)
      continue;
    std::string Message = "fork() while '" + Lock->Mutex + "' is locked; the child " +
                          (Child.Unknown ? std::string("cannot be followed here")
                                         : childPhrase(*Unsafe) + " before exec") +
                          " and inherits the lock held forever: release the lock before "
                          "fork(), or call only async-signal-safe functions before "
                          "exec*/_exit in the child";
    diag(Site.Site->getBeginLoc(), "%0") << Message << Site.Site->getSourceRange();
    if (!Lock->Guard.empty())
      diag(Lock->Acquired->getBeginLoc(), "'%0' ('%1') holds '%2' from here",
           DiagnosticIDs::Note)
          << Lock->Guard << Lock->GuardType << Lock->Mutex;
    else
      diag(Lock->Acquired->getBeginLoc(), "'%0' locked here and not unlocked before the fork",
           DiagnosticIDs::Note)
          << Lock->Mutex;
    if (Site.Site != Fork)
      diag(Fork->getBeginLoc(), "fork() called here, its result returned to the caller",
           DiagnosticIDs::Note);
    noteUnsafe(*Unsafe);
  }
}

} // namespace clang::tidy::forksafe
