//===--- ForkAnalysis.cpp - Shared analyses of the forksafe checks --------===//

#include "ForkAnalysis.h"
#include "ApiTables.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"
#include "clang/AST/StmtOpenMP.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/Builtins.h"
#include "clang/Basic/OpenMPKinds.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <climits>

namespace clang::tidy::forksafe {

// StringRef::startswith is gone in LLVM 19 and starts_with missing in 14.
static bool hasPrefix(llvm::StringRef S, llvm::StringRef P) { return S.substr(0, P.size()) == P; }
static bool hasSuffix(llvm::StringRef S, llvm::StringRef P) {
  return S.size() >= P.size() && S.substr(S.size() - P.size()) == P;
}

llvm::SmallVector<llvm::StringRef, 8> splitList(llvm::StringRef List) {
  llvm::SmallVector<llvm::StringRef, 8> Out;
  llvm::SmallVector<llvm::StringRef, 8> Parts;
  List.split(Parts, ',', -1, false);
  for (llvm::StringRef P : Parts) {
    llvm::SmallVector<llvm::StringRef, 4> Sub;
    P.split(Sub, ';', -1, false);
    for (llvm::StringRef S : Sub)
      if (!S.trim().empty())
        Out.push_back(S.trim());
  }
  return Out;
}

std::string spelling(const Expr *E, const ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  llvm::StringRef Text = Lexer::getSourceText(
      CharSourceRange::getTokenRange(E->getSourceRange()), SM, Ctx.getLangOpts());
  if (!Text.empty())
    return Text.str();
  std::string S;
  llvm::raw_string_ostream OS(S);
  E->printPretty(OS, nullptr, Ctx.getPrintingPolicy());
  return OS.str();
}

const FunctionDecl *calleeOf(const Stmt *S) {
  if (const auto *CE = dyn_cast_or_null<CallExpr>(S))
    return CE->getDirectCallee();
  if (const auto *CE = dyn_cast_or_null<CXXConstructExpr>(S))
    return CE->getConstructor();
  return nullptr;
}

bool isFollowable(const FunctionDecl *FD, const ASTContext &Ctx) {
  const FunctionDecl *Def = nullptr;
  if (!FD || !FD->hasBody(Def) || !Def)
    return false;
  if (!Ctx.getSourceManager().isInSystemHeader(Def->getLocation()))
    return true;
  // Inline helpers of the C library headers (__bswap_16, __uint16_identity) are part of the
  // call they implement; public names in system headers are library calls.
  const IdentifierInfo *II = Def->getIdentifier();
  return II && hasPrefix(II->getName(), "__") && !isa<CXXMethodDecl>(Def);
}

llvm::StringRef libraryFunctionName(const FunctionDecl *FD) {
  if (!FD || isa<CXXMethodDecl>(FD) || !FD->getIdentifier())
    return "";
  const DeclContext *DC = FD->getDeclContext()->getRedeclContext();
  if (!DC->isTranslationUnit() && !DC->isStdNamespace() && !FD->isExternC())
    return "";
  llvm::StringRef Name = FD->getName();
  // Fortified and builtin spellings of the same function: __builtin___memcpy_chk, __read_chk.
  Name.consume_front("__builtin_");
  if (hasPrefix(Name, "__") && hasSuffix(Name, "_chk"))
    Name = Name.drop_front(2).drop_back(4);
  return Name;
}

std::string describeFunction(const FunctionDecl *FD) {
  if (const auto *MD = dyn_cast<CXXMethodDecl>(FD))
    if (MD->getParent()->isLambda())
      return "lambda";
  return FD->getQualifiedNameAsString();
}

//===----------------------------------------------------------------------===//
// TranslationUnitModel
//===----------------------------------------------------------------------===//

struct TranslationUnitModel::FlowInfo {
  std::unique_ptr<CFG> Graph;
  /// Every statement of the CFG: its block and its index there (terminators: the block size).
  llvm::DenseMap<const Stmt *, std::pair<const CFGBlock *, unsigned>> Position;
};

TranslationUnitModel::TranslationUnitModel(ASTContext &Ctx) : Ctx(Ctx) {}
TranslationUnitModel::~TranslationUnitModel() = default;

namespace {
/// Records, for every function defined outside system headers, the calls it makes.
class CallIndexer : public RecursiveASTVisitor<CallIndexer> {
  using Base = RecursiveASTVisitor<CallIndexer>;

public:
  CallIndexer(const SourceManager &SM,
              llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<CallLink, 2>> &Callers)
      : SM(SM), Callers(Callers) {}

