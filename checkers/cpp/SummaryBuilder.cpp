//===--- SummaryBuilder.cpp - A translation unit's AST reduced to a summary ===//

#include "SummaryBuilder.h"
#include "ApiTables.h"
#include "ForkAnalysis.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"
#include "clang/AST/StmtOpenMP.h"
#include "clang/Basic/Builtins.h"
#include "clang/Basic/FileManager.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Index/USRGeneration.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Path.h"

#include <algorithm>

namespace clang::tidy::forksafe {

std::string usrOf(const Decl *D) {
  llvm::SmallString<128> Buf;
  if (!D || index::generateUSRForDecl(D->getCanonicalDecl(), Buf))
    return "";
  return std::string(Buf);
}

SourcePoint pointOf(SourceLocation Loc, const SourceManager &SM) {
  SourcePoint P;
  SourceLocation E = SM.getExpansionLoc(Loc);
  if (E.isInvalid())
    return P;
  llvm::StringRef Name = SM.getFilename(E);
  if (!Name.empty()) {
    llvm::SmallString<256> Path(Name);
    SM.getFileManager().makeAbsolutePath(Path);
    llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
    P.File = std::string(Path);
  }
  P.Line = SM.getExpansionLineNumber(E);
  P.Column = SM.getExpansionColumnNumber(E);
  return P;
}

namespace {

bool sorted(llvm::ArrayRef<llvm::StringRef> Table, llvm::StringRef Name) {
  return std::binary_search(Table.begin(), Table.end(), Name);
}

bool inSystemHeader(const Decl *D, const SourceManager &SM) {
  return D->getLocation().isValid() && SM.isInSystemHeader(D->getLocation());
}

/// pointOf and usrOf for one unit, each file's absolute path and each declaration's USR made
/// once: a unit's events name the same few files and callees many times.
class Namer {
public:
  explicit Namer(const SourceManager &SM) : SM(SM) {}

  SourcePoint point(SourceLocation Loc) {
    SourcePoint P;
    SourceLocation E = SM.getExpansionLoc(Loc);
    if (E.isInvalid())
      return P;
    std::pair<FileID, unsigned> At = SM.getDecomposedLoc(E);
    auto [It, New] = Paths.try_emplace(At.first);
    if (New)
      It->second = pointOf(SM.getLocForStartOfFile(At.first), SM).File;
    P.File = It->second;
    P.Line = SM.getLineNumber(At.first, At.second);
    P.Column = SM.getColumnNumber(At.first, At.second);
    return P;
  }

  const std::string &usr(const Decl *D) {
    static const std::string None;
    if (!D)
      return None;
    auto [It, New] = Usrs.try_emplace(D->getCanonicalDecl());
    if (New)
      It->second = usrOf(D);
    return It->second;
  }

private:
  const SourceManager &SM;
  llvm::DenseMap<FileID, std::string> Paths;
  llvm::DenseMap<const Decl *, std::string> Usrs;
};

/// The events of one function body, in source order.
class BodySummarizer {
public:
  BodySummarizer(ASTContext &Ctx, FunctionSummary &Out, const ThreadStartMatcher &Threads,
                 Namer &Names)
      : Ctx(Ctx), SM(Ctx.getSourceManager()), Out(Out), Threads(Threads), Names(Names) {}

