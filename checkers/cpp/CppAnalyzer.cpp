//===--- CppAnalyzer.cpp - The forksafe checks, run from the driver -------===//
//
// Runs the module's checks through clang-tidy's library, one translation unit per task, and
// converts clang-tidy's findings into forksafe::Diagnostic. Compile commands come from
// CompileCommands.cpp.
//
// Every file gets its own ClangTidyContext: the context maps clang's custom diagnostic ids to
// check names, and ids are handed out again by each file's fresh DiagnosticsEngine, so a shared
// context names the second file's findings after the first file's checks.
//
//===----------------------------------------------------------------------===//

#include "cpp/CppAnalyzer.h"
#include "cpp/WholeProgram.h"
#include "cpp/CompileCommands.h"
#include "SharedParse.h"

#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"
#include "clang-tidy/ClangTidyModule.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang-tidy/ClangTidyOptions.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/AST/ASTContext.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/VirtualFileSystem.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

// Defined next to the module's registration; referencing it keeps that object linked.
extern volatile int ForksafeModuleAnchorSource;
static int ForksafeModuleAnchorDestination [[maybe_unused]] = ForksafeModuleAnchorSource;

namespace forksafe {
namespace cpp {

// checkNames() and checksWithFixes() are in CheckNames.cpp: the program needs them without clang.

namespace {
/// True when Text names one of Names (a qualified name by its last component).
bool namesAny(llvm::StringRef Text, const std::vector<std::string> &Names) {
  for (const std::string &F : Names) {
    llvm::StringRef Name = llvm::StringRef(F).trim();
    size_t Colons = Name.rfind("::");
    if (Colons != llvm::StringRef::npos)
      Name = Name.substr(Colons + 2);
    if (!Name.empty() && Text.contains(Name))
      return true;
  }
  return false;
}
} // namespace

bool mayConcernAnyCheck(llvm::StringRef Text, const std::vector<std::string> &ExtraForkFunctions) {
  // "fork" covers fork, vfork, _Fork and forkpty.
  return Text.contains("fork") || namesAny(Text, ExtraForkFunctions);
}

namespace {

std::string absolute(llvm::StringRef Path) {
  llvm::SmallString<256> Abs(Path);
  llvm::sys::fs::make_absolute(Abs);
  llvm::sys::path::remove_dots(Abs, /*remove_dot_dot=*/true);
  return std::string(Abs);
}

/// Line and column (1-based, bytes) of offsets in files, read once (unsaved buffers first).
class LineTable {
public:
  explicit LineTable(const std::map<std::string, std::string> &Overlay) : Overlay(Overlay) {}