  bool shouldVisitTemplateInstantiations() const { return true; }

  bool TraverseDecl(Decl *D) {
    if (!D)
      return true;
    if (!isa<TranslationUnitDecl>(D) && D->getLocation().isValid() &&
        SM.isInSystemHeader(D->getLocation()))
      return true;
    const auto *FD = dyn_cast<FunctionDecl>(D);
    if (FD && FD->doesThisDeclarationHaveABody()) {
      Stack.push_back(FD);
      bool R = Base::TraverseDecl(D);
      Stack.pop_back();
      return R;
    }
    return Base::TraverseDecl(D);
  }
  bool TraverseLambdaExpr(LambdaExpr *LE) {
    Stack.push_back(LE->getCallOperator());
    bool R = Base::TraverseLambdaExpr(LE);
    Stack.pop_back();
    return R;
  }
  bool VisitCallExpr(CallExpr *CE) {
    record(CE, CE->getDirectCallee());
    return true;
  }
  bool VisitCXXConstructExpr(CXXConstructExpr *CE) {
    record(CE, CE->getConstructor());
    return true;
  }

private:
  void record(const Expr *Call, const FunctionDecl *Callee) {
    if (!Callee || Stack.empty())
      return;
    Callers[Callee->getCanonicalDecl()].push_back({Call, Stack.back(), Callee});
  }

