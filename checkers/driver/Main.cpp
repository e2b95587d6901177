//===--- Main.cpp - The forksafe program -------------------------------------===//
//
// forksafe [options] [PATH...]   analyse files and folders (default: .)
// forksafe lsp                   language server over stdio
//
//===----------------------------------------------------------------------===//
#include "CheckCatalog.h"
#include "FileWalker.h"
#include "LanguageServer.h"
#include "OutOfMemory.h"
#include "Runner.h"
#include "Summarize.h"

#include "core/Cache.h"
#include "core/Fixes.h"
#include "core/InputFile.h"
#include "core/Reporters.h"
#include "core/SourceText.h"

#include "core/Config.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <unistd.h>

using namespace forksafe;
namespace cl = llvm::cl;

static cl::OptionCategory Category("forksafe options");

static cl::list<std::string> Paths(cl::Positional, cl::desc("[PATH...]"), cl::cat(Category));
static cl::opt<std::string> Checks("checks", cl::value_desc("GLOBS"),
                                   cl::desc("Checks to run, clang-tidy glob syntax, applied after the "
                                            "configuration's (e.g. '-*,forksafe-preexec-fn')"),
                                   cl::cat(Category));
static cl::opt<std::string> Format("format", cl::value_desc("text|json|sarif|github"), cl::init("text"),
                                   cl::desc("Output format"), cl::cat(Category));
static cl::opt<std::string> Output("output", cl::value_desc("FILE"),
                                   cl::desc("Write the report to FILE instead of standard output"),
                                   cl::cat(Category));
static cl::opt<std::string> ConfigFile("config", cl::value_desc("FILE"),
                                       cl::desc("Use this .forksafe.toml or pyproject.toml for every file "
                                                "instead of the one found upward from each file"),
                                       cl::cat(Category));
static cl::opt<std::string> BuildPath("p", cl::value_desc("DIR"),
                                      cl::desc("Folder with compile_commands.json for C/C++ files "
                                               "(default: found upward from each file)"),
                                      cl::cat(Category));
// Prefix: -j8 as well as -j 8 and -j=8, as make and ninja take it.
static cl::opt<unsigned> Jobs("j", cl::value_desc("N"), cl::init(0), cl::Prefix,
                              cl::desc("Files analysed in parallel (default: one per core)"), cl::cat(Category));
static cl::list<std::string> Exclude("exclude", cl::value_desc("PATTERNS"), cl::CommaSeparated,
                                     cl::desc("gitignore-style patterns of paths not to walk, replacing the "
                                              "configuration's exclude"),
                                     cl::cat(Category));
static cl::list<std::string> ExtendExclude("extend-exclude", cl::value_desc("PATTERNS"), cl::CommaSeparated,
                                           cl::desc("gitignore-style patterns of paths not to walk, in addition"),
                                           cl::cat(Category));
static cl::list<std::string> ExtraArgs("extra-arg", cl::value_desc("ARG"),
                                       cl::desc("Compiler argument appended to every C/C++ command"),
                                       cl::cat(Category));
static cl::list<std::string> ExtraArgsBefore("extra-arg-before", cl::value_desc("ARG"),
                                             cl::desc("Compiler argument put first in every C/C++ command"),
                                             cl::cat(Category));
static cl::opt<bool> ApplyFixes("fix", cl::desc("Apply the fixes marked safe, writing each file atomically"),
                         cl::cat(Category));
static cl::opt<bool> FixReadOnly("fix-read-only",
                                 cl::desc("With --fix, also fix files that are read-only (no w permission bit)"),
                                 cl::cat(Category));
static cl::opt<std::string> StdinFilename("stdin-filename", cl::value_desc("NAME"),
                                          cl::desc("Read the source from standard input and report it as NAME"),
                                          cl::cat(Category));
static cl::opt<bool> ListChecks("list-checks", cl::desc("List the enabled checks and exit"), cl::cat(Category));
static cl::opt<std::string> Explain("explain", cl::value_desc("ID"), cl::desc("Print the documentation of a check"),
                                    cl::cat(Category));
static cl::opt<bool> UnsafeFixes("unsafe-fixes",
                                 cl::desc("Apply unsafe fixes too (with --fix or --diff), and count them as fixable"),
                                 cl::cat(Category));
