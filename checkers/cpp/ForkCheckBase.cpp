//===--- ForkCheckBase.cpp - What every forksafe check shares -------------===//

#include "ForkCheckBase.h"
#include "ApiTables.h"
#include "SummaryBuilder.h"

#include "clang/AST/DeclCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/FileManager.h"
#include "clang/Basic/SourceManager.h"

using namespace clang::ast_matchers;

namespace clang::tidy::forksafe {

static bool isBoolText(llvm::StringRef Value, bool &Result) {
  std::string V = Value.lower();
  if (V == "true" || V == "1" || V == "yes" || V == "on")
    return Result = true, true;
  if (V == "false" || V == "0" || V == "no" || V == "off")
    return Result = false, true;
  return false;
}

ForkCheckBase::ForkCheckBase(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      AdditionalForkFunctions(std::string(Options.getLocalOrGlobal("AdditionalForkFunctions", ""))),
      SummaryFile(std::string(Options.getLocalOrGlobal("SummaryFile", ""))) {
  // A value that is not a bool means the default; say so as clang-tidy does for its own checks'
  // options (getBoolOption cannot: the diagnostic belongs to the check).
  for (const char *Option : {"StrictExec", "AssumeMultithreaded"}) {
    std::string Value(Options.get(Option, ""));
    bool Ignored;
    if (!Value.empty() && !isBoolText(Value, Ignored))
      configurationDiag("invalid configuration value '%0' for option '%1'; expected a bool")
          << Value << (Name + "." + Option).str();
  }
}

void ForkCheckBase::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "AdditionalForkFunctions", AdditionalForkFunctions);
  Options.store(Opts, "SummaryFile", SummaryFile);
}

const ProgramLink *ForkCheckBase::link() {
  if (!LinkTried && !SummaryFile.empty()) {
    LinkTried = true;
    std::string Error;
    Link = ProgramLink::load(SummaryFile, Error);
    if (!Link)
      configurationDiag("%0; checking each translation unit on its own") << Error;
  }
  return Link.get();
}

void ForkCheckBase::addForkMatcher(MatchFinder *Finder) {
  std::vector<std::string> Names;
  for (StringRef F : forkFunctions())
    Names.push_back(("::" + F).str());
  for (StringRef F : splitList(AdditionalForkFunctions))
    Names.push_back(F.str());
  // Fork wrappers of the program (redisFork) are forks wherever they are called. Their names
  // come from the summary file's first line: the whole program is read and linked only in
  // the units where something matches (most units of a program never fork).
  if (!SummaryFile.empty()) {
    std::string Error;
    std::optional<std::vector<std::string>> Wrappers =
        ProgramLink::wrapperNames(SummaryFile, Error);
    if (!Error.empty()) {
      LinkTried = true;
      configurationDiag("%0; checking each translation unit on its own") << Error;
    } else if (Wrappers) {
      Names.insert(Names.end(), Wrappers->begin(), Wrappers->end());
    } else if (const ProgramLink *L = link()) {
      for (const std::string &W : L->forkWrapperNames())
        Names.push_back(W);
    }
  }
  std::vector<StringRef> Refs(Names.begin(), Names.end());
  Finder->addMatcher(callExpr(callee(functionDecl(hasAnyName(Refs))),
                              unless(isExpansionInSystemHeader()))
                         .bind("fork"),
                     this);
}

ForkFacts &ForkCheckBase::facts(ASTContext &Ctx) {
  if (!Facts || &Facts->model().context() != &Ctx)
    Facts = ForkFacts::of(Ctx);
  installNeverReturns();
  return *Facts;
}

void ForkCheckBase::installNeverReturns() {
  if (!Facts || !Link)
    return;
  TranslationUnitModel &M = Facts->model();
  if (!M.ExternalNeverReturns) {
    // The walks of every check of this unit end a child's path at a call of a function of
    // another unit that never returns (fatal() in util.c), as they do at exit().
    std::shared_ptr<const ProgramLink> L = Link;
    std::string From = mainFile();
    auto Memo = std::make_shared<llvm::DenseMap<const FunctionDecl *, bool>>();
    M.ExternalNeverReturns = [L, From, Memo](const FunctionDecl *FD) {
      auto It = Memo->find(FD);
      if (It != Memo->end())
        return It->second;
      std::string Usr = usrOf(FD);
      bool Ends = !Usr.empty() && L->defines(Usr) && L->neverReturns(Usr, From);
      Memo->try_emplace(FD, Ends);
      return Ends;
    };
  }
}