  const SourceManager &SM;
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<CallLink, 2>> &Callers;
  llvm::SmallVector<const FunctionDecl *, 4> Stack;
};
} // namespace

void TranslationUnitModel::buildCallIndex() {
  if (CallIndexBuilt)
    return;
  CallIndexBuilt = true;
  CallIndexer Indexer(Ctx.getSourceManager(), Callers);
  Indexer.TraverseDecl(Ctx.getTranslationUnitDecl());
}

llvm::ArrayRef<CallLink> TranslationUnitModel::callersOf(const FunctionDecl *FD) {
  buildCallIndex();
  auto It = Callers.find(FD->getCanonicalDecl());
  if (It == Callers.end())
    return {};
  return It->second;
}

const Stmt *TranslationUnitModel::parentStmt(const Stmt *S) {
  DynTypedNode Node = DynTypedNode::create(*S);
  for (unsigned Guard = 0; Guard < 8; ++Guard) {
    auto Parents = Ctx.getParents(Node);
    if (Parents.empty())
      return nullptr;
    Node = Parents[0];
    if (const auto *P = Node.get<Stmt>())
      return P;
    // A local variable's initializer: its parent is the VarDecl, whose parent is a DeclStmt.
    if (!Node.get<VarDecl>())
      return nullptr;
  }
  return nullptr;
}

const FunctionDecl *TranslationUnitModel::enclosingFunction(const Stmt *S) {
  DynTypedNode Node = DynTypedNode::create(*S);
  for (unsigned Depth = 0; Depth < 512; ++Depth) {
    auto Parents = Ctx.getParents(Node);
    if (Parents.empty())
      return nullptr;
    Node = Parents[0];
    if (const auto *FD = Node.get<FunctionDecl>())
      return FD;
    if (const auto *LE = Node.get<LambdaExpr>())
      return LE->getCallOperator();
    if (Node.get<BlockDecl>() || Node.get<TranslationUnitDecl>())
      return nullptr;
  }
  return nullptr;
}

TranslationUnitModel::FlowInfo *TranslationUnitModel::flow(const FunctionDecl *FD) {
  auto &Slot = Flows[FD];
  if (Slot)
    return Slot.get();
  Slot = std::make_unique<FlowInfo>();
  if (!FD->getBody())
    return Slot.get();
  CFG::BuildOptions Options;
  Options.setAllAlwaysAdd();
  Slot->Graph = CFG::buildCFG(FD, const_cast<Stmt *>(FD->getBody()), &Ctx, Options);
  if (!Slot->Graph)
    return Slot.get();
  for (const CFGBlock *B : *Slot->Graph) {
    unsigned Index = 0;
    for (const CFGElement &E : *B) {
      if (auto CS = E.getAs<CFGStmt>())
        Slot->Position.try_emplace(CS->getStmt(), B, Index);
      ++Index;
    }
    if (const Stmt *Term = B->getTerminatorStmt())
      Slot->Position.try_emplace(Term, B, B->size());
  }
  return Slot.get();
}

bool TranslationUnitModel::reaches(const FunctionDecl *FD, const Stmt *From, const Stmt *To,
                                   llvm::ArrayRef<const Stmt *> Kills) {
  FlowInfo *Flow = flow(FD);
  if (!Flow->Graph)
    return false;
  auto Locate = [&](const Stmt *S) -> std::optional<std::pair<const CFGBlock *, unsigned>> {
    for (const Stmt *Cur = S; Cur; Cur = parentStmt(Cur)) {
      auto It = Flow->Position.find(Cur);
      if (It != Flow->Position.end())
        return It->second;
    }
    return std::nullopt;
  };
  auto Src = Locate(From), Dst = Locate(To);
  if (!Src || !Dst)
    return false;
  llvm::DenseMap<const CFGBlock *, llvm::SmallVector<unsigned, 2>> KillsIn;
  for (const Stmt *K : Kills)
    if (auto P = Locate(K))
      KillsIn[P->first].push_back(P->second);
  auto KilledBetween = [&](const CFGBlock *B, unsigned After, unsigned Before) {
    auto It = KillsIn.find(B);
    if (It == KillsIn.end())
      return false;
    return llvm::any_of(It->second, [&](unsigned K) { return K >= After && K < Before; });
  };

  // The rest of the source block.
  if (Src->first == Dst->first && Src->second < Dst->second)
    return !KilledBetween(Src->first, Src->second + 1, Dst->second);
  if (KilledBetween(Src->first, Src->second + 1, UINT_MAX))
    return false;
  llvm::SmallVector<const CFGBlock *, 16> Work;
  llvm::DenseSet<const CFGBlock *> Seen;
  auto PushSuccs = [&](const CFGBlock *B) {
    for (const CFGBlock::AdjacentBlock &Succ : B->succs())
      if (const CFGBlock *S = Succ.getReachableBlock())
        if (Seen.insert(S).second)
          Work.push_back(S);
  };
  PushSuccs(Src->first);
  while (!Work.empty()) {
    const CFGBlock *B = Work.pop_back_val();
    if (B == Dst->first)
      return !KilledBetween(B, 0, Dst->second);
    if (KilledBetween(B, 0, UINT_MAX))
      continue;
    PushSuccs(B);
  }
  return false;
}

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
    DynTypedNode Node = DynTypedNode::create(*Cur);
    auto Parents = Ctx.getParents(Node);
    if (Parents.empty())
      return Use;
    if (const auto *VD = Parents[0].get<VarDecl>()) {
      if (IsPid && VD->getInit() && VD->getInit()->IgnoreParenImpCasts() ==
                                        cast<Expr>(Cur)->IgnoreParenImpCasts()) {
        Use.K = PidUse::StoredInVar;
        Use.Var = VD;
      }
      return Use;
    }
    const Stmt *P = Parents[0].get<Stmt>();
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

bool isDescendant(TranslationUnitModel &M, const Stmt *Inner, const Stmt *Outer) {
  for (const Stmt *Cur = Inner; Cur; Cur = M.parentStmt(Cur))
    if (Cur == Outer)
      return true;
  return false;
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
          if (S != Start && isDescendant(M, Start, S))
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

//===----------------------------------------------------------------------===//
// Walking the child
//===----------------------------------------------------------------------===//

/// True if control never continues after S: exec*, _exit, a noreturn call, return, break...
static bool alwaysTerminates(const Stmt *S, bool ExecTerminates) {
  if (!S)
    return false;
  if (isa<ReturnStmt>(S) || isa<BreakStmt>(S) || isa<ContinueStmt>(S) || isa<GotoStmt>(S) ||
      isa<CXXThrowExpr>(S))
    return true;
  if (const auto *CS = dyn_cast<CompoundStmt>(S))
    return llvm::any_of(CS->body(),
                        [&](const Stmt *C) { return alwaysTerminates(C, ExecTerminates); });
  if (const auto *If = dyn_cast<IfStmt>(S))
    return alwaysTerminates(If->getThen(), ExecTerminates) &&
           alwaysTerminates(If->getElse(), ExecTerminates);
  if (const auto *E = dyn_cast<Expr>(S)) {
    if (const auto *CE = dyn_cast<CallExpr>(E->IgnoreParenCasts()->IgnoreImplicit())) {
      if (const FunctionDecl *FD = CE->getDirectCallee()) {
        if (FD->isNoReturn())
          return true;
        llvm::StringRef Name = libraryFunctionName(FD);
        return (ExecTerminates && isExecFunction(Name)) || isImmediateExitFunction(Name);
      }
    }
  }
  return false;
}

namespace {
class ChildWalker {
public:
  ChildWalker(TranslationUnitModel &M, ChildVisitor Visit, WalkOptions Options)
      : M(M), Visit(Visit), Options(Options) {}

  void walkSequence(llvm::ArrayRef<const Stmt *> Seq) {
    for (const Stmt *S : Seq) {
      walk(S);
      if (Stopped || alwaysTerminates(S, !Options.ContinueAfterExec))
        return;
    }
  }

  void walk(const Stmt *S) {
    if (!S || Stopped)
      return;
    if (Visit(S, Chain)) {
      Stopped = true;
      return;
    }
    if (const auto *LE = dyn_cast<LambdaExpr>(S)) {
      // The body runs when the lambda is called, not here.
      for (const Expr *Init : LE->capture_inits())
        walk(Init);
      return;
    }
    if (isa<BlockExpr>(S) || isa<UnaryExprOrTypeTraitExpr>(S) || isa<CXXTypeidExpr>(S))
      return;
    if (const auto *CS = dyn_cast<CompoundStmt>(S)) {
      llvm::SmallVector<const Stmt *, 16> Body(CS->body_begin(), CS->body_end());
      walkSequence(Body);
      return;
    }
    for (const Stmt *Child : S->children())
      walk(Child);
    if (Stopped)
      return;
    const FunctionDecl *Callee = calleeOf(S);
    if (Options.FollowCalls && Callee && isFollowable(Callee, M.context()))
      enter(cast<Expr>(S), Callee);
  }

private:
  void enter(const Expr *Call, const FunctionDecl *Callee) {
    const FunctionDecl *Def = nullptr;
    Callee->hasBody(Def);
    if (!Def || Chain.size() >= MaxCallDepth || !Entered.insert(Def).second)
      return;
    const FunctionDecl *Caller = Chain.empty() ? nullptr : Chain.back().Callee;
    Chain.push_back({Call, Caller, Def});
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Def))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        walk(Init->getInit());
    walk(Def->getBody());
    Chain.pop_back();
  }

  TranslationUnitModel &M;
  ChildVisitor Visit;
  WalkOptions Options;
  CallChain Chain;
  llvm::DenseSet<const FunctionDecl *> Entered;
  bool Stopped = false;
};
} // namespace

