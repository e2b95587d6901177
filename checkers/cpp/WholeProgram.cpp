//===--- WholeProgram.cpp - Summaries of every unit of a compile database --===//

#include "cpp/WholeProgram.h"
#include "core/Cache.h"

#include "ProgramLink.h"
#include "Summary.h"
#include "SummaryBuilder.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace forksafe {
namespace cpp {

using clang::tidy::forksafe::ProgramLink;
using clang::tidy::forksafe::ProgramSummary;
using clang::tidy::forksafe::SummaryEvent;
using clang::tidy::forksafe::UnitSummary;

namespace {

/// Collects the summary of the one unit it is run on.
class SummaryAction : public clang::ASTFrontendAction {
public:
  explicit SummaryAction(std::optional<UnitSummary> &Out) : Out(Out) {}
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &,
                                                        llvm::StringRef) override {
    struct Consumer : clang::ASTConsumer {
      std::optional<UnitSummary> &Out;
      explicit Consumer(std::optional<UnitSummary> &Out) : Out(Out) {}
      void HandleTranslationUnit(clang::ASTContext &Ctx) override {
        Out = clang::tidy::forksafe::summarizeUnit(Ctx);
      }
    };
    return std::make_unique<Consumer>(Out);
  }

private:
  std::optional<UnitSummary> &Out;
};

class SummaryActionFactory : public clang::tooling::FrontendActionFactory {
public:
  explicit SummaryActionFactory(std::optional<UnitSummary> &Out) : Out(Out) {}
  std::unique_ptr<clang::FrontendAction> create() override {
    return std::make_unique<SummaryAction>(Out);
  }

private:
  std::optional<UnitSummary> &Out;
};

/// The cache's folder for translation-unit summaries.
constexpr llvm::StringLiteral SummaryKind = "tu-summary";

std::string commandKey(const clang::tooling::CompileCommand &C) {
  std::string S = C.Directory;
  for (const std::string &Arg : C.CommandLine)
    S += '\0' + Arg;
  return S;
}

std::string absolute(llvm::StringRef Dir, llvm::StringRef File) {
  llvm::SmallString<256> P(File);
  if (!llvm::sys::path::is_absolute(P)) {
    P = Dir;
    llvm::sys::path::append(P, File);
  }
  llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/true);
  return std::string(P);
}

} // namespace

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

bool summarizeDatabase(const std::string &BuildDir, const SummarizeOptions &Opts,
                       SummarizeResult &Result, std::string &Error) {
  std::string LoadError;
  std::unique_ptr<clang::tooling::CompilationDatabase> DB =
      clang::tooling::CompilationDatabase::loadFromDirectory(BuildDir, LoadError);
  if (!DB) {
    Error = "cannot load compile_commands.json from " + BuildDir + ": " + LoadError;
    return false;
  }
  std::unique_ptr<Cache> Store = Opts.CacheDir.empty() ? nullptr : Cache::open(Opts.CacheDir);
  ProgramSummary Program;
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
    // The file's bytes and its command; cacheKey adds the forksafe version.
    std::string Key = cacheKey({(*Contents)->getBuffer(), commandKey(Commands.front())});
    std::optional<UnitSummary> Unit;
    if (std::optional<std::string> Cached =
            Store ? Store->get(SummaryKind, Key) : std::optional<std::string>()) {
      if (auto U = clang::tidy::forksafe::unitFromJson(*Cached)) {
        Unit = std::move(*U);
        ++Result.FromCache;
      } else {
        llvm::consumeError(U.takeError());
      }
    }
    if (!Unit) {
      // Compile errors are the checks' to report; a unit that does not parse is left out.
      clang::tooling::ClangTool Tool(*DB, {File});
      clang::IgnoringDiagConsumer Quiet;
      Tool.setDiagnosticConsumer(&Quiet);
      SummaryActionFactory Factory(Unit);
      Tool.run(&Factory);
      if (!Unit) {
        ++Result.Failed;
        continue;
      }
      if (Store)
        Store->put(SummaryKind, Key, clang::tidy::forksafe::toJson(*Unit));
    }
    Result.Summarised.insert(Unit->File);
    Program.Units.push_back(std::move(*Unit));
  }

  // Which units need the checks: those that fork, call a fork wrapper or vfork, or call a
  // project function that no unit defines (it may be a fork function of another library).
  ProgramLink Link(Program);
  std::vector<std::string> Wrappers;
  for (const auto &W : Link.forkWrappers())
    Wrappers.push_back(W.getKey().str());
  for (const UnitSummary &U : Program.Units) {
    bool May = U.mayFork(Wrappers);
    for (const auto &F : U.Functions)
      for (const SummaryEvent &E : F.Events)
        May |= (E.K == SummaryEvent::LibraryCall && E.Name == "vfork") ||
               (E.K == SummaryEvent::Call && !Link.defines(E.Target));
    if (May)
      Result.MayFork.insert(U.File);
  }
  std::vector<std::string> Names = Link.forkWrapperNames();
  Result.Json = clang::tidy::forksafe::toJson(Program, &Names);
  return true;
}

WholeProgramRun::WholeProgramRun(const std::string &BuildDir, const SummarizeOptions &Opts) {
  std::string Error;
  if (!summarizeDatabase(BuildDir, Opts, Result, Error))
    return;
  llvm::SmallString<128> Path;
  int FD;
  if (llvm::sys::fs::createTemporaryFile("forksafe-summaries", "json", FD, Path))
    return;
  llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
  OS << Result.Json;
  OS.close();
  if (OS.has_error()) {
    OS.clear_error();
    llvm::sys::fs::remove(Path);
    return;
  }
  File = std::string(Path);
}

WholeProgramRun::~WholeProgramRun() {
  if (!File.empty())
    llvm::sys::fs::remove(File);
}

bool WholeProgramRun::needsChecks(const std::string &AbsFile) const {
  return File.empty() || !Result.Summarised.count(AbsFile) || Result.MayFork.count(AbsFile);
}

WholePrograms::WholePrograms(bool Enabled, std::string BuildPath, std::string CacheDir)
    : Enabled(Enabled), BuildPath(std::move(BuildPath)), CacheDir(std::move(CacheDir)) {}
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
    Run = std::make_unique<WholeProgramRun>(Dir, Opts);
  }
  return Run.get();
}

} // namespace cpp
} // namespace forksafe
