//===--- ForkCheckBase.h - What every forksafe check shares ---------------===//
//
// The per-translation-unit model, the fork matcher, and the notes that tell a finding's
// story (call chains, the first unsafe operation of the child). With the option SummaryFile
// (written by `forksafe summarize`, or by the forksafe program's first pass), the checks
// also see the whole program through ProgramLink: thread starts and GPU initialisation in
// other translation units, fork wrappers defined elsewhere, and what a child does in
// functions of other units.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_FORKCHECKBASE_H
#define FORKSAFE_CPP_FORKCHECKBASE_H

#include "ForkAnalysis.h"
#include "ProgramLink.h"

#include "clang-tidy/ClangTidyCheck.h"

#include <memory>

namespace clang::tidy::forksafe {

struct SafetyOptions;

class ForkCheckBase : public ClangTidyCheck {
public:
  ForkCheckBase(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void onEndOfTranslationUnit() override {
    Facts.reset();
    ExternalEffects.clear();
    Files.clear();
  }

protected:
  /// Matches calls of fork, _Fork, forkpty and the AdditionalForkFunctions (project wrappers
  /// defined in other translation units, like redis's redisFork) outside system headers,
  /// bound to "fork".
  void addForkMatcher(ast_matchers::MatchFinder *Finder);

  /// Read locally or from the global option of the same name, so one setting serves all.
  const std::string AdditionalForkFunctions;
  /// The analyses of this TU's forks, shared with the other forksafe checks (ForkFacts.h).
  ForkFacts &facts(ASTContext &Ctx);
  TranslationUnitModel &model(ASTContext &Ctx) { return facts(Ctx).model(); }
  /// The program's summaries (option SummaryFile, local or global); empty: this unit only.
  const std::string SummaryFile;

  /// The fork sites of ForkCall, without those judged in other units: a fork wrapper whose
  /// callers (in other translation units, per the summaries) test the result.
  llvm::SmallVector<ForkSite, 2> sites(TranslationUnitModel &M, const CallExpr *ForkCall);
  /// The async-signal-safety policy, which asks the summaries about functions of other units.
  SafetyPolicy policy(const SafetyOptions &Safety);
  /// The whole-program story of Hazard live at Site (or at ForkCall), if the summaries hold one.
  std::optional<HazardStory> linkedHazard(ProgramLink::Hazard H, const ForkSite &Site,
                                          const CallExpr *ForkCall,
                                          const ProgramLink::Extras &Extras);
  /// Notes for a story: calls before the fork, the event (EventNote, or the thread running
  /// the fork), the path from main, the entry point.
  void noteStory(const HazardStory &Story, llvm::StringRef EventNote);
  /// "fork() called here, its result returned to the caller", in this unit or another.
  void noteForkOrigin(const ForkSite &Site, const CallExpr *ForkCall);
  /// The exit() a call of a function of another unit reaches, per the summaries.
  std::optional<ChildEffect> externalExit(const CallExpr *Call);
  /// Notes for the steps of a child's effect in other units, then Last at its operation.
  void noteEffect(const ChildEffect &Effect, llvm::StringRef Last);
  /// A location in this translation unit's source manager for a point in any file.
  SourceLocation locate(const SourcePoint &P);
  const ProgramLink *link();
  /// The absolute path of the translation unit's main file.
  std::string mainFile() const;

  /// Notes "'f' called here" along Chain; the first one says Lead (e.g. "in the child").
  void noteChain(llvm::ArrayRef<CallLink> Chain, llvm::StringRef Lead);
  /// The child's first unsafe operation and the calls leading to it.
  void noteUnsafe(const UnsafeOperation &Op);
  /// Messages: "calls 'printf', which is not async-signal-safe," and the like.
  static std::string childPhrase(const UnsafeOperation &Op);

  std::shared_ptr<ForkFacts> Facts;
private:
  /// Gives the model the summaries' answer on calls of other units that never return.
  void installNeverReturns();
  std::shared_ptr<const ProgramLink> Link;
  bool LinkTried = false;
  /// Functions of other units judged for the child (null: safe), for the notes.
  llvm::DenseMap<const FunctionDecl *, std::optional<ChildEffect>> ExternalEffects;
  llvm::StringMap<FileID> Files;
};

/// Boolean options through the string accessors (see ForkCheckBase.cpp for why).
bool getBoolOption(ClangTidyCheck::OptionsView &Options, llvm::StringRef Name, bool Default);
void storeBoolOption(ClangTidyCheck::OptionsView &Options, ClangTidyOptions::OptionMap &Opts,
                     llvm::StringRef Name, bool Value);

/// Options shared by the checks that judge a child's async-signal-safety.
struct SafetyOptions {
  SafetyOptions(ClangTidyCheck::OptionsView &Options);
  void store(ClangTidyCheck::OptionsView &Options, ClangTidyOptions::OptionMap &Opts) const;
  SafetyPolicy policy() const { return SafetyPolicy(StrictExec, AdditionalSafeFunctions); }

  bool StrictExec;
  std::string AdditionalSafeFunctions;
};

} // namespace clang::tidy::forksafe

#endif