void walkChild(TranslationUnitModel &Model, const ChildRegion &Region, ChildVisitor Visit,
               WalkOptions Options) {
  ChildWalker W(Model, Visit, Options);
  for (const auto &Seq : Region.Sequences)
    W.walkSequence(Seq);
}

SafetyPolicy::SafetyPolicy(bool StrictExec, llvm::StringRef AdditionalSafeFunctions)
    : StrictExec(StrictExec) {
  for (llvm::StringRef Name : splitList(AdditionalSafeFunctions))
    Additional.insert(Name);
}

bool SafetyPolicy::isSafe(llvm::StringRef Name) const {
  auto Contains = [&](llvm::ArrayRef<llvm::StringRef> Sorted) {
    return std::binary_search(Sorted.begin(), Sorted.end(), Name);
  };
  return Contains(asyncSignalSafeFunctions()) || Contains(safeRuntimeHelpers()) ||
         (!StrictExec && Contains(pathSearchingExecFunctions())) || Additional.count(Name);
}

std::optional<UnsafeOperation> firstUnsafeOperation(TranslationUnitModel &Model,
                                                    const ChildRegion &Region,
                                                    const SafetyPolicy &Policy) {
  ASTContext &Ctx = Model.context();
  std::optional<UnsafeOperation> Found;
  auto Report = [&](const Stmt *Op, std::string Description, llvm::ArrayRef<CallLink> Chain) {
    Found = UnsafeOperation{Op, std::move(Description), CallChain(Chain.begin(), Chain.end())};
    return true;
  };
  walkChild(Model, Region, [&](const Stmt *S, llvm::ArrayRef<CallLink> Chain) {
    if (const auto *CE = dyn_cast<CallExpr>(S)) {
      const FunctionDecl *FD = CE->getDirectCallee();
      if (!FD) {
        if (isa<CXXPseudoDestructorExpr>(CE->getCallee()->IgnoreParens()))
          return false;
        return Report(S, "makes an indirect call", Chain);
      }
      llvm::StringRef Name = libraryFunctionName(FD);
      if (!Name.empty() && Policy.isSafe(Name))
        return false;
      if (isFollowable(FD, Ctx))
        return false;
      if (FD->isInStdNamespace() &&
          llvm::is_contained(compileTimeLibraryFunctions(), FD->getQualifiedNameAsString()))
        return false;
      if (unsigned ID = FD->getBuiltinID())
        if (!Ctx.BuiltinInfo.isLibFunction(ID) && !Ctx.BuiltinInfo.isPredefinedLibFunction(ID))
          return false;
      const FunctionDecl *Def = FD->getDefinition();
      if (!Ctx.getSourceManager().isInSystemHeader((Def ? Def : FD)->getLocation()) &&
          Policy.External)
        if (std::optional<std::string> Verdict = Policy.External(FD))
          return Verdict->empty() ? false : Report(S, *Verdict, Chain);
      if (!Ctx.getSourceManager().isInSystemHeader((Def ? Def : FD)->getLocation()))
        return Report(S, "calls '" + describeFunction(FD) +
                             "', which is defined outside this translation unit and not known "
                             "to be async-signal-safe,", Chain);
      return Report(S, "calls '" + describeFunction(FD) + "', which is not async-signal-safe,",
                    Chain);
    }
    if (const auto *CE = dyn_cast<CXXConstructExpr>(S)) {
      const CXXConstructorDecl *Ctor = CE->getConstructor();
      if (!Ctor || Ctor->isTrivial() || isFollowable(Ctor, Ctx))
        return false;
      return Report(S, "constructs a '" + Ctor->getParent()->getQualifiedNameAsString() +
                           "', which is not async-signal-safe,", Chain);
    }
    if (isa<CXXNewExpr>(S))
      return Report(S, "allocates with 'new'", Chain);
    if (isa<CXXDeleteExpr>(S))
      return Report(S, "deallocates with 'delete'", Chain);
    if (isa<CXXThrowExpr>(S))
      return Report(S, "throws an exception", Chain);
    // A return in the child's own code leaves the forking function: the child goes on running
    // its caller (or, from main, exit with its atexit handlers).
    if (isa<ReturnStmt>(S) && Chain.empty() && Region.Function) {
      if (Region.Function->isMain())
        return Report(S, "returns from 'main', which runs atexit handlers and flushes stdio,",
                      Chain);
      return Report(S, "returns from '" + describeFunction(Region.Function) +
                           "' into the rest of the program", Chain);
    }
    return false;
  });
  if (Found)
    return Found;
  if (Region.Unknown)
    return UnsafeOperation{nullptr, "cannot be followed (the result of fork() is not tested "
                                    "for 0 where this check can see it)", {}};
  if (Region.ReturnsFromFunction) {
    if (Region.Function && Region.Function->isMain())
      return UnsafeOperation{nullptr, "returns from 'main', which runs atexit handlers and "
                                      "flushes stdio,", {}};
    return UnsafeOperation{nullptr, "returns from '" + describeFunction(Region.Function) +
                                        "' into the rest of the program", {}};
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// What happened before the fork
//===----------------------------------------------------------------------===//

namespace {
/// Statements of F's own body in pre-order, not entering lambdas or blocks.
void forEachOwnStmt(const Stmt *S, llvm::function_ref<void(const Stmt *)> Fn) {
  if (!S)
    return;
  Fn(S);
  if (isa<LambdaExpr>(S) || isa<BlockExpr>(S))
    return;
  for (const Stmt *Child : S->children())
    forEachOwnStmt(Child, Fn);
}

class EventSearch {
public:
  EventSearch(TranslationUnitModel &M, EventPredicate IsEvent,
              llvm::function_ref<const Stmt *(const FunctionDecl *)> ThreadStartOf)
      : M(M), IsEvent(IsEvent), ThreadStartOf(ThreadStartOf) {}

  /// An event in F (or a callee) that reaches Target on some path.
  std::optional<PrecedingEvent> local(const FunctionDecl *F, const Stmt *Target) {
    std::optional<PrecedingEvent> Hit;
    forEachOwnStmt(F->getBody(), [&](const Stmt *X) {
      if (Hit)
        return;
      std::optional<PrecedingEvent> Candidate;
      if (IsEvent(X)) {
        Candidate = PrecedingEvent{X, {}, {}, nullptr};
      } else if (const FunctionDecl *Callee = calleeOf(X);
                 Callee && isFollowable(Callee, M.context())) {
        if (auto Inside = inside(Callee, 0)) {
          Candidate = PrecedingEvent{Inside->first, {}, {}, nullptr};
          Candidate->Inner.push_back({cast<Expr>(X), F, Callee});
          Candidate->Inner.append(Inside->second.begin(), Inside->second.end());
        }
      }
      if (Candidate && M.reaches(F, X, Target))
        Hit = std::move(Candidate);
    });
    return Hit;
  }

  /// Up through the callers of F, starting from Target in F.
  std::optional<PrecedingEvent> upward(const FunctionDecl *F, const Stmt *Target,
                                       CallChain &Outer, llvm::DenseSet<const Expr *> &Seen) {
    if (auto Hit = local(F, Target)) {
      Hit->Outer = Outer;
      return Hit;
    }
    if (ThreadStartOf)
      if (const Stmt *Start = ThreadStartOf(F)) {
        PrecedingEvent E{Start, {}, Outer, F};
        return E;
      }
    if (Outer.size() >= MaxCallDepth)
      return std::nullopt;
    // Each call site once: a caller may call F twice, a thread started between the calls.
    for (const CallLink &L : M.callersOf(F)) {
      if (!L.Caller || !Seen.insert(L.Call).second)
        continue;
      Outer.push_back(L);
      auto Hit = upward(L.Caller, L.Call, Outer, Seen);
      Outer.pop_back();
      if (Hit)
        return Hit;
    }
    return std::nullopt;
  }

private:
  /// The first event anywhere in FD or its callees, with the calls leading to it.
  std::optional<std::pair<const Stmt *, CallChain>> inside(const FunctionDecl *FD,
                                                           unsigned Depth) {
    const FunctionDecl *Def = nullptr;
    FD->hasBody(Def);
    if (!Def)
      return std::nullopt;
    auto It = Memo.find(Def);
    if (It != Memo.end())
      return It->second;
    Memo[Def] = std::nullopt; // recursion guard
    std::optional<std::pair<const Stmt *, CallChain>> Result;
    forEachOwnStmt(Def->getBody(), [&](const Stmt *X) {
      if (Result)
        return;
      if (IsEvent(X)) {
        Result = std::make_pair(X, CallChain());
        return;
      }
      const FunctionDecl *Callee = calleeOf(X);
      if (Depth < MaxCallDepth && Callee && isFollowable(Callee, M.context()))
        if (auto Deeper = inside(Callee, Depth + 1)) {
          CallChain Chain;
          Chain.push_back({cast<Expr>(X), Def, Callee});
          Chain.append(Deeper->second.begin(), Deeper->second.end());
          Result = std::make_pair(Deeper->first, std::move(Chain));
        }
    });
    Memo[Def] = Result;
    return Result;
  }

  TranslationUnitModel &M;
  EventPredicate IsEvent;
  llvm::function_ref<const Stmt *(const FunctionDecl *)> ThreadStartOf;
  llvm::DenseMap<const FunctionDecl *, std::optional<std::pair<const Stmt *, CallChain>>> Memo;
};
} // namespace

std::optional<PrecedingEvent>
findPrecedingEvent(TranslationUnitModel &Model, const ForkSite &Site, EventPredicate IsEvent,
                   llvm::function_ref<const Stmt *(const FunctionDecl *)> ThreadStartOf) {
  EventSearch Search(Model, IsEvent, ThreadStartOf);
  // Inside the fork wrappers, before the call that leads to the fork.
  for (size_t I = 0; I + 1 < Site.Frames.size(); ++I)
    if (auto Hit = Search.local(Site.Frames[I].first, Site.Frames[I].second))
      return Hit;
  CallChain Outer;
  llvm::DenseSet<const Expr *> Seen;
  return Search.upward(Site.Function, Site.Site, Outer, Seen);
}

//===----------------------------------------------------------------------===//
// Thread starts
//===----------------------------------------------------------------------===//

ThreadStartMatcher::ThreadStartMatcher(llvm::StringRef AdditionalThreadStarters) {
  for (llvm::StringRef Name : splitList(AdditionalThreadStarters)) {
    Name.consume_front("::");
    Additional.insert(Name);
  }
}

static bool inTable(llvm::ArrayRef<llvm::StringRef> Table, llvm::StringRef Name) {
  return llvm::is_contained(Table, Name);
}

static bool isDeferredLaunch(const Expr *E) {
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts()))
    if (const auto *EC = dyn_cast<EnumConstantDecl>(DRE->getDecl()))
      return EC->getName() == "deferred";
  return false;
}