  bool position(const std::string &File, unsigned Offset, unsigned &Line, unsigned &Column) {
    auto It = Files.find(File);
    if (It == Files.end()) {
      std::vector<unsigned> Starts;
      std::unique_ptr<llvm::MemoryBuffer> Owned;
      llvm::StringRef Text;
      bool Have = false;
      auto O = Overlay.find(File);
      if (O != Overlay.end()) {
        Text = O->second;
        Have = true;
      } else if (auto Buf = llvm::MemoryBuffer::getFile(File)) {
        Owned = std::move(*Buf);
        Text = Owned->getBuffer();
        Have = true;
      }
      if (Have) {
        Starts.push_back(0);
        for (size_t I = 0; I < Text.size(); ++I)
          if (Text[I] == '\n')
            Starts.push_back(I + 1);
      }
      It = Files.try_emplace(File, std::move(Starts)).first;
    }
    const std::vector<unsigned> &Starts = It->second;
    if (Starts.empty())
      return false;
    auto Next = std::upper_bound(Starts.begin(), Starts.end(), Offset);
    Line = unsigned(Next - Starts.begin());
    Column = Offset - Starts[Line - 1] + 1;
    return true;
  }

private:
  const std::map<std::string, std::string> &Overlay;
  llvm::StringMap<std::vector<unsigned>> Files;
};

/// A database of one command, resolved before the tasks start: the project's databases are
/// queried from one thread only.
class OneCommandDatabase : public clang::tooling::CompilationDatabase {
public:
  explicit OneCommandDatabase(clang::tooling::CompileCommand Cmd) : Cmd(std::move(Cmd)) {}
  /// The tool asks for the one file it runs on (spelled as its file system makes it absolute).
  std::vector<clang::tooling::CompileCommand> getCompileCommands(llvm::StringRef) const override {
    return {Cmd};
  }
  std::vector<std::string> getAllFiles() const override { return {Cmd.Filename}; }

private:
  clang::tooling::CompileCommand Cmd;
};

/// clang-tidy's own action (runClangTidy's), so that the ClangTool is ours: ours prints no
/// "Error while processing" on stderr.
/// As clang-tidy: the checks see the code a static analyzer sees (__clang_analyzer__).
class AnalyzerActionFactory : public clang::tooling::FrontendActionFactory {
public:
  bool runInvocation(std::shared_ptr<clang::CompilerInvocation> Invocation, clang::FileManager *Files,
                     std::shared_ptr<clang::PCHContainerOperations> PCHContainerOps,
                     clang::DiagnosticConsumer *DiagConsumer) override {
    Invocation->getPreprocessorOpts().SetUpStaticAnalyzer = true;
    return FrontendActionFactory::runInvocation(Invocation, Files, PCHContainerOps, DiagConsumer);
  }
};

class TidyActionFactory : public AnalyzerActionFactory {
public:
  TidyActionFactory(clang::tidy::ClangTidyContext &Context,
                    llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS)
      : ConsumerFactory(Context, std::move(FS)) {}
  std::unique_ptr<clang::FrontendAction> create() override {
    return std::make_unique<Action>(&ConsumerFactory);
  }

private:
  class Action : public clang::ASTFrontendAction {
  public:
    explicit Action(clang::tidy::ClangTidyASTConsumerFactory *Factory) : Factory(Factory) {}
    std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &Compiler,
                                                          llvm::StringRef File) override {
      return Factory->createASTConsumer(Compiler, File);
    }