  void walk(const Stmt *S, bool Conditional) {
    if (!S)
      return;
    if (isa<LambdaExpr>(S)) {
      // Its body is a function of its own; only the captures run here.
      for (const Expr *Init : cast<LambdaExpr>(S)->capture_inits())
        walk(Init, Conditional);
      return;
    }
    if (isa<BlockExpr>(S) || isa<UnaryExprOrTypeTraitExpr>(S) || isa<CXXTypeidExpr>(S))
      return;
    if (const auto *D = dyn_cast<OMPExecutableDirective>(S))
      if (Threads.isThreadStart(D))
        add(SummaryEvent::ThreadStart, "omp parallel", "", S, Conditional);

    // Branches and loop bodies run on some paths only; a loop's events may repeat.
    bool IsLoop = isa<ForStmt>(S) || isa<WhileStmt>(S) || isa<DoStmt>(S) ||
                  isa<CXXForRangeStmt>(S);
    unsigned SavedLoop = Loop;
    if (IsLoop && !Loop)
      Loop = ++LoopCount;
    if (const auto *If = dyn_cast<IfStmt>(S)) {
      walk(If->getInit(), Conditional);
      walk(If->getConditionVariableDeclStmt(), Conditional);
      walk(If->getCond(), Conditional);
      walk(If->getThen(), true);
      walk(If->getElse(), true);
    } else if (const auto *CO = dyn_cast<AbstractConditionalOperator>(S)) {
      walk(CO->getCond(), Conditional);
      walk(CO->getTrueExpr(), true);
      walk(CO->getFalseExpr(), true);
    } else if (const auto *BO = dyn_cast<BinaryOperator>(S); BO && BO->isLogicalOp()) {
      walk(BO->getLHS(), Conditional);
      walk(BO->getRHS(), true);
    } else if (IsLoop || isa<SwitchStmt>(S) || isa<CXXTryStmt>(S)) {
      for (const Stmt *Child : S->children())
        walk(Child, true);
    } else {
      for (const Stmt *Child : S->children())
        walk(Child, Conditional);
    }
    Loop = SavedLoop;
    visit(S, Conditional);
  }

private:
  void add(SummaryEvent::Kind K, llvm::StringRef Name, llvm::StringRef Target, const Stmt *At,
           bool Conditional) {
    SummaryEvent E;
    E.K = K;
    E.Name = Name.str();
    E.Target = Target.str();
    E.Loc = Names.point(At->getBeginLoc());
    E.Loop = Loop;
    E.Unconditional = !Conditional && !Loop;
    Out.Events.push_back(std::move(E));
  }

  /// After the operands (they are evaluated first): the call itself.
  void visit(const Stmt *S, bool Conditional) {
    if (isa<CXXNewExpr>(S))
      return add(SummaryEvent::Unsafe, "allocates with 'new'", "", S, Conditional);
    if (isa<CXXDeleteExpr>(S))
      return add(SummaryEvent::Unsafe, "deallocates with 'delete'", "", S, Conditional);
    if (isa<CXXThrowExpr>(S))
      return add(SummaryEvent::Unsafe, "throws an exception", "", S, Conditional);
    if (Threads.isThreadStart(S) && !isa<OMPExecutableDirective>(S)) {
      const FunctionDecl *Body = Threads.threadBody(S);
      const FunctionDecl *Starter = calleeOf(S);
      return add(SummaryEvent::ThreadStart, Starter ? describeFunction(Starter) : "thread",
                 Body ? Names.usr(Body) : "", S, Conditional);
    }
    if (const auto *CE = dyn_cast<CXXConstructExpr>(S)) {
      const CXXConstructorDecl *Ctor = CE->getConstructor();
      if (!Ctor || Ctor->isTrivial())
        return;
      if (inSystemHeader(Ctor, SM))
        return add(SummaryEvent::Unsafe,
                   "constructs a '" + Ctor->getParent()->getQualifiedNameAsString() +
                       "', which is not async-signal-safe,",
                   "", S, Conditional);
      return add(SummaryEvent::Call, describeFunction(Ctor), Names.usr(Ctor), S, Conditional);
    }
    const auto *CE = dyn_cast<CallExpr>(S);
    if (!CE)
      return;
    const FunctionDecl *FD = CE->getDirectCallee();
    if (!FD) {
      if (isa<CXXPseudoDestructorExpr>(CE->getCallee()->IgnoreParens()))
        return;
      QualType T = CE->getCallee()->getType();
      if (const auto *PT = T->getAs<PointerType>())
        T = PT->getPointeeType();
      return add(SummaryEvent::IndirectCall, "", T.getCanonicalType().getAsString(), S,
                 Conditional);
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(CE)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      if (MD && MD->getIdentifier() && llvm::is_contained(mutexLockMethods(), MD->getName()))
        return add(SummaryEvent::Lock,
                   spelling(MC->getImplicitObjectArgument()->IgnoreParenImpCasts(), Ctx), "", S,
                   Conditional);
    }
    if (unsigned ID = FD->getBuiltinID())
      if (!Ctx.BuiltinInfo.isLibFunction(ID) && !Ctx.BuiltinInfo.isPredefinedLibFunction(ID))
        return;
    const FunctionDecl *Def = FD->getDefinition();
    bool Library = inSystemHeader(Def ? Def : FD, SM);
    if (!Library) {
      // A function of the project, defined here or in another unit: the link follows it.
      return add(SummaryEvent::Call, describeFunction(FD), Names.usr(FD), S, Conditional);
    }
    if (isFollowable(FD, Ctx))
      return; // an inline helper of the C library headers (__bswap_16)
    llvm::StringRef Name = libraryFunctionName(FD);
    if (Name.empty()) {
      if (FD->isInStdNamespace() &&
          llvm::is_contained(compileTimeLibraryFunctions(), FD->getQualifiedNameAsString()))
        return;
      return add(SummaryEvent::LibraryCall, describeFunction(FD), "", S, Conditional);
    }
    if (llvm::is_contained(forkFunctions(), Name))
      return add(SummaryEvent::Fork, Name, "", S, Conditional);
    if (isExecFunction(Name))
      return add(SummaryEvent::Exec, Name, "", S, Conditional);
    if (isImmediateExitFunction(Name) || Name == "abort" || Name == "quick_exit")
      return add(SummaryEvent::ImmediateExit, Name, "", S, Conditional);
    if (Name == "exit")
      return add(SummaryEvent::Exit, Name, "", S, Conditional);
    if (isGpuOrMpiInitialiser(Name))
      return add(SummaryEvent::GpuInit, Name, "", S, Conditional);
    for (const LockFunctionPair &P : lockFunctions())
      if (Name == P.Acquire && CE->getNumArgs() >= 1)
        return add(SummaryEvent::Lock, spelling(CE->getArg(0)->IgnoreParenImpCasts(), Ctx), "",
                   S, Conditional);
    // Safe calls are left out: a summary lists what a child must not do, and what orders.
    if (sorted(asyncSignalSafeFunctions(), Name) || sorted(safeRuntimeHelpers(), Name))
      return;
    add(SummaryEvent::LibraryCall, Name, "", S, Conditional);
  }