bool ThreadStartMatcher::isThreadStart(const Stmt *S) const {
  if (const auto *D = dyn_cast<OMPExecutableDirective>(S))
    return isOpenMPParallelDirective(D->getDirectiveKind());
  if (const auto *CE = dyn_cast<CallExpr>(S)) {
    const FunctionDecl *FD = CE->getDirectCallee();
    if (!FD || !FD->getIdentifier())
      return false;
    // Most calls are not thread starts: compare the last name component before building the
    // qualified name.
    llvm::StringRef Last = FD->getName();
    auto EndsWithLast = [&](llvm::StringRef Q) {
      return Q == Last || hasSuffix(Q, ("::" + Last).str());
    };
    if (!llvm::any_of(threadStarterFunctions(), EndsWithLast) &&
        !llvm::any_of(Additional.keys(), EndsWithLast))
      return false;
    std::string Name = FD->getQualifiedNameAsString();
    if (Additional.count(Name) || Additional.count(Last))
      return true;
    if (!inTable(threadStarterFunctions(), Name))
      return false;
    if (Name == "std::async" && CE->getNumArgs() > 0 && isDeferredLaunch(CE->getArg(0)))
      return false;
    return true;
  }
  if (const auto *CE = dyn_cast<CXXConstructExpr>(S)) {
    const CXXConstructorDecl *Ctor = CE->getConstructor();
    if (!Ctor || Ctor->isDefaultConstructor() || Ctor->isCopyOrMoveConstructor())
      return false;
    std::string Class = Ctor->getParent()->getQualifiedNameAsString();
    return inTable(threadClasses(), Class) || Additional.count(Class);
  }
  return false;
}