  private:
    clang::tidy::ClangTidyASTConsumerFactory *Factory;
  };
  clang::tidy::ClangTidyASTConsumerFactory ConsumerFactory;
};

/// One input file through the whole pipeline.
struct Task {
  std::string Given; ///< as the user spelled it: reports use it
  std::string Abs;
  CppFileSettings Settings;
  bool Skip = false;
  bool HaveCommand = false;
  bool DefaultFlags = false;
  clang::tooling::CompileCommand Command;
  /// The database's command line before adjustCommand (a unit whose parse the first pass
  /// may share: see SharedParse.h).
  std::vector<std::string> RawCommandLine;
  bool MayShare = false;
  bool HaveSettings = false; ///< Settings were asked for already
  /// Its text names one of its AdditionalForkFunctions: a call of it is a fork for the checks,
  /// which the summaries do not know.
  bool NamesExtraFork = false;
  /// Its checks ran on the first pass's parse: Diags, Errors and Warnings are final.
  bool SharedDone = false;
  // Results.
  std::vector<Diagnostic> Diags;
  std::vector<InputError> Errors;
  std::vector<InputError> Warnings;
};

std::unique_ptr<clang::tidy::ClangTidyContext>
makeContext(const CppFileSettings &Settings, llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS) {
  using namespace clang;
  // .clang-tidy files found upward from each file supply CheckOptions as they do for
  // clang-tidy itself; forksafe's configuration takes precedence; which checks run is
  // forksafe's selection.
  tidy::ClangTidyOptions Defaults = tidy::ClangTidyOptions::getDefaults();
  Defaults.Checks = "-*,forksafe-*";
  tidy::ClangTidyOptions Override;
  Override.Checks = "-*," + (Settings.Checks.empty() ? std::string("forksafe-*") : Settings.Checks);
  Override.WarningsAsErrors = "";
  for (const auto &[Key, Value] : Settings.CheckOptions)
    Override.CheckOptions[Key] = tidy::ClangTidyOptions::ClangTidyValue(Value, /*Priority=*/1000);
  return std::make_unique<tidy::ClangTidyContext>(std::make_unique<tidy::FileOptionsProvider>(
      tidy::ClangTidyGlobalOptions(), Defaults, Override, std::move(FS)));
}

struct KeptParse;
std::unique_ptr<clang::tooling::FrontendActionFactory>
sharedFactory(KeptParse &K, clang::tidy::ClangTidyContext &Context,
              llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS);
bool keptForChecks(const KeptParse &K);

/// Runs the checks on T's unit; with Keep, the parse is the first pass's too (SharedParse.h)
/// and its findings are kept only if the checks ran.
void runTask(Task &T, const std::map<std::string, std::string> &Overlay,
             KeptParse *Keep = nullptr) {
  using namespace clang;
  // A file system of its own: ClangTool moves the working directory of the file system it is
  // given, and the process-wide real one would move every thread's.
  llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS(
      new llvm::vfs::OverlayFileSystem(llvm::vfs::createPhysicalFileSystem()));
  if (!Overlay.empty()) {
    llvm::IntrusiveRefCntPtr<llvm::vfs::InMemoryFileSystem> Mem(new llvm::vfs::InMemoryFileSystem);
    for (const auto &[Path, Text] : Overlay)
      Mem->addFile(Path, 0, llvm::MemoryBuffer::getMemBufferCopy(Text, Path));
    FS->pushOverlay(Mem);
  }
  std::unique_ptr<tidy::ClangTidyContext> Context = makeContext(T.Settings, FS);
  OneCommandDatabase DB(T.Command);
  tooling::ClangTool Tool(DB, {T.Abs}, std::make_shared<PCHContainerOperations>(), FS);
  Tool.setPrintErrorMessage(false);
  Tool.appendArgumentsAdjuster(tooling::getStripPluginsAdjuster());
  tidy::ClangTidyDiagnosticConsumer DiagConsumer(*Context, nullptr, /*RemoveIncompatibleErrors=*/true,
                                                 /*GetFixesFromNotes=*/false);
  DiagnosticsEngine DE(new DiagnosticIDs(), new DiagnosticOptions(), &DiagConsumer,
                       /*ShouldOwnClient=*/false);
  Context->setDiagnosticsEngine(&DE);
  Tool.setDiagnosticConsumer(&DiagConsumer);
  int Status;
  if (Keep) {
    Status = Tool.run(sharedFactory(*Keep, *Context, FS).get());
    if (!keptForChecks(*Keep))
      return;
  } else {
    TidyActionFactory Factory(*Context, FS);
    Status = Tool.run(&Factory);
  }
  std::vector<tidy::ClangTidyError> Found = DiagConsumer.take();

  LineTable Lines(Overlay);
  // clang-tidy's paths may be relative to the compile command's directory.
  std::string BuildDir = T.Command.Directory;
  auto Resolve = [&](const std::string &Path) {
    if (Path.empty() || llvm::sys::path::is_absolute(Path) || BuildDir.empty())
      return Path;
    llvm::SmallString<256> Full(BuildDir);
    llvm::sys::path::append(Full, Path);
    llvm::sys::path::remove_dots(Full, /*remove_dot_dot=*/true);
    return std::string(Full);
  };
  auto Report = [&](const std::string &Path) {
    std::string Full = Resolve(Path);
    return absolute(Full) == T.Abs ? T.Given : Full;
  };
  std::string FirstError, FirstErrorNoFile;
  for (const tidy::ClangTidyError &E : Found) {
    if (!E.BuildDirectory.empty())
      BuildDir = E.BuildDirectory;
    const auto &Msg = E.Message;
    if (E.DiagLevel == tidy::ClangTidyError::Error ||
        llvm::StringRef(E.DiagnosticName).find("clang-diagnostic-") == 0) {
      if (E.DiagLevel != tidy::ClangTidyError::Error)
        continue; // a compiler warning: not forksafe's business
      if (Msg.FilePath.empty()) {
        if (FirstErrorNoFile.empty())
          FirstErrorNoFile = Msg.Message;
        continue;
      }
      if (FirstError.empty()) {
        unsigned Line = 0, Col = 0;
        Lines.position(Resolve(Msg.FilePath), Msg.FileOffset, Line, Col);
        FirstError = Report(Msg.FilePath) + ":" + std::to_string(Line) + ": " + Msg.Message;
      }
      continue;
    }
    Diagnostic D;
    D.Check = E.DiagnosticName;
    D.Level = Severity::Warning;
    D.Loc.File = Report(Msg.FilePath);
    Lines.position(Resolve(Msg.FilePath), Msg.FileOffset, D.Loc.Line, D.Loc.Column);
    D.Message = Msg.Message;
    if (!Msg.Ranges.empty()) {
      const auto &R = Msg.Ranges.front();
      unsigned EndOffset = R.FileOffset + R.Length;
      Lines.position(Resolve(R.FilePath), EndOffset, D.EndLine, D.EndColumn);
    }
    for (const auto &N : E.Notes) {
      Note Out;
      Out.Loc.File = Report(N.FilePath);
      Lines.position(Resolve(N.FilePath), N.FileOffset, Out.Loc.Line, Out.Loc.Column);
      Out.Message = N.Message;
      D.Notes.push_back(std::move(Out));
    }
    for (const auto &FileFix : Msg.Fix) {
      for (const tooling::Replacement &R : FileFix.getValue()) {
        if (!D.FixIt) {
          D.FixIt.emplace();
          D.FixIt->Kind = Applicability::Safe;
          D.FixIt->Description = "replace with '" + R.getReplacementText().str() + "'";
        }
        Edit Ed;
        Ed.File = Report(R.getFilePath().str());
        Ed.Offset = R.getOffset();
        Ed.Length = R.getLength();
        Ed.Replacement = R.getReplacementText().str();
        Lines.position(Resolve(R.getFilePath().str()), R.getOffset(), Ed.Line, Ed.Column);
        Lines.position(Resolve(R.getFilePath().str()), R.getOffset() + R.getLength(), Ed.EndLine,
                       Ed.EndColumn);
        D.FixIt->Edits.push_back(std::move(Ed));
      }
    }
    T.Diags.push_back(std::move(D));
  }
  std::string Why;
  if (!FirstError.empty())
    Why = "does not compile: " + FirstError;
  else if (!FirstErrorNoFile.empty())
    Why = "does not compile: " + FirstErrorNoFile;
  else if (Status != 0)
    Why = "could not be analysed (the compiler stopped without a message)";
  if (!Why.empty()) {
    if (T.DefaultFlags)
      T.Warnings.push_back({T.Given, Why + " (analysed with default flags)"});
    else
      T.Errors.push_back({T.Given, Why});
  }
}

/// A unit parsed once for the first pass and its checks: the parse runs on a thread of its
/// own, which hands the summary over and waits, its AST alive, until the summaries are linked
/// and written; then it runs the checks (or drops them). One such thread works at a time:
/// the others wait.
struct KeptParse {
  Task *T = nullptr;
  std::string Directory;
  IncludedDigests *Digests = nullptr; ///< null: the summary is not cached
  std::mutex M;
  std::condition_variable CV;
  bool Summarised = false; ///< the parse reached its end and Run holds the summary
  bool Done = false;       ///< the thread's work is over
  bool Decided = false;
  bool Check = false;      ///< run the checks on the kept AST
  SummaryRun Run;
  size_t Memory = 0;       ///< what the kept parse holds (AST, sources, preprocessor)
  std::thread Thread;
};

bool keptForChecks(const KeptParse &K) { return K.Check; }

/// What a parse holds while it waits: its AST, the sources, the preprocessor's tables.
size_t parseMemory(clang::CompilerInstance &CI, clang::ASTContext &Ctx) {
  const clang::SourceManager &SM = Ctx.getSourceManager();
  return Ctx.getASTAllocatedMemory() + Ctx.getSideTableAllocatedMemory() +
         SM.getContentCacheSize() + SM.getDataStructureSizes() +
         CI.getPreprocessor().getTotalMemory();
}

/// clang-tidy's action for a kept parse: the summary first; the checks' consumer is made
/// only once the summaries are written (the checks read them when they are made: the fork
/// wrappers' names). The forksafe checks only match the finished AST (no preprocessor
/// callbacks), so a consumer made after the parse sees what one made before it would.
class SharedActionFactory : public AnalyzerActionFactory {
public:
  SharedActionFactory(KeptParse &K, clang::tidy::ClangTidyContext &Context,
                      llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS)
      : K(K), Context(Context), ConsumerFactory(Context, std::move(FS)) {}
  std::unique_ptr<clang::FrontendAction> create() override {
    return std::make_unique<Action>(*this);
  }

private:
  struct Consumer : clang::ASTConsumer {
    SharedActionFactory &F;
    clang::CompilerInstance &CI;
    std::string File;
    Consumer(SharedActionFactory &F, clang::CompilerInstance &CI, std::string File)
        : F(F), CI(CI), File(std::move(File)) {}
    void HandleTranslationUnit(clang::ASTContext &Ctx) override {
      KeptParse &K = F.K;
      summarizeParsed(Ctx, K.Directory, K.Digests, K.Run);
      size_t Memory = parseMemory(CI, Ctx);
      {
        std::unique_lock<std::mutex> Lock(K.M);
        K.Memory = Memory;
        K.Summarised = true;
        K.CV.notify_all();
        K.CV.wait(Lock, [&K] { return K.Decided; });
      }
      if (!K.Check)
        return;
      if (std::unique_ptr<clang::ASTConsumer> Checks =
              F.ConsumerFactory.createASTConsumer(CI, File))
        Checks->HandleTranslationUnit(Ctx);
    }
  };
  class Action : public clang::ASTFrontendAction {
  public:
    explicit Action(SharedActionFactory &F) : F(F) {}
    std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &CI,
                                                          llvm::StringRef File) override {
      // What clang-tidy's consumer factory sets before the parse, for the compiler's own
      // diagnostics (a unit that does not compile).
      F.Context.setSourceManager(&CI.getSourceManager());
      F.Context.setCurrentFile(File);
      F.Context.setASTContext(&CI.getASTContext());
      return std::make_unique<Consumer>(F, CI, File.str());
    }

