//===--- Config.h - [tool.forksafe] project configuration --------------------===//
//
// Read from `.forksafe.toml` (top-level keys) or `[tool.forksafe]` in `pyproject.toml`, the
// nearest one found upward from each analysed file, or from --config.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CORE_CONFIG_H
#define FORKSAFE_CORE_CONFIG_H

#include "Diagnostic.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace forksafe {

struct PythonVersion {
  unsigned Major = 3, Minor = 0;
  bool atLeast(unsigned Ma, unsigned Mi) const {
    return Major > Ma || (Major == Ma && Minor >= Mi);
  }
};

/// Parses "3.12", "py312", "py3.12"; and the lower bound of a requires-python specifier
/// such as ">=3.9,<4". Returns nullopt for text it does not understand.
std::optional<PythonVersion> parsePythonVersion(llvm::StringRef Text);
std::optional<PythonVersion> lowerBoundOfRequiresPython(llvm::StringRef Spec);

struct Config {
  std::string Path; ///< the file it was read from; empty for built-in defaults
  std::string Root; ///< that file's directory: per-file-ignores globs are relative to it
  /// The SHA-256 of the path and bytes of every file this configuration was read from (cache
  /// keys: results computed under another configuration are not reused). Empty for defaults.
  std::string Digest;
  std::optional<std::string> Checks;           ///< `checks`: clang-tidy glob syntax
  std::optional<PythonVersion> TargetVersion;  ///< `target-version`, else requires-python
  struct PerFileIgnore {
    std::string Glob;
    std::vector<std::string> Checks; ///< check globs; "*" for all
  };
  std::vector<PerFileIgnore> PerFileIgnores;   ///< `per-file-ignores`
  std::vector<std::string> ProcessStarters;    ///< `extend-process-starters`: dotted names
  std::vector<std::string> ThreadStarters;     ///< `extend-thread-starters`
  std::vector<std::string> CudaInitializers;   ///< `extend-cuda-initializers`
  /// `cpp-options`: clang-tidy CheckOptions of the C/C++ checks ("forksafe-x.Option" -> value).
  std::map<std::string, std::string> CppCheckOptions;
  std::vector<std::string> Exclude;       ///< `exclude`: gitignore-style patterns (replaces the default)
  std::vector<std::string> ExtendExclude; ///< `extend-exclude`: added to `exclude`
  std::optional<std::string> DocsUrl;          ///< `docs-url`: base of the check pages (reports' links)

  /// True when a per-file-ignores entry removes Check for File.
  bool ignores(llvm::StringRef File, llvm::StringRef Check) const;
};

/// Loads one config file. Unknown keys, wrong types and bad values are reported as errors
/// naming the file and the key; the rest of the file still applies.
std::shared_ptr<const Config> loadConfigFile(llvm::StringRef Path, std::vector<InputError> &Errors);
/// The same for a file whose text is already in memory (the configuration fuzzer).
std::shared_ptr<const Config> loadConfigText(llvm::StringRef Path, llvm::StringRef Text,
                                             std::vector<InputError> &Errors);

/// Configuration files larger than this are refused with an error (they are a few KB).
constexpr uint64_t MaxConfigBytes = 4u << 20;

/// Finds and caches the configuration that applies to each file. Thread-safe.
class ConfigFinder {
public:
  /// With an explicit file, that configuration applies to every input.
  explicit ConfigFinder(std::string ExplicitFile = "") : Explicit(std::move(ExplicitFile)) {}
  std::shared_ptr<const Config> forFile(llvm::StringRef File, std::vector<InputError> &Errors);

private:
  std::shared_ptr<const Config> forDirectory(const std::string &Dir, std::vector<InputError> &Errors);
  std::string Explicit;
  std::shared_ptr<const Config> ExplicitConfig;
  std::mutex Mutex;
  std::map<std::string, std::shared_ptr<const Config>> ByDirectory;
};

} // namespace forksafe

#endif
