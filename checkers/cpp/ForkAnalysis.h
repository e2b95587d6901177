//===--- ForkAnalysis.h - Shared analyses of the forksafe checks ----------===//
//
// Written once, used by every check:
//  - TranslationUnitModel: who calls whom among the functions defined in the translation
//    unit, and control flow (CFG) reachability inside a function;
//  - childRegion: the code that runs in the child of a fork, from how its result is tested;
//  - walkChild: the operations the child runs, followed into callees defined in the TU;
//  - findPrecedingEvent: an event (thread start, CUDA initialisation) that precedes a fork on
//    some path, in the forking function, in what it called before, or in its callers;
//  - ChildSafety: the async-signal-safety verdict on a child.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_FORKANALYSIS_H
#define FORKSAFE_CPP_FORKANALYSIS_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringSet.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace clang {
class CFG;
class FunctionDecl;
class Stmt;
class VarDecl;

namespace tidy::forksafe {

/// One step of a call chain: Call (a CallExpr or CXXConstructExpr) in Caller calls Callee.
struct CallLink {
  const Expr *Call = nullptr;
  const FunctionDecl *Caller = nullptr;
  const FunctionDecl *Callee = nullptr;
};
using CallChain = llvm::SmallVector<CallLink, 4>;

/// The maximum depth of call chains followed into or out of a function.
constexpr unsigned MaxCallDepth = 8;

/// The function a call or construction resolves to, or null.
const FunctionDecl *calleeOf(const Stmt *S);
/// A function whose body the analyses follow: defined in the TU outside system headers, or
/// an inline implementation helper of the system headers ("__bswap_16").
bool isFollowable(const FunctionDecl *FD, const ASTContext &Ctx);
/// The plain name of a C library function (global, namespace std or extern "C"), else "".
llvm::StringRef libraryFunctionName(const FunctionDecl *FD);
/// "printf", "std::thread::thread", "lambda" for notes and messages.
std::string describeFunction(const FunctionDecl *FD);

class TranslationUnitModel {
public:
  explicit TranslationUnitModel(ASTContext &Ctx);
  ~TranslationUnitModel();

  ASTContext &context() const { return Ctx; }
  /// The calls of FD (canonical) from functions defined in the TU.
  llvm::ArrayRef<CallLink> callersOf(const FunctionDecl *FD);
  /// The function (or lambda call operator) whose body contains S, or null.
  const FunctionDecl *enclosingFunction(const Stmt *S);
  /// The parent of S, skipping nothing; null at the top of a body.
  const Stmt *parentStmt(const Stmt *S);
  /// True if some path in FD's control flow leads from the evaluation of From to that of To
  /// without passing a Kill. From == To asks whether a loop runs To again.
  bool reaches(const FunctionDecl *FD, const Stmt *From, const Stmt *To,
               llvm::ArrayRef<const Stmt *> Kills = {});

private:
  struct FlowInfo;
  void buildCallIndex();
  FlowInfo *flow(const FunctionDecl *FD);

  ASTContext &Ctx;
  bool CallIndexBuilt = false;
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<CallLink, 2>> Callers;
  llvm::DenseMap<const FunctionDecl *, std::unique_ptr<FlowInfo>> Flows;
};

/// The code that runs in the child of one fork.
struct ChildRegion {
  /// Straight-line sequences of statements the child runs, in order; each ends at a terminator
  /// (exec*, _exit, return, a noreturn call).
  llvm::SmallVector<llvm::SmallVector<const Stmt *, 8>, 2> Sequences;
  /// The function the child region is in.
  const FunctionDecl *Function = nullptr;
  /// The child returns from Function without exec or exit: it goes on running the program.
  bool ReturnsFromFunction = false;
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

/// Walks the operations (statements and expressions, pre-order) the child runs, entering
/// followable callees after visiting their call. The callback returns true to stop the walk.
/// Chain is the calls entered to reach the operation (empty in the region itself).
using ChildVisitor = llvm::function_ref<bool(const Stmt *Op, llvm::ArrayRef<CallLink> Chain)>;
struct WalkOptions {
  bool FollowCalls = true;        ///< enter callees defined in the TU
  bool ContinueAfterExec = false; ///< also walk what runs when exec* fails
};
void walkChild(TranslationUnitModel &Model, const ChildRegion &Region, ChildVisitor Visit,
               WalkOptions Options = {});

/// What makes a child unsafe: its first operation that is not async-signal-safe.
struct UnsafeOperation {
  const Stmt *Op = nullptr;     ///< null: the child returns into code we cannot see
  std::string Description;      ///< "calls 'printf'", "allocates with 'new'"
  CallChain Chain;              ///< calls from the region to Op
};

/// The async-signal-safety policy: POSIX list, exec* that search PATH, user additions.
class SafetyPolicy {
public:
  SafetyPolicy(bool StrictExec, llvm::StringRef AdditionalSafeFunctions);
  bool isSafe(llvm::StringRef Name) const;
  bool strictExec() const { return StrictExec; }

  /// Whole-program mode: judges a function defined in another translation unit. nullopt: not
  /// known (the default verdict); "": safe; else the description of its first unsafe operation.
  std::function<std::optional<std::string>(const FunctionDecl *)> External;

private:
  bool StrictExec;
  llvm::StringSet<> Additional;
};

/// The first operation of the child that is not async-signal-safe, or nothing if the child
/// only runs safe code before exec*/_exit.
std::optional<UnsafeOperation> firstUnsafeOperation(TranslationUnitModel &Model,
                                                    const ChildRegion &Region,
                                                    const SafetyPolicy &Policy);

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

/// A lock the forking function holds at the fork.
struct HeldLock {
  const Stmt *Acquired = nullptr;  ///< the lock call or the guard's declaration
  std::string Mutex;               ///< spelling of the mutex ("m", "&state->mu")
  std::string Guard;               ///< the guard variable, if RAII
  std::string GuardType;           ///< "std::lock_guard"
};
std::optional<HeldLock> findHeldLock(TranslationUnitModel &Model, const CallExpr *ForkCall);

/// Splits "a, b;c" option lists.
llvm::SmallVector<llvm::StringRef, 8> splitList(llvm::StringRef List);

/// Source text of an expression, for messages.
std::string spelling(const Expr *E, const ASTContext &Ctx);

} // namespace tidy::forksafe
} // namespace clang

#endif
