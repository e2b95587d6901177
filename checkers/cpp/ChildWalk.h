//===--- ChildWalk.h - The operations a fork child runs ---===//
#ifndef FORKSAFE_CPP_CHILDWALK_H
#define FORKSAFE_CPP_CHILDWALK_H

#include "ChildRegion.h"

#include "llvm/ADT/StringSet.h"

#include <optional>
#include <string>

namespace clang {
namespace tidy::forksafe {

/// Walks the operations (statements and expressions, pre-order) the child runs, entering
/// followable callees after visiting their call. The callback returns true to stop the walk.
/// Chain is the calls entered to reach the operation (empty in the region itself).
using ChildVisitor = llvm::function_ref<bool(const Stmt *Op, llvm::ArrayRef<CallLink> Chain)>;
struct WalkOptions {
  bool FollowCalls = true;        ///< enter callees defined in the TU
  bool ContinueAfterExec = false; ///< also walk what runs when exec* fails
};
/// How a walk ended: the functions the child returns from (a return of the region's own
/// statements, or running off the end of a sequence that ends its function).
struct WalkEnd {
  llvm::SmallVector<const FunctionDecl *, 2> ReturnsFrom;
};
WalkEnd walkChild(TranslationUnitModel &Model, const ChildRegion &Region, ChildVisitor Visit,
                  WalkOptions Options = {});

/// True if no call of FD returns: every path ends the process, execs (when ExecEnds), or
/// loops forever. Memoised in the model.
bool neverReturns(TranslationUnitModel &Model, const FunctionDecl *FD, bool ExecEnds);

/// What makes a child unsafe: its first operation that is not async-signal-safe.
struct UnsafeOperation {
  const Stmt *Op = nullptr;     ///< null: the child returns into code we cannot see
  std::string Description;      ///< "calls 'printf'", "allocates with 'new'"
  CallChain Chain;              ///< calls from the region to Op
  /// Set when Op is in a caller the child returned into: the call it returned through.
  CallLink ReturnedThrough;
};

/// The async-signal-safety policy: POSIX list, exec* that search PATH, user additions.
class SafetyPolicy {
public:
  SafetyPolicy(bool StrictExec, llvm::StringRef AdditionalSafeFunctions);
  bool isSafe(llvm::StringRef Name) const;
  /// Equal for policies that judge alike (for caching verdicts).
  std::string key() const;

private:
  bool StrictExec;
  llvm::StringSet<> Additional;
};

/// The first operation of the child that is not async-signal-safe, or nothing if the child
/// only runs safe code before exec*/_exit.
std::optional<UnsafeOperation> firstUnsafeOperation(TranslationUnitModel &Model,
                                                    const ChildRegion &Region,
                                                    const SafetyPolicy &Policy);

} // namespace tidy::forksafe
} // namespace clang

#endif
