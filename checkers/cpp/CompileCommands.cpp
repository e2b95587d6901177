//===--- CompileCommands.cpp - The compile command of each C/C++ file -------===//

#include "cpp/CompileCommands.h"

#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>

namespace forksafe {
namespace cpp {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;
using clang::tooling::CompilationDatabase;
using clang::tooling::CompileCommand;

static bool hasDatabase(const std::string &Dir) {
  llvm::SmallString<256> P(Dir);
  path::append(P, "compile_commands.json");
  if (fs::exists(P))
    return true;
  P = Dir;
  path::append(P, "compile_flags.txt");
  return fs::exists(P);
}

std::string CommandFinder::databaseDirFor(const std::string &Start) {
  // Walk up with an owned string: a StringRef into the buffer being assigned would read
  // freed memory once the buffer shrinks or moves.
  std::string Dir = Start;
  std::vector<std::string> Visited;
  std::string Found;
  while (!Dir.empty()) {
    auto Cached = SearchCache.find(Dir);
    if (Cached != SearchCache.end()) {
      Found = Cached->second;
      break;
    }
    Visited.push_back(Dir);
    if (hasDatabase(Dir)) {
      Found = Dir;
      break;
    }
    std::string Parent = path::parent_path(Dir).str();
    if (Parent == Dir)
      break;
    Dir = std::move(Parent);
  }
  for (const std::string &V : Visited)
    SearchCache[V] = Found;
  return Found;
}

CompilationDatabase *CommandFinder::load(const std::string &Dir, std::string &Why) {
  auto It = Databases.find(Dir);
  if (It == Databases.end()) {
    Loaded L;
    std::string Err;
    llvm::SmallString<256> Json(Dir);
    path::append(Json, "compile_commands.json");
    llvm::SmallString<256> Flags(Dir);
    path::append(Flags, "compile_flags.txt");
    std::unique_ptr<CompilationDatabase> DB;
    if (fs::exists(Json)) {
      DB = clang::tooling::JSONCompilationDatabase::loadFromFile(
          Json, Err, clang::tooling::JSONCommandLineSyntax::AutoDetect);
      if (!DB)
        L.Why = "cannot load " + std::string(Json) + ": " + Err;
    } else if (fs::exists(Flags)) {
      DB = clang::tooling::FixedCompilationDatabase::loadFromFile(std::string(Flags), Err);
      if (!DB)
        L.Why = "cannot load " + std::string(Flags) + ": " + Err;
    } else {
      L.Why = "no compile_commands.json or compile_flags.txt in " + Dir;
    }
    // Headers and files the database does not list get the command of the nearest entry.
    if (DB)
      L.DB = clang::tooling::inferMissingCompileCommands(std::move(DB));
    It = Databases.emplace(Dir, std::move(L)).first;
  }
  Why = It->second.Why;
  return It->second.DB.get();
}

CommandSource CommandFinder::commandFor(const std::string &File, CompileCommand &Out, std::string &Why) {
  if (UseFixedFlags) {
    llvm::SmallString<256> Cwd;
    fs::current_path(Cwd);
    Out.Directory = std::string(Cwd);
    Out.Filename = File;
    Out.CommandLine = {"clang-tool"};
    Out.CommandLine.insert(Out.CommandLine.end(), FixedFlags.begin(), FixedFlags.end());
    Out.CommandLine.push_back(File);
    return CommandSource::Fixed;
  }
  std::string Dir = BuildPath.empty() ? databaseDirFor(path::parent_path(File).str()) : BuildPath;
  if (!Dir.empty()) {
    CompilationDatabase *DB = load(Dir, Why);
    if (!DB)
      return CommandSource::None;
    std::vector<CompileCommand> Commands = DB->getCompileCommands(File);
    if (!Commands.empty()) {
      // A file compiled several ways: the first way, as clang-tidy's first run would see it.
      Out = std::move(Commands.front());
      return CommandSource::Database;
    }
  }
  // No database (or an empty one): default flags, the compiler chosen by the file's extension.
  Out.Directory = path::parent_path(File).str();
  Out.Filename = File;
  Out.CommandLine = {"clang-tool", File};
  return CommandSource::Default;
}

static bool hasExtension(llvm::StringRef File, std::initializer_list<llvm::StringRef> Exts) {
  llvm::StringRef Ext = path::extension(File);
  return std::find(Exts.begin(), Exts.end(), Ext) != Exts.end();
}

void adjustCommand(CompileCommand &Cmd, const std::string &File, bool DefaultFlags,
                   const std::vector<std::string> &Before, const std::vector<std::string> &After) {
  std::vector<std::string> &Args = Cmd.CommandLine;
  if (Args.empty())
    return;
  std::vector<std::string> Kept;
  Kept.push_back(Args.front());
  Kept.insert(Kept.end(), Before.begin(), Before.end());
  bool HasLanguage = false;
  for (size_t I = 1; I < Args.size(); ++I) {
    llvm::StringRef A = Args[I];
    if (A.substr(0, 7) == "-Werror" || A == "-pedantic-errors")
      continue;
    if (A.substr(0, 2) == "-x")
      HasLanguage = true;
    Kept.push_back(Args[I]);
  }
  Args = std::move(Kept);
  std::vector<std::string> Front;
  if (!HasLanguage && hasExtension(File, {".inl", ".ipp", ".tpp", ".txx", ".tcc"}))
    Front = {"-x", "c++"};
  if (DefaultFlags && hasExtension(File, {".cu"}))
    Front.insert(Front.end(), {"-nocudainc", "-nocudalib", "--cuda-host-only"});
  Args.insert(Args.begin() + 1, Front.begin(), Front.end());
  // Flags go before a "--" that ends the options (inferred commands have one).
  auto End = std::find(Args.begin() + 1, Args.end(), "--");
  std::vector<std::string> Back = After;
  // Without carets clang does not print "N warnings generated." on stderr. No compiler
  // warning is reported (only errors are), and -w spares the analyses behind them (the CFGs
  // of -Wuninitialized and the like): the AST is the same.
  Back.insert(Back.begin(), {"-fno-caret-diagnostics", "-w"});
  Args.insert(End, Back.begin(), Back.end());
}

} // namespace cpp
} // namespace forksafe
