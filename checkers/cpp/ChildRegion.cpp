//===--- ChildRegion.cpp - Where the child of a fork runs ------------------===//
//
// From how a fork's result is tested (if, switch, ternary, a variable tested later, a wrapper
// that returns it to its callers) to the statements that run in the child.
//
//===----------------------------------------------------------------------===//

#include "ChildRegion.h"
#include "ChildWalk.h"

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
  enum Kind { Nothing, Region, Returned, Ignored, Stored, Flag } K = Nothing;
  ChildRegion Child;
  const VarDecl *Var = nullptr;
  /// Stored: the location holding the pid (a variable, a member, *p); Flag: the variable
  /// holding a truth value derived from it, and that value in the child.
  const Expr *Location = nullptr;
  const VarDecl *FlagVar = nullptr;
  bool FlagInChild = false;
  /// Region: the child is only what follows the test (if (pid > 0) exit(0); ...), with no
  /// branch of its own; a more specific test later in that code is preferred.
  bool ContinuationOnly = false;
};

/// The statement-level statement containing E: climbs expressions up to the statement whose
/// parent is a compound statement, a case label or a branch.
const Stmt *statementOf(TranslationUnitModel &M, const Stmt *E) {
  const Stmt *Cur = E;
  for (unsigned Guard = 0; Guard < 256; ++Guard) {
    const Stmt *P = M.parentStmt(Cur);
    if (!P || !(isa<Expr>(P) || isa<DeclStmt>(P)))
      return Cur;
    Cur = P;
  }
  return Cur;
}

/// The statements after S in its enclosing compound statements (leaving if branches), up to
/// the function body, appended to Seq. True if the function body was reached: running off the
/// end of Seq returns from the function.
bool continuationAfter(TranslationUnitModel &M, const Stmt *S, llvm::SmallVectorImpl<const Stmt *> &Seq,
                       const FunctionDecl *F) {
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
  return F && Cur == F->getBody();
}

