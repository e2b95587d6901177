//===--- WholeProgram.cpp - Summaries of every unit of a compile database --===//

#include "cpp/WholeProgram.h"
#include "core/Cache.h"
#include "core/StringCompat.h"

#include "ProgramLink.h"
#include "SharedParse.h"
#include "Summary.h"
#include "SummaryBuilder.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace forksafe {
namespace cpp {

using clang::tidy::forksafe::ProgramLink;
using clang::tidy::forksafe::ProgramSummary;
using clang::tidy::forksafe::SummaryEvent;
using clang::tidy::forksafe::UnitSummary;

namespace {

std::string absolute(llvm::StringRef Dir, llvm::StringRef File) {
  llvm::SmallString<256> P(File);
  if (!llvm::sys::path::is_absolute(P)) {
    P = Dir;
    llvm::sys::path::append(P, File);
  }
  llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/true);
  return std::string(P);
}

// A content cache's file: a pointer in LLVM 14, an optional reference in LLVM 19.
[[maybe_unused]] const clang::FileEntry *entryOf(const clang::FileEntry *E) { return E; }
#if LLVM_VERSION_MAJOR >= 16
[[maybe_unused]] const clang::FileEntry *entryOf(clang::OptionalFileEntryRef E) {
  return E ? &E->getFileEntry() : nullptr;
}
#endif

/// Every file entered while preprocessing the unit but its main file (headers, system headers
/// included, and files given with -include), each once, with the digest of its bytes as parsed.
std::optional<std::vector<IncludedFile>> includedFiles(const clang::SourceManager &SM,
                                                       llvm::StringRef Directory,
                                                       IncludedDigests &Digests) {
  const clang::FileEntry *Main = SM.getFileEntryForID(SM.getMainFileID());
  std::set<const clang::FileEntry *> Seen;
  std::vector<IncludedFile> Files;
  for (unsigned I = 0, E = SM.local_sloc_entry_size(); I != E; ++I) {
    const clang::SrcMgr::SLocEntry &Entry = SM.getLocalSLocEntry(I);
    if (!Entry.isFile())
      continue;
    const clang::SrcMgr::ContentCache &Content = Entry.getFile().getContentCache();
    const clang::FileEntry *FE = entryOf(Content.OrigEntry);
    // No entry: a buffer made from the command line (<built-in>, <command line>), which the
    // command in the key covers.
    if (!FE || FE == Main || !Seen.insert(FE).second)
      continue;
    llvm::StringRef Name = FE->tryGetRealPathName();
    auto Buffer = Content.getBufferIfLoaded();
    if (Name.empty() || !Buffer)
      return std::nullopt;
    std::string Path = absolute(Directory, Name);
    std::string Digest = Digests.digest(Path, uint64_t(FE->getSize()),
                                        int64_t(FE->getModificationTime()), Buffer->getBuffer());
    Files.emplace_back(std::move(Path), std::move(Digest));
  }
  return Files;
}

/// Collects the summary of the one unit it is run on and the files it read.
class SummaryAction : public clang::ASTFrontendAction {
public:
  SummaryAction(SummaryRun &Out, std::string Directory, IncludedDigests *Digests)
      : Out(Out), Directory(std::move(Directory)), Digests(Digests) {}
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &,
                                                        llvm::StringRef) override {
    struct Consumer : clang::ASTConsumer {
      SummaryRun &Out;
      std::string Directory;
      Consumer(SummaryRun &Out, std::string Directory, IncludedDigests *Digests)
          : Out(Out), Directory(std::move(Directory)), Digests(Digests) {}
      IncludedDigests *Digests;
      void HandleTranslationUnit(clang::ASTContext &Ctx) override {
        summarizeParsed(Ctx, Directory, Digests, Out);
      }
    };
    return std::make_unique<Consumer>(Out, Directory, Digests);
  }

private:
  SummaryRun &Out;
  std::string Directory;
  IncludedDigests *Digests;
};

class SummaryActionFactory : public clang::tooling::FrontendActionFactory {
public:
  SummaryActionFactory(SummaryRun &Out, std::string Directory, IncludedDigests *Digests)
      : Out(Out), Directory(std::move(Directory)), Digests(Digests) {}
  std::unique_ptr<clang::FrontendAction> create() override {
    return std::make_unique<SummaryAction>(Out, Directory, Digests);
  }
  bool runInvocation(std::shared_ptr<clang::CompilerInvocation> Invocation,
                     clang::FileManager *Files,
                     std::shared_ptr<clang::PCHContainerOperations> PCHContainerOps,
                     clang::DiagnosticConsumer *DiagConsumer) override {
    // The code the checks see (they run as clang-tidy does, __clang_analyzer__ defined): a
    // unit parsed once for both (SharedParse.h) gives the same summary as one parsed alone.
    Invocation->getPreprocessorOpts().SetUpStaticAnalyzer = true;
    return FrontendActionFactory::runInvocation(Invocation, Files, PCHContainerOps, DiagConsumer);
  }

private:
  SummaryRun &Out;
  std::string Directory;
  IncludedDigests *Digests;
};

