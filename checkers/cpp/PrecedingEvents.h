//===--- PrecedingEvents.h - What happened before a fork ---===//
#ifndef FORKSAFE_CPP_PRECEDINGEVENTS_H
#define FORKSAFE_CPP_PRECEDINGEVENTS_H

#include "ChildRegion.h"

#include "llvm/ADT/StringSet.h"

#include <optional>

namespace clang {
namespace tidy::forksafe {

/// An event found before a fork: the statement, and the calls that lead to it. Outer holds
/// the calls (from the caller outward) through which the fork's function was reached.
struct PrecedingEvent {
  const Stmt *Event = nullptr;
  CallChain Inner;  ///< calls from the function where it precedes the fork down to Event
  CallChain Outer;  ///< calls leading to the fork, in callers where the event precedes it
  const FunctionDecl *ThreadEntry = nullptr; ///< set when the fork runs inside a thread body
};
using EventPredicate = llvm::function_ref<bool(const Stmt *)>;

/// An event matching IsEvent that happens before the fork site on some path: earlier in the
/// same function (or a loop iteration), inside a function called earlier, or in a caller
/// before the call that leads to the fork. ThreadStartOf (optional) gives the thread start
/// that runs a function as its body, which makes every fork inside it concurrent.
std::optional<PrecedingEvent>
findPrecedingEvent(TranslationUnitModel &Model, const ForkSite &Site, EventPredicate IsEvent,
                   llvm::function_ref<const Stmt *(const FunctionDecl *)> ThreadStartOf = nullptr);

/// Thread starts: pthread_create, thrd_create, std::async (not deferred), std::thread and
/// std::jthread construction, OpenMP parallel regions, and user-named functions.
class ThreadStartMatcher {
public:
  explicit ThreadStartMatcher(llvm::StringRef AdditionalThreadStarters);
  bool isThreadStart(const Stmt *S) const;
  /// The function S runs in a new thread, if known (pthread_create's start routine, the
  /// callable given to std::thread).
  const FunctionDecl *threadBody(const Stmt *S) const;

private:
  llvm::StringSet<> Additional;
};

} // namespace tidy::forksafe
} // namespace clang

#endif
