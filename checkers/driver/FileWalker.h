//===--- FileWalker.h - From command-line paths to the files to analyse ----===//
#ifndef FORKSAFE_DRIVER_FILEWALKER_H
#define FORKSAFE_DRIVER_FILEWALKER_H

#include "core/Diagnostic.h"
#include "driver/StatIndex.h"
#include "llvm/ADT/StringRef.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace forksafe {

enum class Language { Python, Cpp, Unknown };

/// The language of a file by its name (and, for a name without a known extension, a
/// `#!...python` first line).
Language languageOf(llvm::StringRef Path, bool ReadShebang);

struct WalkResult {
  std::vector<std::string> Python;
  std::vector<std::string> Cpp;
  /// For each of Python: its stamp when the walk stat'ed it (a file named as a path, as
  /// pre-commit and editors name them), which the stat index takes instead of a second stat;
  /// nullopt for a file found in a folder (whose listing tells its type without a stat).
  /// Empty when no file has one. The run judges a named file by it: one edited or removed
  /// after the walk is seen as it was (docs/performance.md, the stat index).
  std::vector<std::optional<FileStamp>> PythonStamps;
};

struct WalkOptions {
  /// Paths (absolute) that --exclude, --extend-exclude or the configuration's exclude remove
  /// from directory walks; files named on the command line are analysed regardless.
  std::function<bool(llvm::StringRef AbsPath, bool IsDir)> Excluded;
};

/// Expands Roots: files are taken as given (any name; an unknown type is an error); directories
/// are walked, respecting .gitignore files (the root's own and those of its parents inside the
/// same git work tree), skipping hidden folders, virtualenvs (pyvenv.cfg), node_modules and
/// __pycache__, following symbolic links without looping. Unreadable entries go to Errors.
WalkResult walkPaths(const std::vector<std::string> &Roots, std::vector<InputError> &Errors,
                     const WalkOptions &Opts = WalkOptions());

class GitignoreFile;
class ConfigFinder;
struct Config;

/// Ruff's exclusion settings, as gitignore-style patterns: `--exclude` (replacing the
/// configuration's `exclude`), `--extend-exclude` and the configuration's `extend-exclude`
/// (added). Command-line patterns are relative to the working directory, a configuration's to
/// its file's directory; a pattern without a slash matches a name at any depth.
class ExcludeFilter {
public:
  ExcludeFilter(std::optional<std::vector<std::string>> Exclude, std::vector<std::string> ExtendExclude,
                std::string ConfigFile);
  ~ExcludeFilter();
  bool excluded(llvm::StringRef AbsPath, bool IsDir);

private:
  const GitignoreFile *forConfig(const Config &C);
  bool CliReplaces;
  std::unique_ptr<GitignoreFile> Cli;
  std::unique_ptr<ConfigFinder> Configs;
  std::mutex Mutex;
  std::map<const Config *, std::unique_ptr<GitignoreFile>> ByConfig;
};

} // namespace forksafe

#endif
