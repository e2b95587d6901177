//===--- TranslationUnitModel.cpp - Calls, parents and control flow of a TU --===//

#include "TranslationUnitModel.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

#include <climits>
#include <optional>

namespace clang::tidy::forksafe {

bool hasPrefix(llvm::StringRef S, llvm::StringRef P) { return S.substr(0, P.size()) == P; }
bool hasSuffix(llvm::StringRef S, llvm::StringRef P) {
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
/// Finds every function defined outside system headers and hands its body to the model's
/// indexer; nested declarations (local classes, globals) are reached through the visitor.
class BodyFinder : public RecursiveASTVisitor<BodyFinder> {
  using Base = RecursiveASTVisitor<BodyFinder>;

public:
  BodyFinder(const SourceManager &SM, llvm::function_ref<void(const FunctionDecl *)> OnBody,
             llvm::function_ref<void(const VarDecl *)> OnGlobal)
      : SM(SM), OnBody(OnBody), OnGlobal(OnGlobal) {}

  bool shouldVisitTemplateInstantiations() const { return true; }

  bool TraverseDecl(Decl *D) {
    if (!D)
      return true;
    if (!isa<TranslationUnitDecl>(D) && D->getLocation().isValid() &&
        SM.isInSystemHeader(D->getLocation()))
      return true;
    if (const auto *FD = dyn_cast<FunctionDecl>(D)) {
      // Bodies are indexed by the model, iteratively; the visitor still walks the rest of
      // the declaration (parameters' default arguments are not followed).
      if (FD->doesThisDeclarationHaveABody())
        OnBody(FD);
      return true;
    }
    if (const auto *VD = dyn_cast<VarDecl>(D))
      if (VD->hasGlobalStorage() && VD->getInit())
        OnGlobal(VD);
    return Base::TraverseDecl(D);
  }

private:
  const SourceManager &SM;
  llvm::function_ref<void(const FunctionDecl *)> OnBody;
  llvm::function_ref<void(const VarDecl *)> OnGlobal;
};
} // namespace

void TranslationUnitModel::noteStoredFunction(const ValueDecl *Target, const Expr *Value) {
  if (!Target || !Value)
    return;
  QualType T = Target->getType();
  if (!T->isFunctionPointerType() && !T->isFunctionReferenceType() &&
      !T->isMemberFunctionPointerType())
    return;
  auto &Slot = StoredFunctions[Target];
  const Expr *V = Value->IgnoreParenImpCasts();
  if (isa<CXXNullPtrLiteralExpr>(V) || isa<GNUNullExpr>(V) || isa<IntegerLiteral>(V))
    return; // a null pointer is never called
  if (const FunctionDecl *FD = referencedFunction(Value)) {
    if (!llvm::is_contained(Slot.Functions, FD))
      Slot.Functions.push_back(FD);
  } else {
    Slot.Unknown = true;
  }
}

void TranslationUnitModel::noteGlobal(const VarDecl *VD) {
  noteStoredFunction(VD, VD->getInit());
  noteInitList(VD->getType(), VD->getInit());
}

void TranslationUnitModel::noteInitList(QualType T, const Expr *Init) {
  const auto *IL = dyn_cast_or_null<InitListExpr>(Init ? Init->IgnoreImplicit() : nullptr);
  const RecordDecl *RD = T->getAsRecordDecl();
  if (!IL || !RD)
    return;
  unsigned I = 0;
  for (const FieldDecl *FD : RD->fields()) {
    if (I >= IL->getNumInits())
      break;
    const Expr *E = IL->getInit(I++);
    if (FD->getType()->isRecordType())
      noteInitList(FD->getType(), E);
    else
      noteStoredFunction(FD, E);
  }
}

void TranslationUnitModel::indexBody(const FunctionDecl *FD) {
  struct Item {
    const Stmt *S;
    const Stmt *Parent;
    const FunctionDecl *Owner;
  };
  llvm::SmallVector<Item, 64> Work{{FD->getBody(), nullptr, FD}};
  BodyOwner.try_emplace(FD->getBody(), FD);
  while (!Work.empty()) {
    Item It = Work.pop_back_val();
    if (!It.S)
      continue;
    if (It.Parent && !Parents.try_emplace(It.S, It.Parent).second)
      continue; // shared by two parents (semantic forms): indexed once
    const FunctionDecl *Owner = It.Owner;
    if (const auto *CE = dyn_cast<CallExpr>(It.S)) {
      if (const FunctionDecl *Callee = CE->getDirectCallee())
        Callers[Callee->getCanonicalDecl()].push_back({CE, Owner, Callee});
    } else if (const auto *CE = dyn_cast<CXXConstructExpr>(It.S)) {
      if (const FunctionDecl *Callee = CE->getConstructor())
        Callers[Callee->getCanonicalDecl()].push_back({CE, Owner, Callee});
    } else if (const auto *BO = dyn_cast<BinaryOperator>(It.S)) {
      if (BO->getOpcode() == BO_Assign) {
        const Expr *L = BO->getLHS()->IgnoreParenImpCasts();
        if (const auto *DRE = dyn_cast<DeclRefExpr>(L))
          noteStoredFunction(DRE->getDecl(), BO->getRHS());
        else if (const auto *ME = dyn_cast<MemberExpr>(L))
          noteStoredFunction(ME->getMemberDecl(), BO->getRHS());
      }
    } else if (const auto *DS = dyn_cast<DeclStmt>(It.S)) {
      for (const Decl *D : DS->decls()) {
        if (const auto *VD = dyn_cast<VarDecl>(D)) {
          if (const Expr *Init = VD->getInit()) {
            InitOf.try_emplace(Init, VD);
            noteStoredFunction(VD, Init);
            noteInitList(VD->getType(), Init);
          }
        } else if (isa<FunctionDecl>(D) || isa<CXXRecordDecl>(D)) {
          // Local classes: their methods are functions of their own.
          auto OnBody = [&](const FunctionDecl *F) { Pending.push_back(F); };
          auto OnGlobal = [&](const VarDecl *VD) { noteGlobal(VD); };
          BodyFinder Finder(Ctx.getSourceManager(), OnBody, OnGlobal);
          Finder.TraverseDecl(const_cast<Decl *>(D));
        }
      }
    } else if (const auto *IL = dyn_cast<InitListExpr>(It.S)) {
      noteInitList(IL->getType(), IL);
    } else if (const auto *UO = dyn_cast<UnaryOperator>(It.S)) {
      // A function pointer whose address is taken may be written through it.
      if (UO->getOpcode() == UO_AddrOf)
        if (const auto *DRE = dyn_cast<DeclRefExpr>(UO->getSubExpr()->IgnoreParenImpCasts()))
          if (DRE->getType()->isFunctionPointerType())
            StoredFunctions[DRE->getDecl()].Unknown = true;
    }
    if (const auto *LE = dyn_cast<LambdaExpr>(It.S)) {
      // The body belongs to the lambda's call operator.
      BodyOwner.try_emplace(LE->getBody(), LE->getCallOperator());
      for (const Expr *Init : LE->capture_inits())
        Work.push_back({Init, It.S, Owner});
      Work.push_back({LE->getBody(), It.S, LE->getCallOperator()});
      continue;
    }
    // Reversed, so that the work list pops children in source order.
    llvm::SmallVector<const Stmt *, 8> Children(It.S->child_begin(), It.S->child_end());
    for (const Stmt *C : llvm::reverse(Children))
      Work.push_back({C, It.S, Owner});
  }
}

void TranslationUnitModel::buildIndex() {
  if (IndexBuilt)
    return;
  IndexBuilt = true;
  // Named: function_ref does not keep a temporary lambda alive.
  auto OnBody = [&](const FunctionDecl *FD) { Pending.push_back(FD); };
  auto OnGlobal = [&](const VarDecl *VD) { noteGlobal(VD); };
  BodyFinder Finder(Ctx.getSourceManager(), OnBody, OnGlobal);
  Finder.TraverseDecl(Ctx.getTranslationUnitDecl());
  while (!Pending.empty())
    indexBody(Pending.pop_back_val());
}

llvm::ArrayRef<CallLink> TranslationUnitModel::callersOf(const FunctionDecl *FD) {
  buildIndex();
  auto It = Callers.find(FD->getCanonicalDecl());
  if (It == Callers.end())
    return {};
  return It->second;
}

llvm::ArrayRef<const FunctionDecl *> TranslationUnitModel::indirectTargets(const CallExpr *Call) {
  buildIndex();
  const Expr *Callee = Call->getCallee()->IgnoreParenImpCasts();
  while (const auto *UO = dyn_cast<UnaryOperator>(Callee)) {
    if (UO->getOpcode() != UO_Deref)
      break;
    Callee = UO->getSubExpr()->IgnoreParenImpCasts();
  }
  const ValueDecl *Holder = nullptr;
  if (const auto *DRE = dyn_cast<DeclRefExpr>(Callee))
    Holder = DRE->getDecl();
  else if (const auto *ME = dyn_cast<MemberExpr>(Callee))
    Holder = ME->getMemberDecl();
  // Parameters receive whatever their callers pass: not known here.
  if (!Holder || isa<ParmVarDecl>(Holder))
    return {};
  auto It = StoredFunctions.find(Holder);
  if (It == StoredFunctions.end() || It->second.Unknown)
    return {};
  return It->second.Functions;
}

const Stmt *TranslationUnitModel::parentStmt(const Stmt *S) {
  buildIndex();
  auto It = Parents.find(S);
  if (It != Parents.end())
    return It->second;
  if (BodyOwner.count(S))
    return nullptr;
  // Outside the indexed bodies (a global's initializer, a system header): the AST's own map.
  DynTypedNode Node = DynTypedNode::create(*S);
  for (unsigned Guard = 0; Guard < 8; ++Guard) {
    auto Ps = Ctx.getParents(Node);
    if (Ps.empty())
      return nullptr;
    Node = Ps[0];
    if (const auto *P = Node.get<Stmt>())
      return P;
    // A local variable's initializer: its parent is the VarDecl, whose parent is a DeclStmt.
    if (!Node.get<VarDecl>())
      return nullptr;
  }
  return nullptr;
}

const VarDecl *TranslationUnitModel::initializedVar(const Stmt *S) {
  buildIndex();
  const auto *E = dyn_cast<Expr>(S);
  return E ? InitOf.lookup(E) : nullptr;
}

const FunctionDecl *TranslationUnitModel::enclosingFunction(const Stmt *S) {
  buildIndex();
  const Stmt *Cur = S;
  for (unsigned Depth = 0; Cur && Depth < 100000; ++Depth) {
    if (const FunctionDecl *FD = BodyOwner.lookup(Cur))
      return FD;
    auto It = Parents.find(Cur);
    if (It == Parents.end())
      break;
    Cur = It->second;
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

bool TranslationUnitModel::isDescendant(const Stmt *Inner, const Stmt *Outer) {
  for (const Stmt *Cur = Inner; Cur; Cur = parentStmt(Cur))
    if (Cur == Outer)
      return true;
  return false;
}

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


const FunctionDecl *referencedFunction(const Expr *E) {
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

} // namespace clang::tidy::forksafe