/// The cache's folder for translation-unit summaries.
constexpr llvm::StringLiteral SummaryKind = "tu-summary";

// An entry of SummaryKind: one line per file the unit read ("<digest> <absolute path>"), an
// empty line, then the summary as JSON. The key holds the unit's own bytes and command; the
// files it included are known only once it is parsed, so the entry records each with the digest
// it had and a lookup compares each one's digest now.

/// The entry for Json and the files it depends on; nullopt when a path cannot be written on
/// one line (the unit is then not cached rather than cached wrongly).
std::optional<std::string> summaryEntry(const std::vector<IncludedFile> &Files,
                                        llvm::StringRef Json) {
  std::string Value;
  for (const IncludedFile &F : Files) {
    if (F.first.empty() || F.first.find('\n') != std::string::npos)
      return std::nullopt;
    Value += F.second + " " + F.first + "\n";
  }
  Value += "\n";
  Value += Json;
  return Value;
}

/// The summary's JSON of Entry if every file it records still has its digest (CurrentDigest
/// gives the digest now, "" for a file that cannot be read); else nullopt.
std::optional<llvm::StringRef>
summaryIfCurrent(llvm::StringRef Entry,
                 llvm::function_ref<const std::string &(const std::string &)> CurrentDigest) {
  llvm::StringRef Rest = Entry;
  while (true) {
    auto [Line, After] = Rest.split('\n');
    if (After.size() == Rest.size())
      return std::nullopt; // no end of line: not an entry of this layout
    Rest = After;
    if (Line.empty())
      return Rest;
    auto [Digest, Path] = Line.split(' ');
    if (Digest.empty() || Path.empty() || CurrentDigest(Path.str()) != Digest)
      return std::nullopt;
  }
}

/// A compiler builtin (__builtin_va_end, __builtin_isnan): no unit defines it, and it is
/// never a fork of another library.
bool isBuiltinUsr(llvm::StringRef Usr) { return startsWith(Usr, "c:@F@__builtin_"); }

std::string commandKey(const clang::tooling::CompileCommand &C) {
  std::string S = C.Directory;
  for (const std::string &Arg : C.CommandLine)
    S += '\0' + Arg;
  return S;
}

} // namespace

void summarizeParsed(clang::ASTContext &Ctx, const std::string &Directory, IncludedDigests *Digests,
                     SummaryRun &Run) {
  Run.Unit = clang::tidy::forksafe::summarizeUnit(Ctx);
  Run.Included.reset(); // a file with several commands is run once for each
  // A unit with errors (a header not found, say) is not cached: what it lacked is not among
  // the files it read, so no lookup could tell when it comes back.
  if (Digests && !Ctx.getDiagnostics().hasErrorOccurred())
    Run.Included = includedFiles(Ctx.getSourceManager(), Directory, *Digests);
}

std::string IncludedDigests::digest(const std::string &Path, uint64_t Size, int64_t Modified,
                                    llvm::StringRef Bytes) {
  if (Bytes.size() != Size) // not the file its entry describes: hashed on its own
    return contentDigest(Bytes);
  std::lock_guard<std::mutex> Guard(M);
  auto [It, New] = Known.try_emplace(std::make_tuple(Path, Size, Modified));
  if (New)
    It->second = contentDigest(Bytes);
  return It->second;
}

bool writeSummaryFile(const std::string &Path, const std::string &Json, std::string &Error) {
  llvm::SmallString<256> Model(Path);
  Model += ".tmp-%%%%%%%%";
  int FD;
  llvm::SmallString<256> Temp;
  if (std::error_code EC = llvm::sys::fs::createUniqueFile(Model, FD, Temp)) {
    Error = "cannot write '" + Path + "': " + EC.message();
    return false;
  }
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    OS << Json;
    OS.close();
    if (OS.has_error()) {
      Error = "cannot write '" + Path + "': " + OS.error().message();
      OS.clear_error();
      llvm::sys::fs::remove(Temp);
      return false;
    }
  }
  if (std::error_code EC = llvm::sys::fs::rename(Temp, Path)) {
    Error = "cannot write '" + Path + "': " + EC.message();
    llvm::sys::fs::remove(Temp);
    return false;
  }
  return true;
}

