//===--- ChildRegion.cpp - Where the child of a fork runs ------------------===//
//
// From how a fork's result is tested (if, switch, ternary, a variable tested later, a wrapper
// that returns it to its callers) to the statements that run in the child.
//
//===----------------------------------------------------------------------===//

#include "ChildRegion.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"

#include <climits>

namespace clang::tidy::forksafe {

//===----------------------------------------------------------------------===//
// Finding the child
//===----------------------------------------------------------------------===//

namespace {
/// How one use of a pid value decides where the child runs.
struct PidUse {
  enum Kind { Nothing, Region, Returned, Ignored, StoredInVar } K = Nothing;
  ChildRegion Child;
  const VarDecl *Var = nullptr;
};

/// Statements after S in its enclosing compound statements, up to the function body.
void appendContinuation(TranslationUnitModel &M, const Stmt *S, ChildRegion &R) {
  llvm::SmallVector<const Stmt *, 8> Seq;
  const Stmt *Cur = S;
  while (true) {
    const Stmt *P = M.parentStmt(Cur);
    // A branch of an if (else-if chains, nested ifs): the child goes on after the whole if.
    if (const auto *If = dyn_cast_or_null<IfStmt>(P))
      if (If->getThen() == Cur || If->getElse() == Cur) {
        Cur = If;
        continue;
      }
    const auto *CS = dyn_cast_or_null<CompoundStmt>(P);
    if (!CS)
      break;
    bool After = false;
    for (const Stmt *Child : CS->body()) {
      if (After)
        Seq.push_back(Child);
      if (Child == Cur)
        After = true;
    }
    Cur = CS;
  }
  // Cur is the outermost compound statement reached: the body means the child returns.
  if (R.Function && Cur == R.Function->getBody())
    R.ReturnsFromFunction = true;
  R.Sequences.push_back(std::move(Seq));
}

bool isZeroConstant(const Expr *E, const ASTContext &Ctx, llvm::APSInt &Value) {
  Expr::EvalResult Result;
  if (E->isValueDependent() || !E->EvaluateAsInt(Result, Ctx))
    return false;
  Value = Result.Val.getInt();
  return true;
}

/// The outcome of "pid Op C" in the child (pid 0), if it differs from every parent (pid > 0);
/// nullopt when the test does not separate child from parent (pid < 0, pid == -1).
std::optional<bool> childOutcome(BinaryOperatorKind Op, int64_t C) {
  auto Eval = [&](int64_t P) {
    switch (Op) {
    case BO_EQ: return P == C;
    case BO_NE: return P != C;
    case BO_LT: return P < C;
    case BO_GT: return P > C;
    case BO_LE: return P <= C;
    case BO_GE: return P >= C;
    default: return false;
    }
  };
  bool Child = Eval(0);
  if (Eval(1) == Child || Eval(INT_MAX) == Child)
    return std::nullopt;
  return Child;
}

BinaryOperatorKind reverseComparison(BinaryOperatorKind Op) {
  switch (Op) {
  case BO_LT: return BO_GT;
  case BO_GT: return BO_LT;
  case BO_LE: return BO_GE;
  case BO_GE: return BO_LE;
  default: return Op;
  }
}

/// True if S ends the process on every path: exit, _exit, _Exit, abort, quick_exit.
bool endsProcess(const Stmt *S) {
  if (!S)
    return false;
  if (const auto *CS = dyn_cast<CompoundStmt>(S))
    return llvm::any_of(CS->body(), endsProcess);
  if (const auto *If = dyn_cast<IfStmt>(S))
    return endsProcess(If->getThen()) && endsProcess(If->getElse());
  if (const auto *E = dyn_cast<Expr>(S))
    if (const auto *CE = dyn_cast<CallExpr>(E->IgnoreParenCasts()->IgnoreImplicit())) {
      llvm::StringRef Name = libraryFunctionName(CE->getDirectCallee());
      return Name == "exit" || Name == "_exit" || Name == "_Exit" || Name == "abort" ||
             Name == "quick_exit";
    }
  return false;
}

void addBranch(const Stmt *Branch, ChildRegion &R) { R.Sequences.push_back({Branch}); }

/// Follows the pid value V upward to the test that separates child from parent.
PidUse classifyUse(TranslationUnitModel &M, const Expr *V, const FunctionDecl *F) {
  PidUse Use;
  Use.Child.Function = F;
  ASTContext &Ctx = M.context();
  const Stmt *Cur = V;
  bool IsPid = true;             // Cur still holds the pid itself
  bool ChildWhen = false;        // else: the truth value Cur has in the child
  for (unsigned Guard = 0; Guard < 64; ++Guard) {
    // A pid stored in a local variable: the child is found where the variable is tested.
    if (const VarDecl *VD = M.initializedVar(Cur)) {
      if (IsPid) {
        Use.K = PidUse::StoredInVar;
        Use.Var = VD;
      }
      return Use;
    }
    const Stmt *P = M.parentStmt(Cur);
    if (!P)
      return Use;

    if (const auto *ICE = dyn_cast<ImplicitCastExpr>(P)) {
      if (IsPid && (ICE->getCastKind() == CK_IntegralToBoolean)) {
        IsPid = false;
        ChildWhen = false;
      }
      Cur = P;
      continue;
    }
    if (isa<ParenExpr>(P) || isa<ExprWithCleanups>(P) || isa<CStyleCastExpr>(P) ||
        isa<CXXFunctionalCastExpr>(P) || isa<CXXStaticCastExpr>(P)) {
      Cur = P;
      continue;
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(P)) {
      if (UO->getOpcode() != UO_LNot)
        return Use;
      ChildWhen = IsPid ? true : !ChildWhen;
      IsPid = false;
      Cur = P;
      continue;
    }
    if (const auto *BO = dyn_cast<BinaryOperator>(P)) {
      if (IsPid && BO->getOpcode() == BO_Assign && BO->getRHS()->IgnoreParens() == Cur) {
        const auto *DRE = dyn_cast<DeclRefExpr>(BO->getLHS()->IgnoreParenImpCasts());
        Use.Var = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
        if (!Use.Var)
          return Use; // stored into memory: the child cannot be followed
        Cur = P; // the assignment expression still holds the pid
        continue;
      }
      if (IsPid && BO->isComparisonOp()) {
        bool PidOnLeft = BO->getLHS()->IgnoreParenImpCasts() ==
                         cast<Expr>(Cur)->IgnoreParenImpCasts();
        const Expr *Other = PidOnLeft ? BO->getRHS() : BO->getLHS();
        llvm::APSInt C;
        if (!isZeroConstant(Other, Ctx, C))
          return Use;
        auto Outcome = childOutcome(PidOnLeft ? BO->getOpcode()
                                              : reverseComparison(BO->getOpcode()),
                                    C.getExtValue());
        if (!Outcome)
          return Use;
        IsPid = false;
        ChildWhen = *Outcome;
        Cur = P;
        continue;
      }
      if (!IsPid && ((BO->getOpcode() == BO_LAnd && ChildWhen) ||
                     (BO->getOpcode() == BO_LOr && !ChildWhen))) {
        Cur = P;
        continue;
      }
      return Use;
    }
    if (const auto *If = dyn_cast<IfStmt>(P)) {
      if (If->getCond() != Cur)
        return Use;
      if (IsPid)
        ChildWhen = false;
      Use.K = PidUse::Region;
      Use.Child.ParentEndsProcess = !ChildWhen && endsProcess(If->getThen());
      if (ChildWhen)
        addBranch(If->getThen(), Use.Child);
      else if (If->getElse())
        addBranch(If->getElse(), Use.Child);
      else
        appendContinuation(M, If, Use.Child);
      return Use;
    }
    if (const auto *CO = dyn_cast<ConditionalOperator>(P)) {
      if (CO->getCond() != Cur)
        return Use;
      if (IsPid)
        ChildWhen = false;
      Use.K = PidUse::Region;
      addBranch(ChildWhen ? CO->getTrueExpr() : CO->getFalseExpr(), Use.Child);
      return Use;
    }
    if (const auto *SS = dyn_cast<SwitchStmt>(P)) {
      if (!IsPid || SS->getCond() != Cur)
        return Use;
      const SwitchCase *Chosen = nullptr;
      for (const SwitchCase *SC = SS->getSwitchCaseList(); SC; SC = SC->getNextSwitchCase()) {
        if (const auto *CS = dyn_cast<CaseStmt>(SC)) {
          llvm::APSInt C;
          if (!CS->getRHS() && isZeroConstant(CS->getLHS(), Ctx, C) && C == 0)
            Chosen = CS;
        } else if (!Chosen) {
          Chosen = SC; // default, unless a case 0 exists
        }
      }
      Use.K = PidUse::Region;
      if (!Chosen) {
        appendContinuation(M, SS, Use.Child);
        return Use;
      }
      // case 0: its statement, then whatever follows it in the switch body until a break.
      llvm::SmallVector<const Stmt *, 8> Seq{Chosen->getSubStmt()};
      const Stmt *Label = Chosen;
      while (const Stmt *LP = M.parentStmt(Label)) {
        if (!isa<SwitchCase>(LP))
          break;
        Label = LP;
      }
      if (const auto *Body = dyn_cast<CompoundStmt>(SS->getBody())) {
        bool After = false;
        for (const Stmt *Child : Body->body()) {
          if (After)
            Seq.push_back(Child);
          if (Child == Label)
            After = true;
        }
      }
      Use.Child.Sequences.push_back(std::move(Seq));
      return Use;
    }
    if (isa<ReturnStmt>(P) && IsPid) {
      Use.K = PidUse::Returned;
      return Use;
    }
    if (isa<CompoundStmt>(P) || isa<CaseStmt>(P) || isa<DefaultStmt>(P)) {
      if (Use.Var) {
        Use.K = PidUse::StoredInVar;
        return Use;
      }
      if (IsPid) {
        Use.K = PidUse::Ignored;
        appendContinuation(M, Cur, Use.Child);
      }
      return Use;
    }
    return Use;
  }
  return Use;
}

/// Reads of Var after the fork, in F.
llvm::SmallVector<const DeclRefExpr *, 4> usesAfter(const FunctionDecl *F, const VarDecl *Var,
                                                    const Expr *Fork, const SourceManager &SM) {
  struct Collector : RecursiveASTVisitor<Collector> {
    const VarDecl *Var;
    llvm::SmallVector<const DeclRefExpr *, 4> Uses;
    bool VisitDeclRefExpr(DeclRefExpr *DRE) {
      if (DRE->getDecl() == Var)
        Uses.push_back(DRE);
      return true;
    }
  } C;
  C.Var = Var;
  C.TraverseStmt(const_cast<Stmt *>(F->getBody()));
  llvm::SmallVector<const DeclRefExpr *, 4> Out;
  for (const DeclRefExpr *DRE : C.Uses)
    if (SM.isBeforeInTranslationUnit(Fork->getEndLoc(), DRE->getBeginLoc()))
      Out.push_back(DRE);
  return Out;
}

/// The uses of a fork's result at Site in its function.
struct SiteUses {
  llvm::SmallVector<PidUse, 2> Regions;
  bool Returned = false;
  bool Ignored = false;
  PidUse IgnoredUse;
  const VarDecl *Var = nullptr;
};

SiteUses analyseSite(TranslationUnitModel &M, const Expr *Site, const FunctionDecl *F) {
  SiteUses Out;
  PidUse First = classifyUse(M, Site, F);
  if (First.K == PidUse::Region) {
    Out.Regions.push_back(std::move(First));
    // A pid assigned inside the test is often tested again (if ((pid = fork()) < 0) ...
    // else if (pid == 0)), but one region from the assignment itself is enough.
    return Out;
  }
  if (First.K == PidUse::Returned) {
    Out.Returned = true;
    return Out;
  }
  if (First.K == PidUse::Ignored) {
    Out.Ignored = true;
    Out.IgnoredUse = std::move(First);
    return Out;
  }
  if (!First.Var)
    return Out;
  Out.Var = First.Var;
  for (const DeclRefExpr *DRE : usesAfter(F, First.Var, Site, M.context().getSourceManager())) {
    PidUse U = classifyUse(M, DRE, F);
    if (U.K == PidUse::Region)
      Out.Regions.push_back(std::move(U));
    else if (U.K == PidUse::Returned)
      Out.Returned = true;
  }
  // Keep the most specific regions: drop one that contains another's start.
  llvm::SmallVector<PidUse, 2> Kept;
  for (size_t I = 0; I < Out.Regions.size(); ++I) {
    bool Contains = false;
    for (size_t J = 0; J < Out.Regions.size() && !Contains; ++J) {
      if (I == J || Out.Regions[J].Child.Sequences.empty() ||
          Out.Regions[J].Child.Sequences[0].empty())
        continue;
      const Stmt *Start = Out.Regions[J].Child.Sequences[0][0];
      for (const auto &Seq : Out.Regions[I].Child.Sequences)
        for (const Stmt *S : Seq)
          if (S != Start && M.isDescendant(Start, S))
            Contains = true;
    }
    if (!Contains)
      Kept.push_back(std::move(Out.Regions[I]));
  }
  Out.Regions = std::move(Kept);
  return Out;
}
} // namespace

llvm::SmallVector<ForkSite, 2> forkSites(TranslationUnitModel &Model, const CallExpr *ForkCall) {
  llvm::SmallVector<ForkSite, 2> Out;
  const FunctionDecl *F = Model.enclosingFunction(ForkCall);
  if (!F)
    return Out;
  ForkSite Start;
  Start.Site = ForkCall;
  Start.Function = F;
  Start.Frames.push_back({F, ForkCall});
  llvm::SmallVector<ForkSite, 4> Work{Start};
  llvm::DenseSet<const Expr *> Seen;
  while (!Work.empty()) {
    ForkSite S = Work.pop_back_val();
    SiteUses Uses = analyseSite(Model, S.Site, S.Function);
    llvm::ArrayRef<CallLink> Callers = Model.callersOf(S.Function);
    // A function that tests the result itself has its own child; only a plain wrapper
    // (return fork(), or stored, checked for errors and returned) hands it to callers.
    if (!Uses.Returned || !Uses.Regions.empty() || Callers.empty() ||
        S.Frames.size() > MaxCallDepth) {
      Out.push_back(S);
      continue;
    }
    // A fork wrapper: the child is wherever its result is tested.
    for (const CallLink &L : Callers) {
      // Every call of the wrapper is a site; a wrapper reached again through its own chain
      // (recursion) is not followed.
      bool InChain = llvm::any_of(S.Frames, [&](const auto &Fr) { return Fr.first == L.Caller; });
      if (!L.Caller || InChain || !Seen.insert(L.Call).second)
        continue;
      ForkSite Up = S;
      Up.Site = L.Call;
      Up.Function = L.Caller;
      Up.Frames.push_back({L.Caller, L.Call});
      Work.push_back(std::move(Up));
    }
  }
  return Out;
}

ChildRegion childRegion(TranslationUnitModel &Model, const ForkSite &Site) {
  ChildRegion R;
  R.Function = Site.Function;
  SiteUses Uses = analyseSite(Model, Site.Site, Site.Function);
  if (Uses.Ignored)
    return std::move(Uses.IgnoredUse.Child);
  R.PidVar = Uses.Var;
  for (PidUse &U : Uses.Regions) {
    if (U.Var)
      R.PidVar = U.Var;
    for (auto &Seq : U.Child.Sequences)
      R.Sequences.push_back(std::move(Seq));
    R.ReturnsFromFunction |= U.Child.ReturnsFromFunction;
    R.ParentEndsProcess |= U.Child.ParentEndsProcess;
  }
  if (R.Sequences.empty()) {
    // Returned from a function nobody here calls, stored away, or never tested for 0.
    R.Unknown = true;
  }
  return R;
}

} // namespace clang::tidy::forksafe