static const FunctionDecl *functionOf(const Expr *E) {
  if (!E)
    return nullptr;
  E = E->IgnoreImplicit()->IgnoreParenCasts();
  if (const auto *MTE = dyn_cast<MaterializeTemporaryExpr>(E))
    E = MTE->getSubExpr()->IgnoreImplicit()->IgnoreParenCasts();
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_AddrOf)
      E = UO->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<FunctionDecl>(DRE->getDecl());
  if (const auto *LE = dyn_cast<LambdaExpr>(E))
    return LE->getCallOperator();
  return nullptr;
}

const FunctionDecl *ThreadStartMatcher::threadBody(const Stmt *S) const {
  if (const auto *CE = dyn_cast<CallExpr>(S)) {
    const FunctionDecl *FD = CE->getDirectCallee();
    if (!FD)
      return nullptr;
    std::string Name = FD->getQualifiedNameAsString();
    if (Name == "pthread_create" && CE->getNumArgs() >= 3)
      return functionOf(CE->getArg(2));
    if (Name == "thrd_create" && CE->getNumArgs() >= 2)
      return functionOf(CE->getArg(1));
    if (Name == "std::async" && CE->getNumArgs() >= 1)
      return functionOf(CE->getArg(CE->getNumArgs() >= 2 ? 1 : 0));
    return nullptr;
  }
  if (const auto *CE = dyn_cast<CXXConstructExpr>(S))
    if (CE->getNumArgs() >= 1)
      return functionOf(CE->getArg(0));
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Locks held at the fork
//===----------------------------------------------------------------------===//

static const Expr *mutexOperand(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_AddrOf)
      return UO->getSubExpr()->IgnoreParenImpCasts();
  return E;
}