namespace {

/// summarizeDatabase; Shared, when given, parses the units it takes once for their summary
/// and their checks, which read SummaryFile (provided by the caller). With LinkOut, the
/// linked summaries go there instead of Result.Json.
bool summarize(const std::string &BuildDir, const SummarizeOptions &Opts, SummarizeResult &Result,
               std::string &Error, SharedParses *Shared, const std::string &SummaryFile,
               std::shared_ptr<const ProgramLink> *LinkOut) {
  std::string LoadError;
  std::unique_ptr<clang::tooling::CompilationDatabase> DB =
      clang::tooling::CompilationDatabase::loadFromDirectory(BuildDir, LoadError);
  if (!DB) {
    Error = "cannot load compile_commands.json from " + BuildDir + ": " + LoadError;
    return false;
  }
  std::unique_ptr<Cache> Store = Opts.CacheDir.empty() ? nullptr : Cache::open(Opts.CacheDir);
  ProgramSummary Program;
  // The digest of each file a cached entry depends on, read once per run: units share headers.
  std::map<std::string, std::string> Digests;
  // The same for the files the units parsed here read, for their entries.
  IncludedDigests ParsedDigests;
  auto CurrentDigest = [&Digests](const std::string &Path) -> const std::string & {
    auto [It, New] = Digests.try_emplace(Path);
    if (New)
      if (auto Bytes = llvm::MemoryBuffer::getFile(Path))
        It->second = contentDigest((*Bytes)->getBuffer());
    return It->second;
  };
  for (const std::string &File : DB->getAllFiles()) {
    std::vector<clang::tooling::CompileCommand> Commands = DB->getCompileCommands(File);
    if (Commands.empty())
      continue;
    ++Result.Units;
    std::string Abs = absolute(Commands.front().Directory, File);
    auto Contents = llvm::MemoryBuffer::getFile(Abs);
    if (!Contents) {
      ++Result.Failed;
      continue;
    }
    // The file's bytes and its command; cacheKey adds the forksafe version. The files it
    // includes are checked against the entry.
    const clang::tooling::CompileCommand &Command = Commands.front();
    std::string Key =
        cacheKey({"with-includes-analyzer", (*Contents)->getBuffer(), commandKey(Command)});
    std::optional<UnitSummary> Unit;
    if (std::optional<std::string> Cached =
            Store ? Store->get(SummaryKind, Key) : std::optional<std::string>()) {
      if (std::optional<llvm::StringRef> Json = summaryIfCurrent(*Cached, CurrentDigest)) {
        if (auto U = clang::tidy::forksafe::unitFromJson(*Json)) {
          Unit = std::move(*U);
          ++Result.FromCache;
        } else {
          llvm::consumeError(U.takeError());
        }
      }
    }
    if (!Unit) {
      SummaryRun Run;
      // A unit compiled one way may be parsed once for its summary and its checks.
      bool Parsed = Shared && Commands.size() == 1 &&
                    Shared->parse(Abs, Command.Directory, Command.CommandLine, SummaryFile,
                                  Store ? &ParsedDigests : nullptr, Run);
      if (!Parsed) {
        // Compile errors are the checks' to report; a unit that does not parse is left out.
        clang::tooling::ClangTool Tool(*DB, {File});
        // Warnings are not wanted: -w spares the analyses behind them.
        Tool.appendArgumentsAdjuster(clang::tooling::getInsertArgumentAdjuster(
            "-w", clang::tooling::ArgumentInsertPosition::BEGIN));
        clang::IgnoringDiagConsumer Quiet;
        Tool.setDiagnosticConsumer(&Quiet);
        SummaryActionFactory Factory(Run, Command.Directory, Store ? &ParsedDigests : nullptr);
        Tool.run(&Factory);
      }
      if (!Run.Unit) {
        ++Result.Failed;
        continue;
      }
      Unit = std::move(Run.Unit);
      if (Store && Run.Included)
        if (std::optional<std::string> Entry =
                summaryEntry(*Run.Included, clang::tidy::forksafe::toJson(*Unit)))
          Store->put(SummaryKind, Key, *Entry);
    }
    Result.Summarised.insert(Unit->File);
    Program.Units.push_back(std::move(*Unit));
  }

  // Which units need the checks: those that fork, call a fork wrapper or vfork, or call a
  // project function that no unit defines (it may be a fork function of another library).
  auto Link = std::make_shared<const ProgramLink>(std::move(Program));
  std::vector<std::string> Wrappers;
  for (const auto &W : Link->forkWrappers())
    Wrappers.push_back(W.getKey().str());
  for (const UnitSummary &U : Link->summaries().Units) {
    bool May = U.mayFork(Wrappers);
    for (const auto &F : U.Functions)
      for (const SummaryEvent &E : F.Events)
        May |= (E.K == SummaryEvent::LibraryCall && E.Name == "vfork") ||
               (E.K == SummaryEvent::Call && !Link->defines(E.Target) &&
                !isBuiltinUsr(E.Target));
    if (May)
      Result.MayFork.insert(U.File);
  }
  if (LinkOut) {
    *LinkOut = std::move(Link);
  } else {
    std::vector<std::string> Names = Link->forkWrapperNames();
    Result.Json = clang::tidy::forksafe::toJson(Link->summaries(), &Names);
  }
  return true;
}

} // namespace