  private:
    SharedActionFactory &F;
  };
  KeptParse &K;
  clang::tidy::ClangTidyContext &Context;
  clang::tidy::ClangTidyASTConsumerFactory ConsumerFactory;
};

std::unique_ptr<clang::tooling::FrontendActionFactory>
sharedFactory(KeptParse &K, clang::tidy::ClangTidyContext &Context,
              llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS) {
  return std::make_unique<SharedActionFactory>(K, Context, std::move(FS));
}

/// The kept parses of the first pass, within Budget bytes (parseMemory): a unit beyond it is
/// parsed again for its checks.
class KeptParses : public SharedParses {
public:
  KeptParses(std::map<std::string, Task *> Candidates,
             const std::map<std::string, std::string> &Overlay, size_t Budget, unsigned Jobs)
      : Candidates(std::move(Candidates)), Overlay(Overlay), Budget(Budget),
        Jobs(std::max(1u, Jobs)) {}
  ~KeptParses() override { finish(false, [](const std::string &) { return false; }); }

  bool parse(const std::string &AbsFile, const std::string &Directory,
             const std::vector<std::string> &CommandLine, const std::string &SummaryFile,
             IncludedDigests *Digests, SummaryRun &Run) override {
    auto It = Candidates.find(AbsFile);
    if (It == Candidates.end())
      return false;
    Task &T = *It->second;
    if (T.Command.Directory != Directory || T.RawCommandLine != CommandLine)
      return false;
    Candidates.erase(It);
    T.Settings.CheckOptions["SummaryFile"] = SummaryFile;
    auto K = std::make_unique<KeptParse>();
    K->T = &T;
    K->Directory = Directory;
    K->Digests = Digests;
    KeptParse *P = K.get();
    K->Thread = std::thread([this, P] {
      runTask(*P->T, Overlay, P);
      std::lock_guard<std::mutex> Lock(P->M);
      P->Done = true;
      P->CV.notify_all();
    });
    bool Keep;
    {
      std::unique_lock<std::mutex> Lock(K->M);
      K->CV.wait(Lock, [P] { return P->Summarised || P->Done; });
      Run = std::move(K->Run);
      Keep = K->Summarised && Used + K->Memory <= Budget;
      if (Keep)
        Used += K->Memory;
      else
        K->Decided = true; // K->Check stays false: dropped, parsed again if it needs checks
      K->CV.notify_all();
    }
    if (Keep) {
      Kept.push_back(std::move(K));
    } else {
      K->Thread.join();
      drop(T);
    }
    return true;
  }