static cl::opt<bool> ShowDiff("diff", cl::desc("Print the fixes as a unified diff instead of writing them; exit 1 "
                                               "when there is a diff"),
                              cl::cat(Category));
static cl::opt<bool> ShowFixes("show-fixes", cl::desc("List the findings that --fix fixed, per file"),
                               cl::cat(Category));
static cl::opt<bool> Statistics("statistics", cl::desc("Print the number of findings of each check instead of the "
                                                       "findings"),
                                cl::cat(Category));
static cl::opt<std::string> DocsUrl("docs-url", cl::value_desc("URL"),
                                    cl::desc("Where the check pages are published, for the links in reports: a "
                                             "base URL (<URL>/<check>.md) or a template with {id} (default: the "
                                             "configuration's docs-url, else the installed docs)"),
                                    cl::cat(Category));
static cl::opt<std::string> CacheDir("cache-dir", cl::value_desc("DIR"),
                                     cl::desc("Keep results between runs in DIR (default: .forksafe_cache in "
                                              "the project root of the first path)"),
                                     cl::cat(Category));
static cl::opt<bool> NoCache("no-cache", cl::desc("Neither read nor write the cache"), cl::cat(Category));
static cl::opt<bool> NoPrefilter("no-prefilter", cl::Hidden,
                                 cl::desc("Parse every file and run every rule on it (to check that "
                                          "the pre-filter loses no finding)"),
                                 cl::cat(Category));
static cl::opt<bool> NoProject("no-project", cl::Hidden,
                               cl::desc("Analyse each Python file alone, without the summaries of "
                                        "the other modules of its project (to measure what they add)"),
                               cl::cat(Category));
static cl::opt<bool> DebugCache("debug-cache", cl::Hidden,
                                cl::desc("Say on standard error how many Python files the stat index "
                                         "answered without reading them (for tests and measuring)"),
                                cl::cat(Category));
static cl::opt<bool> ExitZero("exit-zero", cl::desc("Exit 0 even when there are findings (errors still exit 2)"),
                              cl::cat(Category));

static void printVersion(llvm::raw_ostream &OS) {
  OS << "forksafe " << FORKSAFE_VERSION << " (LLVM " << FORKSAFE_LLVM_MAJOR << ", tree-sitter-python 0.23.6)\n";
}

static int usageError(const llvm::Twine &Message) {
  llvm::errs() << "forksafe: error: " << Message << "\n";
  return 2;
}

static int listChecks() {
  CheckGlobs Enabled(DefaultChecks);
  if (!Checks.empty())
    Enabled.append(Checks);
  for (const CatalogEntry &E : checkCatalog()) {
    if (!Enabled.contains(E.Id))
      continue;
    std::string Langs = E.Python && E.Cpp ? "python,c++" : E.Python ? "python" : "c++";
    llvm::outs() << llvm::left_justify(E.Id, 36) << ' ' << llvm::left_justify(Langs, 10) << ' '
                 << (E.HasFix ? "fix " : "    ") << E.Summary << '\n';
  }
  return 0;
}

static int explain(llvm::StringRef Id) {
  const CatalogEntry *E = findCheck(Id);
  if (!E)
    return usageError("unknown check '" + Id + "' (did you mean '" + closestCheck(Id) +
                      "'?); --list-checks --checks='*' lists them all");
  if (E->Markdown.empty())
    return usageError("check '" + Id + "' has no documentation page");
  llvm::outs() << E->Markdown;
  return 0;
}

/// Text for --statistics: findings per check, most first, "[*]" when some can be fixed.
static void writeStatistics(llvm::raw_ostream &OS, const RunResult &R, bool Json) {
  std::map<std::string, std::pair<unsigned, bool>> Count;
  for (const Diagnostic &D : R.Diags) {
    auto &C = Count[D.Check];
    ++C.first;
    C.second |= fixWanted(D, UnsafeFixes);
  }
  std::vector<std::pair<std::string, std::pair<unsigned, bool>>> Rows(Count.begin(), Count.end());
  std::stable_sort(Rows.begin(), Rows.end(),
                   [](const auto &A, const auto &B) { return A.second.first > B.second.first; });
  if (Json) {
    llvm::json::Array Out;
    for (auto &Row : Rows)
      Out.push_back(llvm::json::Object{{"check", Row.first},
                                       {"name", checkDisplayName(Row.first)},
                                       {"count", Row.second.first},
                                       {"fixable", Row.second.second}});
    OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Out))) << '\n';
    return;
  }
  for (auto &Row : Rows)
    OS << llvm::right_justify(std::to_string(Row.second.first), 5) << "  " << Row.first
       << (Row.second.second ? " [*]" : "") << '\n';
}