llvm::SmallVector<ForkSite, 2> ForkCheckBase::sites(TranslationUnitModel &M,
                                                    const CallExpr *ForkCall) {
  llvm::ArrayRef<ForkSite> Cached = facts(M.context()).sites(ForkCall);
  llvm::SmallVector<ForkSite, 2> All(Cached.begin(), Cached.end());
  const ProgramLink *L = link();
  if (!L)
    return All;
  installNeverReturns();
  const SourceManager &SM = M.context().getSourceManager();
  std::string File = pointOf(SM.getLocForStartOfFile(SM.getMainFileID()), SM).File;
  llvm::SmallVector<ForkSite, 2> Out;
  for (ForkSite &S : All) {
    std::string Usr = usrOf(S.Function);
    // The child of a wrapper's fork is where its callers in other units test the result.
    if (S.Site == ForkCall && L->forkWrappers().count(Usr) && L->calledOutside(Usr, File))
      continue;
    Out.push_back(std::move(S));
  }
  return Out;
}

std::string ForkCheckBase::mainFile() const {
  if (!Facts)
    return "";
  const SourceManager &SM = Facts->model().context().getSourceManager();
  return pointOf(SM.getLocForStartOfFile(SM.getMainFileID()), SM).File;
}

SafetyPolicy ForkCheckBase::policy(const SafetyOptions &Safety) {
  SafetyPolicy P = Safety.policy();
  if (!link())
    return P;
  installNeverReturns();
  SafetyPolicy Plain = Safety.policy();
  P.ExternalOwner = this;
  P.External = [this, Plain](const FunctionDecl *FD) -> std::optional<std::string> {
    std::string Usr = usrOf(FD);
    if (Usr.empty() || !Link->defines(Usr))
      return std::nullopt;
    auto It = ExternalEffects.find(FD);
    if (It == ExternalEffects.end()) {
      auto IsSafe = [&Plain](llvm::StringRef Name) { return Plain.isSafe(Name); };
      It = ExternalEffects
               .try_emplace(FD, Link->firstUnsafe(Usr, mainFile(), IsSafe, /*ExecEnds=*/true))
               .first;
    }
    return It->second ? It->second->Description : std::string();
  };
  return P;
}

std::optional<HazardStory> ForkCheckBase::linkedHazard(ProgramLink::Hazard H,
                                                       const ForkSite &Site,
                                                       const CallExpr *ForkCall,
                                                       const ProgramLink::Extras &Extras) {
  const ProgramLink *L = link();
  if (!L || !Facts)
    return std::nullopt;
  const SourceManager &SM = Facts->model().context().getSourceManager();
  if (auto S = L->hazardAt(H, pointOf(Site.Site->getBeginLoc(), SM), Extras))
    return S;
  return L->hazardAt(H, pointOf(ForkCall->getBeginLoc(), SM), Extras);
}

SourceLocation ForkCheckBase::locate(const SourcePoint &P) {
  if (!Facts || P.File.empty())
    return SourceLocation();
  SourceManager &SM = Facts->model().context().getSourceManager();
  if (Files.empty()) {
    // The unit's own files first, by their absolute paths: opening one of them again under
    // another name would, on LLVM 14, rename it for every later diagnostic (there a file's
    // name is the one it was last opened by), and the main file's findings would print
    // with two spellings of its path.
    for (auto F = SM.fileinfo_begin(), E = SM.fileinfo_end(); F != E; ++F) {
      FileID FID = SM.translateFile(F->first);
      if (FID.isInvalid())
        continue;
      std::string Abs = pointOf(SM.getLocForStartOfFile(FID), SM).File;
      if (!Abs.empty())
        Files.try_emplace(Abs, FID);
    }
  }
  auto It = Files.find(P.File);
  if (It == Files.end()) {
    FileID FID;
    if (auto Ref = SM.getFileManager().getFileRef(P.File)) {
#if LLVM_VERSION_MAJOR >= 15
      FID = SM.getOrCreateFileID(*Ref, SrcMgr::C_User);
#else
      FID = SM.getOrCreateFileID(&Ref->getFileEntry(), SrcMgr::C_User);
#endif
    } else {
      llvm::consumeError(Ref.takeError());
    }
    It = Files.try_emplace(P.File, FID).first;
  }
  if (It->second.isInvalid())
    return SourceLocation();
  return SM.translateLineCol(It->second, P.Line, P.Column);
}

void ForkCheckBase::noteStory(const HazardStory &Story, llvm::StringRef EventNote) {
  for (const LinkStep &S : Story.Before)
    diag(locate(S.Loc), "'%0' called here before the fork", DiagnosticIDs::Note) << S.Callee;
  if (!Story.ThreadBody.empty())
    diag(locate(Story.Event.Loc), "'%0', which forks, runs in a thread started here",
         DiagnosticIDs::Note)
        << Story.ThreadBody;
  else
    diag(locate(Story.Event.Loc), "%0", DiagnosticIDs::Note) << EventNote;
  for (const LinkStep &S : Story.Path)
    diag(locate(S.Loc), "'%0' called here, leading to the fork", DiagnosticIDs::Note)
        << S.Callee;
  diag(locate(Story.Entry.Loc), "in the program whose entry point is '%0'", DiagnosticIDs::Note)
      << Story.Entry.Callee;
}

