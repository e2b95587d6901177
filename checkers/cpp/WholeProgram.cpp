//===--- WholeProgram.cpp - Summaries of every unit of a compile database --===//

#include "cpp/WholeProgram.h"

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
#include "llvm/Support/SHA256.h"
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

// TODO(cache): replace with core/Cache.h (get/put/cacheKey) once it is on main; the key's
// parts stay the same.
class SummaryStore {
public:
  explicit SummaryStore(std::string Dir) : Dir(std::move(Dir)) {}

  static std::string key(llvm::StringRef Contents, llvm::StringRef Command) {
    llvm::SHA256 Hash;
    for (llvm::StringRef Part : {llvm::StringRef("tu-summary"), llvm::StringRef(FORKSAFE_VERSION),
                                 Contents, Command}) {
      std::string Length = std::to_string(Part.size()) + ":";
      Hash.update(Length);
      Hash.update(Part);
    }
    auto Digest = Hash.final();
    return llvm::toHex(llvm::ArrayRef<uint8_t>(Digest.data(), Digest.size()), true);
  }

  std::optional<std::string> get(llvm::StringRef Key) const {
    if (Dir.empty())
      return std::nullopt;
    auto Buf = llvm::MemoryBuffer::getFile(path(Key));
    if (!Buf)
      return std::nullopt;
    return (*Buf)->getBuffer().str();
  }

  void put(llvm::StringRef Key, llvm::StringRef Value) const {
    if (Dir.empty())
      return;
    llvm::SmallString<256> Folder(Dir);
    llvm::sys::path::append(Folder, "tu-summary");
    if (llvm::sys::fs::create_directories(Folder))
      return;
    std::string Ignored;
    writeSummaryFile(path(Key), Value.str(), Ignored);
  }

private:
  std::string path(llvm::StringRef Key) const {
    llvm::SmallString<256> P(Dir);
    llvm::sys::path::append(P, "tu-summary", Key + ".json");
    return std::string(P);
  }
  std::string Dir;
};

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
  SummaryStore Store(Opts.CacheDir);
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
    std::string Key = SummaryStore::key((*Contents)->getBuffer(), commandKey(Commands.front()));
    std::optional<UnitSummary> Unit;
    if (std::optional<std::string> Cached = Store.get(Key)) {
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
      Store.put(Key, clang::tidy::forksafe::toJson(*Unit));
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
  Result.Json = clang::tidy::forksafe::toJson(Program);
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

std::string defaultSummaryCacheDir(const std::string &BuildDir) {
  llvm::SmallString<256> Dir(BuildDir);
  llvm::sys::fs::make_absolute(Dir);
  for (llvm::StringRef Cur = Dir; !Cur.empty(); Cur = llvm::sys::path::parent_path(Cur)) {
    for (const char *Marker : {".git", "pyproject.toml", ".forksafe.toml"}) {
      llvm::SmallString<256> P(Cur);
      llvm::sys::path::append(P, Marker);
      if (llvm::sys::fs::exists(P)) {
        llvm::SmallString<256> Out(Cur);
        llvm::sys::path::append(Out, ".forksafe_cache");
        return std::string(Out);
      }
    }
    if (llvm::sys::path::parent_path(Cur) == Cur)
      break;
  }
  llvm::sys::path::append(Dir, ".forksafe_cache");
  return std::string(Dir);
}

} // namespace cpp
} // namespace forksafe