/// --show-fixes: what --fix changed, per file and check, as Ruff lists it.
static void writeFixedList(llvm::raw_ostream &OS, const RunResult &R) {
  if (R.FixedFiles.empty())
    return;
  OS << "Fixed " << R.FixesApplied << (R.FixesApplied == 1 ? " finding:\n" : " findings:\n");
  std::vector<const FixedFile *> Files;
  for (const FixedFile &F : R.FixedFiles)
    Files.push_back(&F);
  std::sort(Files.begin(), Files.end(), [](const FixedFile *A, const FixedFile *B) { return A->File < B->File; });
  for (const FixedFile *F : Files) {
    OS << "- " << F->File << ":\n";
    std::map<std::string, unsigned> PerCheck;
    for (const Diagnostic &D : F->Fixed)
      ++PerCheck[D.Check];
    for (auto &KV : PerCheck)
      OS << "    " << KV.second << " x " << KV.first << '\n';
  }
}

int main(int Argc, const char **Argv) {
  installOutOfMemoryHandlers();
  {
    std::vector<std::string> Ids;
    for (const CatalogEntry &E : checkCatalog())
      Ids.push_back(E.Id);
    setKnownChecks(std::move(Ids));
  }
  if (Argc >= 2 && std::strcmp(Argv[1], "lsp") == 0)
    return runLanguageServer(Argc - 1, Argv + 1);
  if (Argc >= 2 && std::strcmp(Argv[1], "summarize") == 0)
    return runSummarize(Argc - 1, Argv + 1);

  cl::SetVersionPrinter(printVersion);
  cl::HideUnrelatedOptions(Category);
  cl::SetVersionPrinter(printVersion);
  // `forksafe FILE... -- FLAGS`: as clang-tidy, the compiler flags for every C/C++ file.
  bool UseFixedFlags = false;
  std::vector<std::string> FixedFlags;
  for (int I = 1; I < Argc; ++I)
    if (std::strcmp(Argv[I], "--") == 0) {
      UseFixedFlags = true;
      FixedFlags.assign(Argv + I + 1, Argv + Argc);
      Argc = I;
      break;
    }
  std::string Err;
  llvm::raw_string_ostream ErrStream(Err);
  if (!cl::ParseCommandLineOptions(Argc, Argv,
                                   "forksafe: finds unsafe uses of fork() in Python, C and C++\n\n"
                                   "  forksafe [options] [PATH...] [-- COMPILER FLAGS]   analyse files and folders (default: .)\n"
                                   "  forksafe lsp                   run the language server on stdio\n",
                                   &ErrStream)) {
    llvm::errs() << ErrStream.str();
    return 2;
  }
  if (!Checks.empty()) {
    std::string Why = checkListProblem(Checks);
    if (!Why.empty())
      return usageError("--checks: " + Why);
  }
  if (ListChecks)
    return listChecks();
  if (!Explain.empty())
    return explain(Explain);
  auto Fmt = parseOutputFormat(Format);
  if (!Fmt)
    return usageError("unknown --format '" + Format + "' (text, json, sarif, github)");
  if (!ConfigFile.empty() && !llvm::sys::fs::exists(ConfigFile))
    return usageError("--config file '" + ConfigFile + "' does not exist");
  if (!StdinFilename.empty() && !Paths.empty())
    return usageError("--stdin-filename reads standard input: give no PATH");
  if (Statistics && *Fmt != OutputFormat::Text && *Fmt != OutputFormat::Json)
    return usageError("--statistics prints text or json, not --format=" + Format);
  if (ShowDiff && Statistics)
    return usageError("--diff and --statistics print different things: give one");

  RunOptions RO;
  RO.Checks = Checks;
  RO.ConfigFile = ConfigFile;
  RO.BuildPath = BuildPath;
  RO.Jobs = Jobs;
  RO.UseFixedFlags = UseFixedFlags;
  RO.FixedFlags = FixedFlags;
  RO.ExtraArgs.assign(ExtraArgs.begin(), ExtraArgs.end());
  RO.ExtraArgsBefore.assign(ExtraArgsBefore.begin(), ExtraArgsBefore.end());
  RO.Fix = ApplyFixes || ShowDiff;
  if (ApplyFixes && !ShowDiff)
    prepareFixWrites(); // files are fixed on worker threads
  RO.UnsafeFixes = UnsafeFixes;
  RO.Diff = ShowDiff;
  allowFixingReadOnlyFiles(FixReadOnly);
  RO.Prefilter = !NoPrefilter;
  RO.WholeProgram = !NoProject;
  RO.DebugCache = DebugCache;
  if (!NoCache && StdinFilename.empty())
    RO.CacheDir = !CacheDir.empty() ? std::string(CacheDir) : defaultCacheDir(Paths.empty() ? "." : Paths[0]);
  // The process ends when this returns: the runner's projects (every module's record,
  // summary and folder listing of a whole-program run) are left to the exit instead of
  // being freed one by one, as clang's -disable-free does. Kept reachable, so that leak
  // checkers see no leak; nothing of it is written at destruction (the caches write as
  // they go).
  static Runner *Kept = nullptr;
  Kept = new Runner(RO);
  Runner &Run = *Kept;
  RunResult Result;

  std::string FixedStdin;
  bool StdinFixed = false;
  if (!StdinFilename.empty()) {
    if (languageOf(StdinFilename, /*ReadShebang=*/false) != Language::Python)
      return usageError("--stdin-filename works for Python files; '" + StdinFilename +
                        "' is not a .py name (C/C++ files need their compile commands: pass them as paths)");
    // Bounded like a file on disk: `< /dev/zero` must not read until memory runs out.
    std::string Bytes;
    char Chunk[65536];
    while (true) {
      ssize_t N = ::read(0, Chunk, sizeof Chunk);
      if (N < 0 && errno == EINTR)
        continue;
      if (N < 0)
        return usageError(std::string("cannot read standard input: ") + std::strerror(errno));
      if (N == 0)
        break;
      Bytes.append(Chunk, N);
      if (Bytes.size() > MaxSourceBytes)
        return usageError("standard input is over the limit of " + std::to_string(MaxSourceBytes >> 20) +
                          " MiB for a source file; not analysed");
    }
    BufferResult BR = Run.analyzePythonBuffer(StdinFilename, Bytes, RO.Fix);
    Result.Diags = std::move(BR.Diags);
    Result.Errors = std::move(BR.Errors);
    Result.FixesApplied = BR.FixesApplied;
    Result.FilesAnalyzed = 1;
    Result.InMemorySources[StdinFilename] = BR.FixesApplied ? BR.Fixed : Bytes;
    if (BR.FixesApplied)
      Result.FixedFiles.push_back({StdinFilename, Bytes, BR.Fixed, std::move(BR.FixedDiags)});
    if (ApplyFixes && !ShowDiff) {
      // As Ruff does: with --fix, standard input comes back fixed on standard output.
      FixedStdin = BR.FixesApplied ? BR.Fixed : Bytes;
      StdinFixed = true;
    }
  } else {
    std::vector<std::string> Roots(Paths.begin(), Paths.end());
    if (Roots.empty())
      Roots.push_back(".");
    std::optional<std::vector<std::string>> CliExclude;
    if (Exclude.getNumOccurrences())
      CliExclude = std::vector<std::string>(Exclude.begin(), Exclude.end());
    ExcludeFilter Filter(CliExclude, std::vector<std::string>(ExtendExclude.begin(), ExtendExclude.end()),
                         ConfigFile);
    WalkOptions WO;
    WO.Excluded = [&Filter](llvm::StringRef AbsPath, bool IsDir) { return Filter.excluded(AbsPath, IsDir); };
    WalkResult Files = walkPaths(Roots, Result.Errors, WO);
    // Test hook: remove a file between the walk and the analysis, to exercise a file that
    // disappears during a run deterministically.
    if (const char *Victim = std::getenv("FORKSAFE_TEST_REMOVE_AFTER_WALK"))
      llvm::sys::fs::remove(Victim);
    std::vector<InputError> WalkErrors = std::move(Result.Errors);
    Result = Run.run(Files);
    Result.Errors.insert(Result.Errors.begin(), WalkErrors.begin(), WalkErrors.end());
  }

  // The report: to --output or standard output (standard error when stdout carries fixed source).
  std::error_code EC;
  std::unique_ptr<llvm::raw_fd_ostream> File;
  if (!Output.empty()) {
    File = std::make_unique<llvm::raw_fd_ostream>(Output, EC, llvm::sys::fs::OF_Text);
    if (EC)
      return usageError("cannot write --output '" + Output + "': " + EC.message());
  }
  llvm::raw_ostream &OS = File ? *File : StdinFixed ? llvm::errs() : llvm::outs();
  if (ShowDiff) {
    std::vector<const FixedFile *> Files;
    for (const FixedFile &F : Result.FixedFiles)
      Files.push_back(&F);
    std::sort(Files.begin(), Files.end(), [](const FixedFile *A, const FixedFile *B) { return A->File < B->File; });
    for (const FixedFile *F : Files)
      OS << unifiedDiff(F->File, F->Before, F->After);
  } else if (Statistics) {
    writeStatistics(OS, Result, *Fmt == OutputFormat::Json);
  } else {
    ReportOptions Report;
    Report.Version = FORKSAFE_VERSION;
    Report.DocsUrl = docsUrlFor(DocsUrl, ConfigFile);
    writeReport(OS, *Fmt, Result, checkDescriptions(), Report);
  }
  if (ShowFixes && !ShowDiff && *Fmt == OutputFormat::Text)
    writeFixedList(StdinFixed ? llvm::errs() : OS, Result);
  OS.flush();
  if (StdinFixed) {
    llvm::outs() << FixedStdin;
    llvm::outs().flush();
  }

  for (const std::string &N : Result.Notices)
    llvm::errs() << N << "\n";
  for (const InputError &E : Result.Errors)
    llvm::errs() << escapeInvalidUTF8(E.File) << ": error: " << escapeInvalidUTF8(E.Message) << "\n";
  if (ShowDiff) {
    // As Ruff's --diff: the diff is the output, the summary says what would be fixed.
    size_t Fixes = 0;
    for (const FixedFile &F : Result.FixedFiles)
      Fixes += F.Fixed.size();
    llvm::errs() << "forksafe: would fix " << Fixes << (Fixes == 1 ? " finding" : " findings") << " in "
                 << Result.FixedFiles.size() << (Result.FixedFiles.size() == 1 ? " file" : " files");
    if (!Result.Errors.empty())
      llvm::errs() << "; " << Result.Errors.size() << (Result.Errors.size() == 1 ? " error" : " errors");
    llvm::errs() << "\n";
    if (!Result.Errors.empty())
      return 2;
    return Result.FixedFiles.empty() || ExitZero ? 0 : 1;
  }
  size_t N = Result.Diags.size();
  llvm::errs() << "forksafe: " << N << (N == 1 ? " finding" : " findings");
  if (Result.FixesApplied)
    llvm::errs() << " (" << Result.FixesApplied << " fixed)";
  llvm::errs() << " in " << Result.FilesAnalyzed << (Result.FilesAnalyzed == 1 ? " file" : " files");
  if (!Result.Errors.empty())
    llvm::errs() << "; " << Result.Errors.size() << (Result.Errors.size() == 1 ? " error" : " errors");
  // What fixes there are for the findings left, as Ruff's "[*] N fixable", at the end of the
  // summary line (which stays the last line: scripts read it).
  size_t Safe = 0, Unsafe = 0;
  for (const Diagnostic &D : Result.Diags)
    if (D.FixIt && !D.FixIt->Edits.empty())
      ++(D.FixIt->Kind == Applicability::Safe ? Safe : Unsafe);
  size_t Fixable = Safe + (UnsafeFixes ? Unsafe : 0), Hidden = UnsafeFixes ? 0 : Unsafe;
  if (!ApplyFixes && Fixable) {
    llvm::errs() << "; " << Fixable << " fixable with --fix";
    if (Hidden)
      llvm::errs() << " (" << Hidden << " more with --unsafe-fixes)";
  } else if (Hidden) {
    llvm::errs() << "; " << Hidden << " fixable with --unsafe-fixes";
  }
  llvm::errs() << "\n";
  if (!Result.Errors.empty())
    return 2;
  if (N && !ExitZero)
    return 1;
  return 0;
}