static bool hasMethod(const CXXRecordDecl *RD, llvm::StringRef Name) {
  if (!RD || !RD->hasDefinition())
    return false;
  for (const CXXMethodDecl *MD : RD->methods())
    if (MD->getIdentifier() && MD->getName() == Name)
      return true;
  return false;
}

std::optional<HeldLock> findHeldLock(TranslationUnitModel &Model, const CallExpr *ForkCall) {
  const FunctionDecl *F = Model.enclosingFunction(ForkCall);
  if (!F || !F->getBody())
    return std::nullopt;
  const ASTContext &Ctx = Model.context();

  // The releases in F, by mutex spelling (and the guard variables' unlock calls).
  struct Release {
    std::string Key;
    llvm::StringRef Function;
    const Stmt *Call;
  };
  llvm::SmallVector<Release, 8> Releases;
  forEachOwnStmt(F->getBody(), [&](const Stmt *S) {
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      if (MD && MD->getIdentifier() && inTable(mutexUnlockMethods(), MD->getName()))
        Releases.push_back({spelling(MC->getImplicitObjectArgument()->IgnoreParenImpCasts(), Ctx),
                            MD->getName(), S});
      return;
    }
    if (const auto *CE = dyn_cast<CallExpr>(S)) {
      llvm::StringRef Name = libraryFunctionName(CE->getDirectCallee());
      for (const LockFunctionPair &P : lockFunctions())
        if (Name == P.Release && CE->getNumArgs() >= 1) {
          Releases.push_back({spelling(mutexOperand(CE->getArg(0)), Ctx), P.Release, S});
          break;
        }
    }
  });
  auto KillsFor = [&](llvm::StringRef Key, llvm::StringRef Function) {
    llvm::SmallVector<const Stmt *, 4> Kills;
    for (const Release &R : Releases)
      if (R.Key == Key && (Function.empty() || R.Function == Function))
        Kills.push_back(R.Call);
    return Kills;
  };

  std::optional<HeldLock> Held;
  forEachOwnStmt(F->getBody(), [&](const Stmt *S) {
    if (Held)
      return;
    // pthread_mutex_lock(&m) ... fork() with no unlock in between on some path.
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      if (!MD || !MD->getIdentifier() || !inTable(mutexLockMethods(), MD->getName()))
        return;
      const CXXRecordDecl *RD = MD->getParent();
      llvm::StringRef Unlock = MD->getName() == "lock" ? "unlock" : "unlock_shared";
      if (!hasMethod(RD, Unlock))
        return;
      std::string Key = spelling(MC->getImplicitObjectArgument()->IgnoreParenImpCasts(), Ctx);
      if (Model.reaches(F, S, ForkCall, KillsFor(Key, Unlock)))
        Held = HeldLock{S, Key, "", ""};
      return;
    }
    if (const auto *CE = dyn_cast<CallExpr>(S)) {
      llvm::StringRef Name = libraryFunctionName(CE->getDirectCallee());
      for (const LockFunctionPair &P : lockFunctions()) {
        if (Name != P.Acquire || CE->getNumArgs() < 1)
          continue;
        std::string Key = spelling(mutexOperand(CE->getArg(0)), Ctx);
        if (Model.reaches(F, S, ForkCall, KillsFor(Key, P.Release)))
          Held = HeldLock{S, Key, "", ""};
        return;
      }
      return;
    }
    // std::lock_guard<std::mutex> g(m); ... fork() inside g's scope.
    const auto *DS = dyn_cast<DeclStmt>(S);
    if (!DS)
      return;
    for (const Decl *D : DS->decls()) {
      const auto *VD = dyn_cast<VarDecl>(D);
      if (!VD || !VD->getInit())
        continue;
      const CXXRecordDecl *RD = VD->getType()->getAsCXXRecordDecl();
      if (!RD || !inTable(lockGuardClasses(), RD->getQualifiedNameAsString()))
        continue;
      const auto *Construct =
          dyn_cast<CXXConstructExpr>(VD->getInit()->IgnoreImplicit()->IgnoreParenImpCasts());
      if (!Construct || Construct->getNumArgs() == 0)
        continue;
      bool Deferred = llvm::any_of(Construct->arguments(), [](const Expr *A) {
        const CXXRecordDecl *T = A->getType()->getAsCXXRecordDecl();
        return T && T->getName() == "defer_lock_t";
      });
      if (Deferred)
        continue;
      const Stmt *Scope = Model.parentStmt(DS);
      if (!Scope || !isDescendant(Model, ForkCall, Scope))
        continue;
      if (!Model.reaches(F, Construct, ForkCall, KillsFor(VD->getName().str(), "unlock")))
        continue;
      Held = HeldLock{DS, spelling(mutexOperand(Construct->getArg(0)), Ctx),
                      VD->getName().str(), RD->getQualifiedNameAsString()};
      return;
    }
  });
  return Held;
}

} // namespace clang::tidy::forksafe
