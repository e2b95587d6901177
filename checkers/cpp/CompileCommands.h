//===--- CompileCommands.h - The compile command of each C/C++ file ---------===//
//
// compile_commands.json (-p DIR or found upward), else compile_flags.txt (found the same way),
// else default flags; `-- FLAGS` replaces the search. Files a database does not list (headers,
// new files) get a command inferred from the nearest entry, as clangd does.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_COMPILECOMMANDS_H
#define FORKSAFE_CPP_COMPILECOMMANDS_H

#include "clang/Tooling/CompilationDatabase.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace forksafe {
namespace cpp {

enum class CommandSource { Database, Fixed, Default, None };

/// Finds commands; one thread only (databases are not shared between tasks).
class CommandFinder {
public:
  CommandFinder(std::string BuildPath, bool UseFixedFlags, std::vector<std::string> FixedFlags)
      : BuildPath(std::move(BuildPath)), UseFixedFlags(UseFixedFlags), FixedFlags(std::move(FixedFlags)) {}

  /// The command for the absolute path File; None with Why when the run cannot have one (a -p
  /// directory without a database, a database that does not load).
  CommandSource commandFor(const std::string &File, clang::tooling::CompileCommand &Out, std::string &Why);

private:
  /// The directory holding compile_commands.json or compile_flags.txt for Dir, searching upward.
  std::string databaseDirFor(const std::string &Dir);
  /// The database of Dir, loaded once (null with Why when it does not load).
  clang::tooling::CompilationDatabase *load(const std::string &Dir, std::string &Why);

  std::string BuildPath;
  bool UseFixedFlags;
  std::vector<std::string> FixedFlags;
  std::map<std::string, std::string> SearchCache;
  struct Loaded {
    std::unique_ptr<clang::tooling::CompilationDatabase> DB;
    std::string Why;
  };
  std::map<std::string, Loaded> Databases;
};

/// Makes a project's command fit for analysis: flags that only turn warnings into errors are
/// dropped (a -Werror=... clang does not know would stop the file), --extra-arg-before/--extra-arg
/// go in, template and inline-definition files (.inl, .ipp, ...) are parsed as C++, and a CUDA
/// file with default flags does not need a CUDA installation; compiler warnings are off (-w).
void adjustCommand(clang::tooling::CompileCommand &Cmd, const std::string &File, bool DefaultFlags,
                   const std::vector<std::string> &Before, const std::vector<std::string> &After);

} // namespace cpp
} // namespace forksafe

#endif