bool summarizeDatabase(const std::string &BuildDir, const SummarizeOptions &Opts,
                       SummarizeResult &Result, std::string &Error) {
  return summarize(BuildDir, Opts, Result, Error, nullptr, "", nullptr);
}

WholeProgramRun::WholeProgramRun(const std::string &BuildDir, const SummarizeOptions &Opts,
                                 SharedParses *Shared) {
  // The checks of this process read the summaries from the link handed to them under the
  // name of an empty temporary file (ProgramLink::provide): no JSON is written or parsed.
  // The name is taken before the first pass: the parses it shares make their checks with it.
  llvm::SmallString<128> Path;
  int FD;
  if (llvm::sys::fs::createTemporaryFile("forksafe-summaries", "json", FD, Path)) {
    if (Shared)
      Shared->finish(false, [](const std::string &) { return true; });
    return;
  }
  llvm::sys::Process::SafelyCloseFileDescriptor(FD);
  std::string Error;
  std::shared_ptr<const ProgramLink> Link;
  bool Linked = summarize(BuildDir, Opts, Result, Error, Shared, std::string(Path), &Link);
  if (Linked) {
    File = std::string(Path);
    ProgramLink::provide(File, std::move(Link));
  } else {
    llvm::sys::fs::remove(Path);
  }
  if (Shared)
    Shared->finish(Linked, [this](const std::string &F) { return needsChecks(F); });
}

WholeProgramRun::~WholeProgramRun() {
  if (!File.empty()) {
    ProgramLink::provide(File, nullptr);
    llvm::sys::fs::remove(File);
  }
}

bool WholeProgramRun::needsChecks(const std::string &AbsFile) const {
  return File.empty() || !Result.Summarised.count(AbsFile) || Result.MayFork.count(AbsFile);
}

WholePrograms::WholePrograms(bool Enabled, std::string BuildPath, std::string CacheDir,
                             SharedParses *Shared)
    : Enabled(Enabled), BuildPath(std::move(BuildPath)), CacheDir(std::move(CacheDir)),
      Shared(Shared) {}
WholePrograms::~WholePrograms() = default;

const WholeProgramRun *WholePrograms::forFile(const std::string &AbsFile) {
  if (!Enabled)
    return nullptr;
  std::string Dir;
  auto HasDatabase = [](llvm::StringRef D) {
    llvm::SmallString<256> P(D);
    llvm::sys::path::append(P, "compile_commands.json");
    return llvm::sys::fs::exists(P);
  };
  if (!BuildPath.empty()) {
    llvm::SmallString<256> B(BuildPath);
    llvm::sys::fs::make_absolute(B);
    if (HasDatabase(B))
      Dir = std::string(B);
  } else {
    for (llvm::StringRef Cur = llvm::sys::path::parent_path(AbsFile); !Cur.empty();
         Cur = llvm::sys::path::parent_path(Cur)) {
      if (HasDatabase(Cur)) {
        Dir = Cur.str();
        break;
      }
      if (llvm::sys::path::parent_path(Cur) == Cur)
        break;
    }
  }
  if (Dir.empty())
    return nullptr;
  std::unique_ptr<WholeProgramRun> &Run = Runs[Dir];
  if (!Run) {
    SummarizeOptions Opts;
    Opts.CacheDir = CacheDir;
    Run = std::make_unique<WholeProgramRun>(Dir, Opts, Shared);
  }
  return Run.get();
}

} // namespace cpp
} // namespace forksafe