  void finish(bool Written, const std::function<bool(const std::string &)> &NeedsChecks) override {
    // The kept units run their checks (or end), Jobs at a time.
    for (size_t First = 0; First < Kept.size(); First += Jobs) {
      size_t End = std::min(Kept.size(), First + Jobs);
      for (size_t I = First; I < End; ++I) {
        KeptParse &K = *Kept[I];
        std::lock_guard<std::mutex> Lock(K.M);
        K.Check = Written && (NeedsChecks(K.T->Abs) || K.T->NamesExtraFork);
        K.Decided = true;
        K.CV.notify_all();
      }
      for (size_t I = First; I < End; ++I) {
        KeptParse &K = *Kept[I];
        K.Thread.join();
        if (K.Check)
          K.T->SharedDone = true;
        else
          drop(*K.T);
      }
    }
    Kept.clear();
    Used = 0;
  }

private:
  static void drop(Task &T) {
    T.Diags.clear();
    T.Errors.clear();
    T.Warnings.clear();
    T.Settings.CheckOptions.erase("SummaryFile");
  }

  std::map<std::string, Task *> Candidates;
  const std::map<std::string, std::string> &Overlay;
  size_t Budget;
  unsigned Jobs;
  std::vector<std::unique_ptr<KeptParse>> Kept;
  size_t Used = 0;
};

/// The values of AdditionalForkFunctions options in force for a file (its check options and
/// its .clang-tidy's), split into names.
std::vector<std::string> extraForkFunctions(const CppFileSettings &Settings, const std::string &Abs,
                                            llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS) {
  std::unique_ptr<clang::tidy::ClangTidyContext> Context = makeContext(Settings, FS);
  clang::tidy::ClangTidyOptions Opts = Context->getOptionsForFile(Abs);
  std::vector<std::string> Names;
  for (const auto &Entry : Opts.CheckOptions) {
    llvm::StringRef Key = Entry.getKey();
    llvm::StringRef Suffix = "AdditionalForkFunctions";
    if (Key.size() < Suffix.size() || Key.substr(Key.size() - Suffix.size()) != Suffix)
      continue;
    std::string List = Entry.getValue().Value;
    std::replace(List.begin(), List.end(), ',', ';');
    llvm::SmallVector<llvm::StringRef, 4> Parts;
    llvm::StringRef(List).split(Parts, ';');
    for (llvm::StringRef P : Parts)
      if (!P.trim().empty())
        Names.push_back(P.trim().str());
  }
  return Names;
}

bool anyCheckEnabled(const CppFileSettings &Settings, const std::string &Abs,
                     llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS) {
  std::unique_ptr<clang::tidy::ClangTidyContext> Context = makeContext(Settings, FS);
  Context->setCurrentFile(Abs);
  for (const std::string &Name : checkNames())
    if (Context->isCheckEnabled(Name))
      return true;
  return false;
}

} // namespace

