//===--- TranslationUnitModel.h - Calls, parents and control flow of a TU ---===//
#ifndef FORKSAFE_CPP_TRANSLATIONUNITMODEL_H
#define FORKSAFE_CPP_TRANSLATIONUNITMODEL_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <functional>
#include <memory>
#include <string>

namespace clang {
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
  /// The parent of S, skipping nothing; null at the top of a body. A local variable's
  /// initializer has its DeclStmt as parent.
  const Stmt *parentStmt(const Stmt *S);
  /// The local variable S initializes, if S is a variable's whole initializer.
  const VarDecl *initializedVar(const Stmt *S);
  /// The functions an indirect call (through a variable or a struct member holding a function
  /// pointer) may reach, when every value stored in the holder in this TU is a known function;
  /// else empty.
  llvm::ArrayRef<const FunctionDecl *> indirectTargets(const CallExpr *Call);
  /// True if some path in FD's control flow leads from the evaluation of From to that of To
  /// without passing a Kill. From == To asks whether a loop runs To again.
  bool reaches(const FunctionDecl *FD, const Stmt *From, const Stmt *To,
               llvm::ArrayRef<const Stmt *> Kills = {});
  /// True if Inner is Outer or inside it.
  bool isDescendant(const Stmt *Inner, const Stmt *Outer);

  /// neverReturns() answers (ChildWalk.cpp), per function, for exec ending a path or not.
  llvm::DenseMap<const FunctionDecl *, bool> NeverReturnsMemo[2];
  /// Whole-program mode: true for a function defined in another translation unit that never
  /// returns, per the summaries (set by the first check that reads them). Empty: none known.
  std::function<bool(const FunctionDecl *)> ExternalNeverReturns;

private:
  struct FlowInfo;
  /// One pass over the bodies of the functions defined outside system headers: calls,
  /// parents, initializers, values stored in function pointers. Built on first use, so a TU
  /// without a fork never pays for it.
  void buildIndex();
  void indexBody(const FunctionDecl *FD);
  void noteStoredFunction(const ValueDecl *Target, const Expr *Value);
  void noteInitList(QualType T, const Expr *Init);
  void noteGlobal(const VarDecl *VD);
  FlowInfo *flow(const FunctionDecl *FD);

  ASTContext &Ctx;
  bool IndexBuilt = false;
  llvm::SmallVector<const FunctionDecl *, 16> Pending;
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<CallLink, 2>> Callers;
  llvm::DenseMap<const Stmt *, const Stmt *> Parents;
  llvm::DenseMap<const Stmt *, const FunctionDecl *> BodyOwner;
  llvm::DenseMap<const Expr *, const VarDecl *> InitOf;
  struct Stored {
    llvm::SmallVector<const FunctionDecl *, 2> Functions;
    bool Unknown = false;
  };
  llvm::DenseMap<const ValueDecl *, Stored> StoredFunctions;
  llvm::DenseMap<const FunctionDecl *, std::unique_ptr<FlowInfo>> Flows;
};

/// Splits "a, b;c" option lists.
llvm::SmallVector<llvm::StringRef, 8> splitList(llvm::StringRef List);

/// Source text of an expression, for messages.
std::string spelling(const Expr *E, const ASTContext &Ctx);

// StringRef::startswith is gone in LLVM 19 and starts_with missing in 14.
bool hasPrefix(llvm::StringRef S, llvm::StringRef P);
bool hasSuffix(llvm::StringRef S, llvm::StringRef P);

/// Statements of a function's own body in pre-order, not entering lambdas or blocks.
void forEachOwnStmt(const Stmt *S, llvm::function_ref<void(const Stmt *)> Fn);

/// The function an expression names: f, &f, a lambda, through casts and temporaries.
const FunctionDecl *referencedFunction(const Expr *E);

} // namespace tidy::forksafe
} // namespace clang

#endif