/// A sequence of the child: Prefix (a branch), then what follows it in F.
ChildSequence sequenceFrom(TranslationUnitModel &M, const Stmt *Prefix, const Stmt *After,
                           const FunctionDecl *F) {
  ChildSequence Seq;
  Seq.Function = F;
  if (Prefix)
    Seq.Stmts.push_back(Prefix);
  Seq.EndsFunction = continuationAfter(M, After, Seq.Stmts, F);
  return Seq;
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

/// True if S ends the process on every path: exit, _exit, _Exit, abort, quick_exit, or a
/// return from main (F).
bool endsProcess(const Stmt *S, const FunctionDecl *F) {
  if (!S)
    return false;
  if (isa<ReturnStmt>(S))
    return F && F->isMain();
  if (const auto *CS = dyn_cast<CompoundStmt>(S))
    return llvm::any_of(CS->body(), [&](const Stmt *C) { return endsProcess(C, F); });
  if (const auto *If = dyn_cast<IfStmt>(S))
    return endsProcess(If->getThen(), F) && endsProcess(If->getElse(), F);
  if (const auto *E = dyn_cast<Expr>(S))
    if (const auto *CE = dyn_cast<CallExpr>(E->IgnoreParenCasts()->IgnoreImplicit())) {
      llvm::StringRef Name = libraryFunctionName(CE->getDirectCallee());
      return Name == "exit" || Name == "_exit" || Name == "_Exit" || Name == "abort" ||
             Name == "quick_exit";
    }
  return false;
}

/// Two expressions naming the same location: the same variable, the same member of the same
/// location, or the same pointer dereferenced.
bool sameLocation(const Expr *A, const Expr *B) {
  A = A->IgnoreParenImpCasts();
  B = B->IgnoreParenImpCasts();
  if (const auto *DA = dyn_cast<DeclRefExpr>(A)) {
    const auto *DB = dyn_cast<DeclRefExpr>(B);
    return DB && DA->getDecl() == DB->getDecl();
  }
  if (const auto *MA = dyn_cast<MemberExpr>(A)) {
    const auto *MB = dyn_cast<MemberExpr>(B);
    return MB && MA->getMemberDecl() == MB->getMemberDecl() && MA->isArrow() == MB->isArrow() &&
           sameLocation(MA->getBase(), MB->getBase());
  }
  if (const auto *UA = dyn_cast<UnaryOperator>(A)) {
    const auto *UB = dyn_cast<UnaryOperator>(B);
    return UA->getOpcode() == UO_Deref && UB && UB->getOpcode() == UO_Deref &&
           sameLocation(UA->getSubExpr(), UB->getSubExpr());
  }
  return false;
}

/// A location the pid can be followed in: a variable, a member of one (s.pid, c->pid, also
/// nested), or *p for a variable p.
bool isTrackableLocation(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    return isa<VarDecl>(DRE->getDecl());
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    return isa<FieldDecl>(ME->getMemberDecl()) && isTrackableLocation(ME->getBase());
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    return UO->getOpcode() == UO_Deref && isa<DeclRefExpr>(UO->getSubExpr()->IgnoreParenImpCasts());
  return false;
}

/// Follows the pid value V upward to the test that separates child from parent.
/// V is the pid itself, or (Flag) a truth value that is FlagInChild in the child.
PidUse classifyUse(TranslationUnitModel &M, const Expr *V, const FunctionDecl *F,
                   std::optional<bool> Flag = std::nullopt) {
  PidUse Use;
  Use.Child.Function = F;
  ASTContext &Ctx = M.context();
  const Stmt *Cur = V;
  bool IsPid = !Flag;            // Cur still holds the pid itself
  bool ChildWhen = Flag.value_or(false); // else: the truth value Cur has in the child
  for (unsigned Guard = 0; Guard < 64; ++Guard) {
    // A pid stored in a local variable: the child is found where the variable is tested; a
    // truth value stored in one (is_parent = pid > 0) is a flag, tested later.
    if (const VarDecl *VD = M.initializedVar(Cur)) {
      Use.K = IsPid ? PidUse::Stored : PidUse::Flag;
      Use.Var = IsPid ? VD : nullptr;
      Use.FlagVar = IsPid ? nullptr : VD;
      Use.FlagInChild = ChildWhen;
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
      bool IsRHS = BO->getRHS()->IgnoreParenImpCasts() == cast<Expr>(Cur)->IgnoreParenImpCasts();
      if (IsPid && BO->getOpcode() == BO_Assign && IsRHS) {
        // Into a variable, a member (c->pid), or through a pointer (*pid): followed there.
        if (!isTrackableLocation(BO->getLHS()))
          return Use; // stored into memory we cannot name: the child cannot be followed
        const auto *DRE = dyn_cast<DeclRefExpr>(BO->getLHS()->IgnoreParenImpCasts());
        Use.Var = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
        Use.Location = BO->getLHS();
        Cur = P; // the assignment expression still holds the pid
        continue;
      }
      if (!IsPid && BO->getOpcode() == BO_Assign && IsRHS) {
        const auto *DRE = dyn_cast<DeclRefExpr>(BO->getLHS()->IgnoreParenImpCasts());
        const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
        if (!VD)
          return Use;
        Use.K = PidUse::Flag;
        Use.FlagVar = VD;
        Use.FlagInChild = ChildWhen;
        return Use;
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
      Use.Child.ParentEndsProcess = endsProcess(ChildWhen ? If->getElse() : If->getThen(), F);
      // The child's branch, then what follows the if when the branch falls out of it.
      const Stmt *Branch = ChildWhen ? If->getThen() : If->getElse();
      Use.ContinuationOnly = !Branch;
      Use.Child.Sequences.push_back(sequenceFrom(M, Branch, If, F));
      return Use;
    }
    if (const auto *CO = dyn_cast<ConditionalOperator>(P)) {
      if (CO->getCond() != Cur)
        return Use;
      if (IsPid)
        ChildWhen = false;
      Use.K = PidUse::Region;
      Use.Child.Sequences.push_back(
          sequenceFrom(M, ChildWhen ? CO->getTrueExpr() : CO->getFalseExpr(), statementOf(M, CO), F));
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
        Use.ContinuationOnly = true;
        Use.Child.Sequences.push_back(sequenceFrom(M, nullptr, SS, F));
        return Use;
      }
      // case 0: its statement, then whatever follows it in the switch body; a break of the
      // switch, or the end of its body, goes on after the switch.
      ChildSequence Child;
      Child.Function = F;
      llvm::SmallVector<const Stmt *, 8> &Seq = Child.Stmts;
      Seq.push_back(Chosen->getSubStmt());
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
      Child.AfterBreak = Seq.size();
      Child.BreaksOutOf = SS;
      Child.EndsFunction = continuationAfter(M, SS, Seq, F);
      Use.Child.Sequences.push_back(std::move(Child));
      return Use;
    }
    if (isa<ReturnStmt>(P) && IsPid) {
      Use.K = PidUse::Returned;
      return Use;
    }
    if (isa<CompoundStmt>(P) || isa<CaseStmt>(P) || isa<DefaultStmt>(P)) {
      if (Use.Location) {
        Use.K = PidUse::Stored;
        return Use;
      }
      if (IsPid) {
        Use.K = PidUse::Ignored;
        Use.Child.Sequences.push_back(sequenceFrom(M, nullptr, Cur, F));
      }
      return Use;
    }
    return Use;
  }
  return Use;
}

/// Expressions of F after Site that name Location (or Var), in source order.
llvm::SmallVector<const Expr *, 4> usesAfter(const FunctionDecl *F, const VarDecl *Var,
                                             const Expr *Location, const Expr *Site,
                                             const SourceManager &SM) {
  llvm::SmallVector<const Expr *, 4> Out;
  forEachOwnStmt(F->getBody(), [&](const Stmt *S) {
    const auto *E = dyn_cast<Expr>(S);
    if (!E || E == Location || isa<ImplicitCastExpr>(E) || isa<ParenExpr>(E))
      return;
    bool Match = Location ? sameLocation(E, Location)
                          : isa<DeclRefExpr>(E) && cast<DeclRefExpr>(E)->getDecl() == Var;
    if (Match && SM.isBeforeInTranslationUnit(Site->getEndLoc(), E->getBeginLoc()))
      Out.push_back(E);
  });
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

void addUse(PidUse U, SiteUses &Out) {
  if (U.K == PidUse::Region)
    Out.Regions.push_back(std::move(U));
  else if (U.K == PidUse::Returned)
    Out.Returned = true;
}

SiteUses analyseSite(TranslationUnitModel &M, const Expr *Site, const FunctionDecl *F) {
  SiteUses Out;
  PidUse First = classifyUse(M, Site, F);
  if (First.K == PidUse::Region) {
    // A pid assigned inside the test is often tested again (if ((pid = fork()) < 0) ...
    // else if (pid == 0)), but one region from the assignment itself is enough; whether it
    // is returned to the callers still matters (a wrapper whose child falls out).
    if (First.Location || First.Var)
      for (const Expr *E : usesAfter(F, First.Var, First.Location, Site,
                                     M.context().getSourceManager()))
        if (classifyUse(M, E, F).K == PidUse::Returned)
          Out.Returned = true;
    Out.Regions.push_back(std::move(First));
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
  const SourceManager &SM = M.context().getSourceManager();
  if (First.K == PidUse::Flag && First.FlagVar) {
    for (const Expr *E : usesAfter(F, First.FlagVar, nullptr, Site, SM))
      addUse(classifyUse(M, E, F, First.FlagInChild), Out);
  } else if (First.K == PidUse::Stored || First.Location || First.Var) {
    // Stored, perhaps inside an error test: if ((pid = fork()) == -1) ... else if (pid == 0)
    Out.Var = First.Var;
    for (const Expr *E : usesAfter(F, First.Var, First.Location, Site, SM)) {
      PidUse U = classifyUse(M, E, F);
      if (U.K == PidUse::Flag && U.FlagVar) {
        for (const Expr *FE : usesAfter(F, U.FlagVar, nullptr, E, SM))
          addUse(classifyUse(M, FE, F, U.FlagInChild), Out);
        continue;
      }
      addUse(std::move(U), Out);
    }
  }
  // Keep the most specific regions: drop one that is only the code after a test and
  // contains another's start, whose test picks the child's branch there.
  llvm::SmallVector<PidUse, 2> Kept;
  for (size_t I = 0; I < Out.Regions.size(); ++I) {
    bool Contains = false;
    if (!Out.Regions[I].ContinuationOnly) {
      Kept.push_back(std::move(Out.Regions[I]));
      continue;
    }
    for (size_t J = 0; J < Out.Regions.size() && !Contains; ++J) {
      if (I == J || Out.Regions[J].Child.Sequences.empty() ||
          Out.Regions[J].Child.Sequences[0].Stmts.empty())
        continue;
      const Stmt *Start = Out.Regions[J].Child.Sequences[0].Stmts[0];
      for (const auto &Seq : Out.Regions[I].Child.Sequences)
        for (const Stmt *S : Seq.Stmts)
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
namespace {
/// The child's own sequences at one site, without following its returns.
ChildRegion localRegion(TranslationUnitModel &M, const Expr *Site, const FunctionDecl *F,
                        const SiteUses &Uses) {
  ChildRegion R;
  R.Function = F;
  if (Uses.Ignored)
    return Uses.IgnoredUse.Child;
  R.PidVar = Uses.Var;
  for (const PidUse &U : Uses.Regions) {
    if (U.Var)
      R.PidVar = U.Var;
    R.Sequences.append(U.Child.Sequences.begin(), U.Child.Sequences.end());
    R.ParentEndsProcess |= U.Child.ParentEndsProcess;
  }
  return R;
}

/// True if the child in R may return from F (after a failed exec too).
bool mayReturnFrom(TranslationUnitModel &M, const ChildRegion &R, const FunctionDecl *F) {
  WalkOptions Options;
  Options.ContinueAfterExec = true;
  WalkEnd End = walkChild(M, R, [](const Stmt *, llvm::ArrayRef<CallLink>) { return false; },
                          Options);
  return llvm::is_contained(End.ReturnsFrom, F);
}

/// The child returns from F: it goes on after each call of F in the TU, as the caller's own
/// code (and up again when it returns from the caller too).
void followReturns(TranslationUnitModel &M, ChildRegion &R, const FunctionDecl *F,
                   unsigned Depth) {
  if (Depth >= MaxCallDepth || llvm::is_contained(R.FollowedReturns, F) ||
      !mayReturnFrom(M, R, F))
    return;
  llvm::ArrayRef<CallLink> Callers = M.callersOf(F);
  if (Callers.empty())
    return;
  llvm::SmallVector<ChildSequence, 2> Added;
  for (const CallLink &L : Callers) {
    if (!L.Caller || L.Caller == F)
      return; // recursion: left as a return into the unknown
    const Stmt *Statement = statementOf(M, L.Call);
    const Stmt *P = M.parentStmt(Statement);
    ChildSequence Seq;
    Seq.Function = L.Caller;
    Seq.ReturnedThrough = L;
    if (isa_and_nonnull<ReturnStmt>(Statement) || isa_and_nonnull<ReturnStmt>(P)) {
      Seq.EndsFunction = true; // return f(): the caller returns too
    } else if (isa_and_nonnull<CompoundStmt>(P) || isa_and_nonnull<SwitchCase>(P) ||
               (isa_and_nonnull<IfStmt>(P) && cast<IfStmt>(P)->getCond() != Statement)) {
      Seq.EndsFunction = continuationAfter(M, Statement, Seq.Stmts, L.Caller);
    } else {
      return; // a call inside a condition: where the child goes is not followed
    }
    Added.push_back(std::move(Seq));
  }
  R.FollowedReturns.push_back(F);
  R.Sequences.append(Added.begin(), Added.end());
  for (const CallLink &L : Callers)
    followReturns(M, R, L.Caller, Depth + 1);
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
    // A plain wrapper (return fork(), or stored, checked for errors and returned) hands the
    // pid to its callers; so does one whose child sets up, falls out of its branch and
    // returns the pid (0) too (redisFork). A function whose child ends in it is the site.
    bool Wrapper = Uses.Returned && !Callers.empty() && S.Frames.size() <= MaxCallDepth &&
                   (Uses.Regions.empty() ||
                    mayReturnFrom(Model, localRegion(Model, S.Site, S.Function, Uses),
                                  S.Function));
    if (!Wrapper) {
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
  SiteUses Uses = analyseSite(Model, Site.Site, Site.Function);
  ChildRegion R = localRegion(Model, Site.Site, Site.Function, Uses);
  // Returned from a function nobody here calls, stored away, or never tested for 0.
  R.Unknown = R.Sequences.empty();
  // The child's code inside the wrappers below the site runs first; their returns hand the
  // child to the caller's test.
  llvm::SmallVector<ChildSequence, 2> Below;
  for (size_t I = 0; I + 1 < Site.Frames.size(); ++I) {
    const auto &[F, Call] = Site.Frames[I];
    SiteUses Inner = analyseSite(Model, cast<Expr>(Call), F);
    ChildRegion Local = localRegion(Model, cast<Expr>(Call), F, Inner);
    if (!Inner.Ignored)
      Below.append(Local.Sequences.begin(), Local.Sequences.end());
    R.FollowedReturns.push_back(F);
  }
  R.Sequences.insert(R.Sequences.begin(), Below.begin(), Below.end());
  if (!R.Unknown)
    followReturns(Model, R, Site.Function, 0);
  R.ReturnsFromFunction = !R.Unknown &&
                          !llvm::is_contained(R.FollowedReturns, Site.Function) &&
                          mayReturnFrom(Model, R, Site.Function);
  return R;
}

} // namespace clang::tidy::forksafe
