//===--- CudaBeforeForkCheck.cpp - forksafe-cuda-before-fork --------------===//

#include "CudaBeforeForkCheck.h"
#include "ApiTables.h"

#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::forksafe {

CudaBeforeForkCheck::CudaBeforeForkCheck(StringRef Name, ClangTidyContext *Context)
    : ForkCheckBase(Name, Context), Safety(Options),
      AdditionalInitialisers(std::string(Options.get("AdditionalInitialisers", ""))) {
  for (StringRef N : splitList(AdditionalInitialisers))
    Additional.insert(N);
}

void CudaBeforeForkCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  ForkCheckBase::storeOptions(Opts);
  Safety.store(Options, Opts);
  Options.store(Opts, "AdditionalInitialisers", AdditionalInitialisers);
}

void CudaBeforeForkCheck::registerMatchers(MatchFinder *Finder) { addForkMatcher(Finder); }

bool CudaBeforeForkCheck::isInitialiser(const Stmt *S) const {
  const auto *Call = dyn_cast<CallExpr>(S);
  if (!Call || !Call->getDirectCallee() || !Call->getDirectCallee()->getIdentifier())
    return false;
  const FunctionDecl *FD = Call->getDirectCallee();
  return isGpuOrMpiInitialiser(FD->getName()) || Additional.count(FD->getName()) ||
         Additional.count(FD->getQualifiedNameAsString());
}

static StringRef runtimeOf(StringRef Name) {
  if (Name.substr(0, 4) == "MPI_")
    return "MPI";
  if (Name.substr(0, 4) == "nccl")
    return "NCCL";
  if (Name.substr(0, 2) == "cu")
    return "CUDA";
  return "the GPU runtime";
}

void CudaBeforeForkCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Fork = Result.Nodes.getNodeAs<CallExpr>("fork");
  ForkFacts &Facts = facts(*Result.Context);
  TranslationUnitModel &M = Facts.model();
  SafetyPolicy Policy = Safety.policy();
  auto IsInit = [&](const Stmt *S) { return isInitialiser(S); };
  for (const ForkSite &Site : Facts.sites(Fork)) {
    std::optional<PrecedingEvent> Init = findPrecedingEvent(M, Site, IsInit);
    if (!Init)
      continue;
    const ChildRegion &Child = Facts.child(Site);
    const std::optional<UnsafeOperation> &Unsafe = Facts.firstUnsafe(Site, Policy);
    if (!Unsafe)
      continue;
    const FunctionDecl *InitFn = cast<CallExpr>(Init->Event)->getDirectCallee();
    StringRef Runtime = runtimeOf(InitFn->getName());
    std::string Message = "fork() after " + Runtime.str() + " was initialised; the child " +
                          (Child.Unknown ? std::string("cannot be followed here")
                                         : childPhrase(*Unsafe) + " before exec") +
                          ", but a forked child cannot use the parent's " + Runtime.str() +
                          " state: exec in the child, use posix_spawn, or fork before "
                          "initialising " + Runtime.str();
    diag(Site.Site->getBeginLoc(), "%0") << Message << Site.Site->getSourceRange();
    noteChain(Init->Inner, "before the fork");
    diag(Init->Event->getBeginLoc(), "%0 initialised here by '%1'", DiagnosticIDs::Note)
        << Runtime << InitFn->getName();
    for (const CallLink &L : llvm::reverse(Init->Outer))
      diag(L.Call->getBeginLoc(), "'%0' called here, leading to the fork", DiagnosticIDs::Note)
          << describeFunction(L.Callee);
    if (Site.Site != Fork)
      diag(Fork->getBeginLoc(), "fork() called here, its result returned to the caller",
           DiagnosticIDs::Note);
    noteUnsafe(*Unsafe);
  }
}

} // namespace clang::tidy::forksafe