  ASTContext &Ctx;
  const SourceManager &SM;
  FunctionSummary &Out;
  const ThreadStartMatcher &Threads;
  Namer &Names;
  unsigned Loop = 0;
  unsigned LoopCount = 0;
};

/// The calls whose value a return statement of F hands back: "return fork();",
/// "pid = fork(); ... return pid;".
llvm::SmallVector<const CallExpr *, 2> returnedCalls(const FunctionDecl *F) {
  struct Finder : RecursiveASTVisitor<Finder> {
    llvm::SmallVector<const Expr *, 2> Returned;
    llvm::DenseMap<const VarDecl *, llvm::SmallVector<const CallExpr *, 2>> Assigned;
    bool TraverseLambdaExpr(LambdaExpr *) { return true; }
    static const CallExpr *asCall(const Expr *E) {
      return E ? dyn_cast<CallExpr>(E->IgnoreParenImpCasts()) : nullptr;
    }
    bool VisitReturnStmt(ReturnStmt *R) {
      if (R->getRetValue())
        Returned.push_back(R->getRetValue()->IgnoreParenImpCasts());
      return true;
    }
    bool VisitVarDecl(VarDecl *V) {
      if (const CallExpr *C = asCall(V->getInit()))
        Assigned[V].push_back(C);
      return true;
    }
    bool VisitBinaryOperator(BinaryOperator *B) {
      if (B->getOpcode() != BO_Assign)
        return true;
      if (const auto *DRE = dyn_cast<DeclRefExpr>(B->getLHS()->IgnoreParenImpCasts()))
        if (const auto *V = dyn_cast<VarDecl>(DRE->getDecl()))
          if (const CallExpr *C = asCall(B->getRHS()))
            Assigned[V].push_back(C);
      return true;
    }
  } Find;
  Find.TraverseStmt(const_cast<Stmt *>(F->getBody()));
  llvm::SmallVector<const CallExpr *, 2> Out;
  for (const Expr *E : Find.Returned) {
    if (const auto *C = dyn_cast<CallExpr>(E))
      Out.push_back(C);
    else if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
      if (const auto *V = dyn_cast<VarDecl>(DRE->getDecl()))
        for (const CallExpr *C : Find.Assigned.lookup(V))
          Out.push_back(C);
  }
  return Out;
}

/// Visits every function definition outside system headers, and every function whose
/// address is taken anywhere (initialisers of global tables included).
class UnitSummarizer : public RecursiveASTVisitor<UnitSummarizer> {
  using Base = RecursiveASTVisitor<UnitSummarizer>;

public:
  UnitSummarizer(ASTContext &Ctx, UnitSummary &Out)
      : Ctx(Ctx), SM(Ctx.getSourceManager()), Out(Out), Threads(""), Model(Ctx), Names(SM) {}

  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return false; }

