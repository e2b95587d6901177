//===--- CppAnalyzer.cpp - The forksafe checks, run from the driver -------===//
//
// Runs the module's checks through clang-tidy's library on files with a JSON compilation
// database, and converts clang-tidy's findings into forksafe::Diagnostic.
//
//===----------------------------------------------------------------------===//

#include "cpp/CppAnalyzer.h"

#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang-tidy/ClangTidyOptions.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/VirtualFileSystem.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>

// Defined next to the module's registration; referencing it keeps that object linked.
extern volatile int ForksafeModuleAnchorSource;
static int ForksafeModuleAnchorDestination [[maybe_unused]] = ForksafeModuleAnchorSource;

namespace forksafe {
namespace cpp {

// checkNames() and checksWithFixes() are in CheckNames.cpp: the program needs them without clang.

namespace {

std::string absolute(llvm::StringRef Path) {
  llvm::SmallString<256> Abs(Path);
  llvm::sys::fs::make_absolute(Abs);
  llvm::sys::path::remove_dots(Abs, /*remove_dot_dot=*/true);
  return std::string(Abs);
}

/// Line and column (1-based, bytes) of offsets in files, read once.
class LineTable {
public:
  bool position(const std::string &File, unsigned Offset, unsigned &Line, unsigned &Column) {
    auto It = Files.find(File);
    if (It == Files.end()) {
      std::vector<unsigned> Starts;
      if (auto Buf = llvm::MemoryBuffer::getFile(File)) {
        Starts.push_back(0);
        llvm::StringRef Text = (*Buf)->getBuffer();
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
  llvm::StringMap<std::vector<unsigned>> Files;
};

/// The directory holding compile_commands.json for File, searching upward.
std::string databaseDirFor(llvm::StringRef AbsFile) {
  llvm::SmallString<256> Dir = llvm::sys::path::parent_path(AbsFile);
  while (!Dir.empty()) {
    llvm::SmallString<256> Candidate = Dir;
    llvm::sys::path::append(Candidate, "compile_commands.json");
    if (llvm::sys::fs::exists(Candidate))
      return std::string(Dir);
    llvm::StringRef Parent = llvm::sys::path::parent_path(Dir);
    if (Parent == Dir)
      break;
    Dir = Parent;
  }
  return "";
}

} // namespace

void analyze(const std::vector<std::string> &Files, const CppOptions &Opts,
             std::vector<Diagnostic> &Diags, std::vector<InputError> &Errors) {
  using namespace clang;
  // Each file keeps the spelling it was given in, for reports.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> ByDatabase;
  for (const std::string &File : Files) {
    std::string Abs = absolute(File);
    std::string Dir = Opts.BuildPath.empty() ? databaseDirFor(Abs) : Opts.BuildPath;
    if (Dir.empty()) {
      Errors.push_back({File, "no compile_commands.json found in its directory or above; "
                              "pass -p DIR"});
      continue;
    }
    ByDatabase[Dir].push_back({File, Abs});
  }

  LineTable Lines;
  for (auto &[Dir, Inputs] : ByDatabase) {
    std::string LoadError;
    std::unique_ptr<tooling::CompilationDatabase> DB =
        tooling::CompilationDatabase::loadFromDirectory(Dir, LoadError);
    if (!DB) {
      for (auto &In : Inputs)
        Errors.push_back({In.first, "cannot load compile_commands.json from " + Dir + ": " +
                                        LoadError});
      continue;
    }
    std::vector<std::string> Runnable;
    std::map<std::string, std::string> Spelling;
    for (auto &[Given, Abs] : Inputs) {
      // The JSON database guesses commands for files it does not list (Heuristic says how);
      // a guess is not the project's command, so such a file is an input error.
      std::vector<tooling::CompileCommand> Commands = DB->getCompileCommands(Abs);
      bool Listed = std::any_of(Commands.begin(), Commands.end(),
                                [](const tooling::CompileCommand &C) { return C.Heuristic.empty(); });
      if (!Listed) {
        Errors.push_back({Given, "no compile command for this file in " + Dir +
                                     "/compile_commands.json"});
        continue;
      }
      Runnable.push_back(Abs);
      Spelling[Abs] = Given;
    }
    if (Runnable.empty())
      continue;

    // .clang-tidy files found upward from each file supply CheckOptions as they do for
    // clang-tidy itself; which checks run is forksafe's selection.
    tidy::ClangTidyOptions Defaults = tidy::ClangTidyOptions::getDefaults();
    Defaults.Checks = "-*,forksafe-*";
    tidy::ClangTidyOptions Override;
    Override.Checks = "-*," + (Opts.Checks.empty() ? std::string("forksafe-*") : Opts.Checks);
    Override.WarningsAsErrors = "";
    // Without carets clang does not print "N warnings generated." on stderr.
    Override.ExtraArgs = std::vector<std::string>{"-fno-caret-diagnostics"};
    tidy::ClangTidyContext Context(std::make_unique<tidy::FileOptionsProvider>(
        tidy::ClangTidyGlobalOptions(), Defaults, Override, llvm::vfs::getRealFileSystem()));
    // One file per run: clang-tidy prints progress ("[1/2] Processing file") for several.
    std::vector<tidy::ClangTidyError> Found;
    for (const std::string &File : Runnable) {
      llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS(
          new llvm::vfs::OverlayFileSystem(llvm::vfs::getRealFileSystem()));
      std::vector<tidy::ClangTidyError> One =
          tidy::runClangTidy(Context, *DB, {File}, FS, /*ApplyAnyFix=*/false);
      std::move(One.begin(), One.end(), std::back_inserter(Found));
    }

    // clang-tidy's paths may be relative to the compile command's directory.
    std::string BuildDir;
    auto Resolve = [&](const std::string &Path) {
      if (Path.empty() || llvm::sys::path::is_absolute(Path) || BuildDir.empty())
        return Path;
      llvm::SmallString<256> Full(BuildDir);
      llvm::sys::path::append(Full, Path);
      llvm::sys::path::remove_dots(Full, /*remove_dot_dot=*/true);
      return std::string(Full);
    };
    auto Report = [&](const std::string &Path) {
      std::string Abs = absolute(Resolve(Path));
      auto It = Spelling.find(Abs);
      return It != Spelling.end() ? It->second : Resolve(Path);
    };
    std::map<std::string, std::string> CompileErrors;
    for (const tidy::ClangTidyError &E : Found) {
      BuildDir = E.BuildDirectory;
      const auto &Msg = E.Message;
      if (E.DiagnosticName == "clang-diagnostic-error" || E.DiagLevel == tidy::ClangTidyError::Error) {
        unsigned Line = 0, Col = 0;
        Lines.position(Resolve(Msg.FilePath), Msg.FileOffset, Line, Col);
        std::string &Slot = CompileErrors[Report(Msg.FilePath)];
        if (Slot.empty())
          Slot = "does not compile: " + Msg.FilePath + ":" + std::to_string(Line) + ":" +
                 std::to_string(Col) + ": " + Msg.Message;
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
      Diags.push_back(std::move(D));
    }
    for (auto &[File, Message] : CompileErrors)
      Errors.push_back({File, Message});
  }
}

} // namespace cpp
} // namespace forksafe
