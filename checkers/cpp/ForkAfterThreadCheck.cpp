//===--- ForkAfterThreadCheck.cpp - forksafe-fork-after-thread ------------===//

#include "ForkAfterThreadCheck.h"
#include "ApiTables.h"

#include "clang/AST/DeclCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::forksafe {

ForkAfterThreadCheck::ForkAfterThreadCheck(StringRef Name, ClangTidyContext *Context)
    : ForkCheckBase(Name, Context), Safety(Options),
      AssumeMultithreaded(getBoolOption(Options, "AssumeMultithreaded", false)),
      AdditionalThreadStarters(std::string(Options.get("AdditionalThreadStarters", ""))),
      Threads(AdditionalThreadStarters) {}

void ForkAfterThreadCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  ForkCheckBase::storeOptions(Opts);
  Safety.store(Options, Opts);
  storeBoolOption(Options, Opts, "AssumeMultithreaded", AssumeMultithreaded);
  Options.store(Opts, "AdditionalThreadStarters", AdditionalThreadStarters);
}

void ForkAfterThreadCheck::registerMatchers(MatchFinder *Finder) {
  addForkMatcher(Finder);
  // Thread starts whose body may contain a fork: such a fork always runs beside other threads.
  std::vector<StringRef> Starters(threadStarterFunctions().begin(), threadStarterFunctions().end());
  std::vector<StringRef> Classes(threadClasses().begin(), threadClasses().end());
  for (StringRef Extra : splitList(AdditionalThreadStarters)) {
    Starters.push_back(Extra);
    Classes.push_back(Extra);
  }
  Finder->addMatcher(callExpr(callee(functionDecl(hasAnyName(Starters)))).bind("start"), this);
  Finder->addMatcher(
      cxxConstructExpr(hasDeclaration(cxxConstructorDecl(ofClass(cxxRecordDecl(hasAnyName(Classes))))))
          .bind("start"),
      this);
}

void ForkAfterThreadCheck::check(const MatchFinder::MatchResult &Result) {
  Ctx = Result.Context;
  if (const auto *Fork = Result.Nodes.getNodeAs<CallExpr>("fork")) {
    Forks.push_back(Fork);
    return;
  }
  if (const auto *Start = Result.Nodes.getNodeAs<Stmt>("start"))
    if (Threads.isThreadStart(Start))
      if (const FunctionDecl *Body = Threads.threadBody(Start))
        ThreadBodies.try_emplace(Body->getCanonicalDecl(), Start);
}

void ForkAfterThreadCheck::onEndOfTranslationUnit() {
  // A unit that starts threads but never forks has nothing to report: neither its model nor,
  // with SummaryFile, the whole program's link is made (most threaded units of a daemon).
  if (Ctx && !Forks.empty()) {
    ForkFacts &Facts = facts(*Ctx);
    TranslationUnitModel &M = Facts.model();
    SafetyPolicy Policy = policy(Safety);
    ProgramLink::Extras Extras;
    for (StringRef N : splitList(AdditionalThreadStarters))
      Extras.ThreadStarters.insert(N);
    for (StringRef N : splitList(AdditionalForkFunctions))
      Extras.ForkFunctions.insert(N);
    llvm::DenseSet<const Expr *> Reported;
    auto IsThreadStart = [&](const Stmt *S) { return Threads.isThreadStart(S); };
    auto ThreadStartOf = [&](const FunctionDecl *F) -> const Stmt * {
      return ThreadBodies.lookup(F->getCanonicalDecl());
    };
    for (const CallExpr *Fork : Forks) {
      for (const ForkSite &Site : sites(M, Fork)) {
        if (!Reported.insert(Site.Site).second)
          continue;
        // Searched even under AssumeMultithreaded: a thread start found still makes a note.
        std::optional<PrecedingEvent> Thread =
            findPrecedingEvent(M, Site, IsThreadStart, ThreadStartOf);
        // Whole-program mode: a thread started in any unit before the fork, on a path from a main.
        std::optional<HazardStory> Story;
        if (!Thread)
          Story = linkedHazard(ProgramLink::Threads, Site, Fork, Extras);
        if (!Thread && !Story && !AssumeMultithreaded)
          continue;
        const ChildRegion &Child = Facts.child(Site);
        const std::optional<UnsafeOperation> &Unsafe = Facts.firstUnsafe(Site, Policy);
        if (!Unsafe)
          continue;

        std::string Message = "fork() while other threads may run; ";
        if (Child.Unknown)
          Message += "its child cannot be followed here (the result of fork() is returned or "
                     "stored, not tested for 0): make sure the child calls only "
                     "async-signal-safe functions before exec*/_exit, or use posix_spawn";
        else
          Message += "the child " + childPhrase(*Unsafe) +
                     " before exec: call only async-signal-safe functions before "
                     "exec*/_exit, or use posix_spawn";
        diag(Site.Site->getBeginLoc(), "%0") << Message << Site.Site->getSourceRange();

        // The story: where the thread started, how we got to the fork, what the child does.
        if (Thread) {
          noteChain(Thread->Inner, "before the fork");
          if (Thread->ThreadEntry)
            diag(Thread->Event->getBeginLoc(),
                 "'%0', which forks, runs in a thread started here", DiagnosticIDs::Note)
                << describeFunction(Thread->ThreadEntry);
          else
            diag(Thread->Event->getBeginLoc(), "thread started here", DiagnosticIDs::Note);
          for (const CallLink &L : llvm::reverse(Thread->Outer))
            diag(L.Call->getBeginLoc(), "'%0' called here, leading to the fork",
                 DiagnosticIDs::Note)
                << describeFunction(L.Callee);
        }
        if (Story)
          noteStory(*Story, "thread started here");
        noteForkOrigin(Site, Fork);
        noteUnsafe(*Unsafe);
      }
    }
  }
  Forks.clear();
  ThreadBodies.clear();
  Ctx = nullptr;
  ForkCheckBase::onEndOfTranslationUnit();
}

} // namespace clang::tidy::forksafe
