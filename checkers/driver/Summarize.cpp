//===--- Summarize.cpp - forksafe summarize -------------------------------===//
//
// For clang-tidy users, as clang's cross-TU analysis has its index: the summaries of every
// translation unit of a compile database in one file, which the checks read through their
// option SummaryFile. Its own small argument parser: the main program's options are global
// and would clash.
//
//===----------------------------------------------------------------------===//
#include "Summarize.h"

#include "core/Cache.h"
#include "cpp/WholeProgram.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace forksafe {

static const char Usage[] =
    "usage: forksafe summarize -p BUILD_DIR -o FILE [--cache-dir DIR] [--no-cache]\n"
    "\n"
    "Writes the whole-program summaries of every translation unit in BUILD_DIR/\n"
    "compile_commands.json to FILE, for the checks' option SummaryFile:\n"
    "  clang-tidy -load libforksafe-tidy.so -checks='-*,forksafe-*' \\\n"
    "    -config=\"{CheckOptions: {SummaryFile: FILE}}\" -p BUILD_DIR SOURCE\n";

static int usageError(const std::string &Message) {
  llvm::errs() << "forksafe summarize: error: " << Message << "\n" << Usage;
  return 2;
}

int runSummarize(int Argc, const char **Argv) {
  std::string BuildDir, Output, CacheDir;
  bool NoCache = false;
  for (int I = 1; I < Argc; ++I) {
    llvm::StringRef Arg = Argv[I];
    auto Value = [&](const std::string &Name, std::string &Into) {
      if (Arg == Name) {
        if (I + 1 >= Argc)
          return false;
        Into = Argv[++I];
        return true;
      }
      std::string Prefix = Name + "=";
      if (Arg.substr(0, Prefix.size()) == Prefix) {
        Into = Arg.substr(Prefix.size()).str();
        return true;
      }
      return false;
    };
    if (Arg == "-h" || Arg == "--help" || Arg == "-help") {
      llvm::outs() << Usage;
      return 0;
    }
    if (Arg == "--no-cache" || Arg == "-no-cache") {
      NoCache = true;
      continue;
    }
    if (Value("-p", BuildDir) || Value("-o", Output) || Value("--output", Output) ||
        Value("--cache-dir", CacheDir))
      continue;
    return usageError("unknown argument '" + Arg.str() + "'");
  }
  if (BuildDir.empty())
    return usageError("-p BUILD_DIR is required (the folder holding compile_commands.json)");
  if (Output.empty())
    return usageError("-o FILE is required");

  cpp::SummarizeOptions Opts;
  if (!NoCache)
    Opts.CacheDir = CacheDir.empty() ? defaultCacheDir(BuildDir) : CacheDir;
  cpp::SummarizeResult Result;
  std::string Error;
  if (!cpp::summarizeDatabase(BuildDir, Opts, Result, Error))
    return usageError(Error);
  if (!cpp::writeSummaryFile(Output, Result.Json, Error)) {
    llvm::errs() << "forksafe summarize: error: " << Error << "\n";
    return 2;
  }
  llvm::errs() << "forksafe summarize: " << Result.Units << " translation units, "
               << Result.FromCache << " from the cache, " << Result.Failed
               << " could not be parsed; written to " << Output << "\n";
  return Result.Failed ? 2 : 0;
}

} // namespace forksafe