void ForkCheckBase::noteForkOrigin(const ForkSite &Site, const CallExpr *ForkCall) {
  if (Site.Site != ForkCall) {
    diag(ForkCall->getBeginLoc(), "fork() called here, its result returned to the caller",
         DiagnosticIDs::Note);
    return;
  }
  // A wrapper of another unit, matched as a fork: where it forks.
  const FunctionDecl *Callee = ForkCall->getDirectCallee();
  const ProgramLink *L = link();
  if (!L || !Callee || llvm::is_contained(forkFunctions(), libraryFunctionName(Callee)))
    return;
  std::string Usr = usrOf(Callee);
  if (!L->forkWrappers().count(Usr))
    return;
  if (auto Fork = L->forkInside(Usr))
    diag(locate(Fork->Loc), "fork() called here in '%0', its result returned to the caller",
         DiagnosticIDs::Note)
        << describeFunction(Callee);
}

std::optional<ChildEffect> ForkCheckBase::externalExit(const CallExpr *Call) {
  const ProgramLink *L = link();
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  if (!L || !FD || !Facts || isFollowable(FD, Facts->model().context()))
    return std::nullopt;
  std::string Usr = usrOf(FD);
  if (Usr.empty() || !L->defines(Usr))
    return std::nullopt;
  return L->exitReached(Usr, mainFile());
}

void ForkCheckBase::noteEffect(const ChildEffect &Effect, llvm::StringRef Last) {
  for (const LinkStep &S : Effect.Chain)
    diag(locate(S.Loc), "'%0' called here", DiagnosticIDs::Note) << S.Callee;
  diag(locate(Effect.Op.Loc), "%0", DiagnosticIDs::Note) << Last;
}

void ForkCheckBase::noteChain(llvm::ArrayRef<CallLink> Chain, llvm::StringRef Lead) {
  bool First = true;
  for (const CallLink &L : Chain) {
    std::string Text = "'" + describeFunction(L.Callee) + "' called here";
    if (First && !Lead.empty())
      Text += " " + Lead.str();
    diag(L.Call->getBeginLoc(), "%0", DiagnosticIDs::Note) << Text;
    First = false;
  }
}

void ForkCheckBase::noteUnsafe(const UnsafeOperation &Op) {
  if (Op.ReturnedThrough.Call)
    diag(Op.ReturnedThrough.Call->getBeginLoc(), "the child returns from '%0' here",
         DiagnosticIDs::Note)
        << describeFunction(Op.ReturnedThrough.Callee);
  noteChain(Op.Chain, "in the child");
  // A function of another unit: the rest of the story is in its summary.
  if (const auto *Call = dyn_cast_or_null<CallExpr>(Op.Op)) {
    auto It = ExternalEffects.find(Call->getDirectCallee());
    if (It != ExternalEffects.end() && It->second) {
      diag(Call->getBeginLoc(), "'%0', defined in another translation unit, called here%1",
           DiagnosticIDs::Note)
          << describeFunction(Call->getDirectCallee())
          << (Op.Chain.empty() ? " in the child" : "");
      noteEffect(*It->second, "first operation in the child that is not async-signal-safe");
      return;
    }
  }
  if (Op.Op)
    diag(Op.Op->getBeginLoc(), "first operation in the child that is not async-signal-safe",
         DiagnosticIDs::Note);
}

std::string ForkCheckBase::childPhrase(const UnsafeOperation &Op) { return Op.Description; }

bool getBoolOption(ClangTidyCheck::OptionsView &Options, llvm::StringRef Name, bool Default) {
  // The string overloads only: the host exports get<bool> under its compiler's mangling of
  // enable_if_t<is_integral_v<T>>, which another compiler spells differently.
  std::string Value(Options.get(Name, Default ? "true" : "false"));
  bool Result;
  return isBoolText(Value, Result) ? Result : Default;
}

void storeBoolOption(ClangTidyCheck::OptionsView &Options, ClangTidyOptions::OptionMap &Opts,
                     llvm::StringRef Name, bool Value) {
  Options.store(Opts, Name, Value ? llvm::StringRef("true") : llvm::StringRef("false"));
}

SafetyOptions::SafetyOptions(ClangTidyCheck::OptionsView &Options)
    : StrictExec(getBoolOption(Options, "StrictExec", false)),
      AdditionalSafeFunctions(std::string(Options.get("AdditionalSafeFunctions", ""))) {}

void SafetyOptions::store(ClangTidyCheck::OptionsView &Options,
                          ClangTidyOptions::OptionMap &Opts) const {
  storeBoolOption(Options, Opts, "StrictExec", StrictExec);
  Options.store(Opts, "AdditionalSafeFunctions", AdditionalSafeFunctions);
}

} // namespace clang::tidy::forksafe