  bool TraverseDecl(Decl *D) {
    if (!D)
      return true;
    if (!isa<TranslationUnitDecl>(D) && inSystemHeader(D, SM))
      return true;
    if (const auto *FD = dyn_cast<FunctionDecl>(D))
      if (FD->doesThisDeclarationHaveABody() && !FD->isDependentContext())
        summarize(FD);
    return Base::TraverseDecl(D);
  }
  bool TraverseLambdaExpr(LambdaExpr *LE) {
    if (!LE->getCallOperator()->isDependentContext())
      summarize(LE->getCallOperator());
    return Base::TraverseLambdaExpr(LE);
  }
  bool VisitCallExpr(CallExpr *CE) {
    if (const auto *DRE = dyn_cast<DeclRefExpr>(CE->getCallee()->IgnoreParenImpCasts()))
      Called.insert(DRE);
    return true;
  }
  bool VisitDeclRefExpr(DeclRefExpr *DRE) {
    const auto *FD = dyn_cast<FunctionDecl>(DRE->getDecl());
    if (!FD || Called.count(DRE) || inSystemHeader(FD, SM) || isa<CXXMethodDecl>(FD))
      return true;
    const std::string &Usr = Names.usr(FD);
    if (!Usr.empty() && TakenSeen.insert(Usr).second)
      Out.Pointers.push_back({Usr, FD->getType().getCanonicalType().getAsString()});
    return true;
  }

private:
  void summarize(const FunctionDecl *FD) {
    FunctionSummary F;
    F.Usr = Names.usr(FD);
    if (F.Usr.empty() || !Defined.insert(F.Usr).second)
      return;
    F.Name = describeFunction(FD);
    F.Loc = Names.point(FD->getLocation());
    F.IsMain = FD->isMain();
    // What a child calling it from another unit needs: whether the call can return at all.
    F.NeverReturns = neverReturns(Model, FD, /*ExecEnds=*/false);
    forEachOwnStmt(FD->getBody(), [&](const Stmt *S) { F.HasReturn |= isa<ReturnStmt>(S); });
    BodySummarizer Body(Ctx, F, Threads, Names);
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(FD))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        Body.walk(Init->getInit(), false);
    Body.walk(FD->getBody(), false);

    // A fork wrapper returns the pid without testing it for the child: the child is at its
    // callers, in whatever unit they are.
    for (const CallExpr *C : returnedCalls(FD)) {
      const FunctionDecl *Callee = C->getDirectCallee();
      if (!Callee)
        continue;
      if (llvm::is_contained(forkFunctions(), libraryFunctionName(Callee))) {
        ForkSite Site;
        Site.Site = C;
        Site.Function = FD;
        Site.Frames.push_back({FD, C});
        if (childRegion(Model, Site).Unknown)
          F.ReturnsForkResult = true;
      } else if (!inSystemHeader(Callee, SM)) {
        const std::string &Usr = Names.usr(Callee);
        if (!Usr.empty() && !llvm::is_contained(F.ReturnsResultOf, Usr))
          F.ReturnsResultOf.push_back(Usr);
      }
    }
    Out.Functions.push_back(std::move(F));
  }

  ASTContext &Ctx;
  const SourceManager &SM;
  UnitSummary &Out;
  ThreadStartMatcher Threads;
  TranslationUnitModel Model;
  Namer Names;
  llvm::DenseSet<const DeclRefExpr *> Called;
  llvm::StringSet<> TakenSeen;
  llvm::StringSet<> Defined;
};

} // namespace

UnitSummary summarizeUnit(ASTContext &Ctx) {
  UnitSummary U;
  const SourceManager &SM = Ctx.getSourceManager();
  U.File = pointOf(SM.getLocForStartOfFile(SM.getMainFileID()), SM).File;
  UnitSummarizer(Ctx, U).TraverseDecl(Ctx.getTranslationUnitDecl());
  return U;
}

} // namespace clang::tidy::forksafe
