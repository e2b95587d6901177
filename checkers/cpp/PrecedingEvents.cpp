//===--- PrecedingEvents.cpp - What happened before a fork -----------------===//
//
// Following calls: events (thread starts, CUDA initialisation) earlier in the forking
// function, inside functions it called before the fork, and in its callers.
//
//===----------------------------------------------------------------------===//

#include "PrecedingEvents.h"
#include "ApiTables.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "clang/AST/StmtOpenMP.h"
#include "clang/Basic/OpenMPKinds.h"

namespace clang::tidy::forksafe {

//===----------------------------------------------------------------------===//
// What happened before the fork
//===----------------------------------------------------------------------===//

namespace {
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


const FunctionDecl *ThreadStartMatcher::threadBody(const Stmt *S) const {
  if (const auto *CE = dyn_cast<CallExpr>(S)) {
    const FunctionDecl *FD = CE->getDirectCallee();
    if (!FD)
      return nullptr;
    std::string Name = FD->getQualifiedNameAsString();
    if (Name == "pthread_create" && CE->getNumArgs() >= 3)
      return referencedFunction(CE->getArg(2));
    if (Name == "thrd_create" && CE->getNumArgs() >= 2)
      return referencedFunction(CE->getArg(1));
    if (Name == "std::async" && CE->getNumArgs() >= 1)
      return referencedFunction(CE->getArg(CE->getNumArgs() >= 2 ? 1 : 0));
    return nullptr;
  }
  if (const auto *CE = dyn_cast<CXXConstructExpr>(S))
    if (CE->getNumArgs() >= 1)
      return referencedFunction(CE->getArg(0));
  return nullptr;
}

} // namespace clang::tidy::forksafe