void analyze(const std::vector<std::string> &Files, const CppOptions &Opts,
             std::vector<Diagnostic> &Diags, std::vector<InputError> &Errors, CppRunInfo *Info) {
  CppRunInfo LocalInfo;
  CppRunInfo &Out = Info ? *Info : LocalInfo;
  std::map<std::string, std::string> Overlay;
  for (const auto &[Path, Text] : Opts.Overlay)
    Overlay[absolute(Path)] = Text;

  // Sequential: selection, the text pre-filter and compile commands.
  std::vector<Task> Tasks(Files.size());
  CommandFinder Commands(Opts.BuildPath, Opts.UseFixedFlags, Opts.FixedFlags);
  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> RealFS = llvm::vfs::createPhysicalFileSystem();
  // The units whose parse the first pass may share with their checks (SharedParse.h): those
  // of a database, compiled one way, whose text may concern a check (a unit that turns out to
  // need the checks without it is parsed again). Not with unsaved buffers or extra flags, which
  // the summaries do not see.
  std::map<std::string, Task *> Candidates;
  if (Opts.WholeProgram && !Opts.UseFixedFlags && Overlay.empty() && Opts.ExtraArgs.empty() &&
      Opts.ExtraArgsBefore.empty()) {
    for (size_t I = 0; I < Files.size(); ++I) {
      Task &T = Tasks[I];
      T.Abs = absolute(Files[I]);
      if (Candidates.count(T.Abs))
        continue;
      T.Settings = Opts.SettingsFor ? Opts.SettingsFor(Files[I])
                                    : CppFileSettings{Opts.Checks, Opts.CheckOptions};
      T.HaveSettings = true;
      if (!anyCheckEnabled(T.Settings, T.Abs, RealFS))
        continue;
      auto Buf = llvm::MemoryBuffer::getFile(T.Abs, /*IsText=*/false,
                                             /*RequiresNullTerminator=*/false);
      if (!Buf)
        continue;
      std::vector<std::string> Extra = extraForkFunctions(T.Settings, T.Abs, RealFS);
      if (!mayConcernAnyCheck((*Buf)->getBuffer(), Extra))
        continue;
      T.NamesExtraFork = namesAny((*Buf)->getBuffer(), Extra);
      std::string Why;
      if (Commands.commandFor(T.Abs, T.Command, Why) != CommandSource::Database)
        continue;
      T.RawCommandLine = T.Command.CommandLine;
      adjustCommand(T.Command, T.Abs, /*DefaultFlags=*/false, Opts.ExtraArgsBefore, Opts.ExtraArgs);
      T.Given = Files[I];
      T.MayShare = true;
      Candidates[T.Abs] = &T;
    }
  }
  unsigned Jobs = Opts.Jobs ? Opts.Jobs : llvm::hardware_concurrency().compute_thread_count();
  KeptParses Shared(std::move(Candidates), Overlay, Opts.SharedParseBudget, Jobs);
  WholePrograms Programs(Opts.WholeProgram, Opts.BuildPath, Opts.SummaryCacheDir, &Shared);
  for (size_t I = 0; I < Files.size(); ++I) {
    Task &T = Tasks[I];
    T.Given = Files[I];
    T.Abs = absolute(Files[I]);
    const WholeProgramRun *Program = Programs.forFile(T.Abs);
    if (T.SharedDone) {
      ++Out.Analyzed; // its checks ran on the first pass's parse
      ++Out.SharedParses;
      T.Skip = true;
      continue;
    }
    if (T.HaveSettings) // asked once: the first loop did
      T.Settings.CheckOptions.erase("SummaryFile");
    else if (Opts.SettingsFor)
      T.Settings = Opts.SettingsFor(Files[I]);
    else
      T.Settings = {Opts.Checks, Opts.CheckOptions};
    if (Program && !Program->summaryFile().empty())
      T.Settings.CheckOptions["SummaryFile"] = Program->summaryFile();
    if (!anyCheckEnabled(T.Settings, T.Abs, RealFS)) {
      T.Skip = true;
      continue;
    }
    std::string Text;
    auto O = Overlay.find(T.Abs);
    if (O != Overlay.end()) {
      Text = O->second;
    } else {
      auto Buf = llvm::MemoryBuffer::getFile(T.Abs, /*IsText=*/false, /*RequiresNullTerminator=*/false);
      if (!Buf) {
        T.Errors.push_back({T.Given, "cannot read: " + Buf.getError().message()});
        T.Skip = true;
        continue;
      }
      Text = (*Buf)->getBuffer().str();
    }
    bool Needed = Opts.NeededBySummaries && Opts.NeededBySummaries(Files[I]);
    // A unit of the database: its summary tells (it may call a fork wrapper of another unit).
    if (Program && Program->summarised(T.Abs)) {
      if (!Program->needsChecks(T.Abs) &&
          !namesAny(Text, extraForkFunctions(T.Settings, T.Abs, RealFS))) {
        T.Skip = true;
        ++Out.Skipped;
        continue;
      }
      Needed = true;
    }
    if (!Needed && !mayConcernAnyCheck(Text, extraForkFunctions(T.Settings, T.Abs, RealFS))) {
      T.Skip = true;
      ++Out.Skipped;
      continue;
    }
    std::string Why;
    CommandSource Source = Commands.commandFor(T.Abs, T.Command, Why);
    if (Source == CommandSource::None) {
      T.Errors.push_back({T.Given, Why});
      T.Skip = true;
      continue;
    }
    T.DefaultFlags = Source == CommandSource::Default;
    if (T.DefaultFlags)
      Out.DefaultFlags.push_back(T.Given);
    adjustCommand(T.Command, T.Abs, T.DefaultFlags, Opts.ExtraArgsBefore, Opts.ExtraArgs);
    ++Out.Analyzed;
  }

  // Parallel: one translation unit per task.
  std::vector<size_t> Runnable;
  for (size_t I = 0; I < Tasks.size(); ++I)
    if (!Tasks[I].Skip)
      Runnable.push_back(I);
  Jobs = std::max(1u, std::min<unsigned>(Jobs, Runnable.size()));
  if (Jobs == 1) {
    for (size_t I : Runnable)
      runTask(Tasks[I], Overlay);
  } else {
#if FORKSAFE_LLVM_MAJOR >= 19
    llvm::DefaultThreadPool Pool(llvm::hardware_concurrency(Jobs));
#else
    llvm::ThreadPool Pool(llvm::hardware_concurrency(Jobs));
#endif
    for (size_t I : Runnable)
      Pool.async([&Tasks, &Overlay, I] { runTask(Tasks[I], Overlay); });
    Pool.wait();
  }

  for (Task &T : Tasks) {
    std::move(T.Diags.begin(), T.Diags.end(), std::back_inserter(Diags));
    std::move(T.Errors.begin(), T.Errors.end(), std::back_inserter(Errors));
    std::move(T.Warnings.begin(), T.Warnings.end(), std::back_inserter(Out.Warnings));
  }
}

} // namespace cpp
} // namespace forksafe
