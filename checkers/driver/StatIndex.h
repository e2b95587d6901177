//===--- StatIndex.h - Files whose last result was empty, by their stat -------===//
//
// What git's index and Ruff's cache do: a file whose stat (device, inode, mode, size, mtime and
// ctime in nanoseconds) is what it was when its result was found empty, under the same
// configuration, is taken to be empty again without being read. Only empty results (no
// findings, no errors, no fixes) are kept: a file with findings goes the normal way (read,
// results cache, suppressions), so what the index answers is always "nothing".
//
// In whole-program mode a file's verdict also depends on the other modules of its project: the
// index keeps, per project (root and Layout::Only), every file the project read for a summary
// and every folder it listed or found missing, each with its stat, and trusts a project's
// entries only while every one of those is unchanged (a module made in a listed folder changes
// the folder's mtime). A project whose record no longer holds loses all its entries.
//
// Racily clean stamps (git's problem): a file changed within the same timestamp tick as its
// stat was taken could look unchanged. A stamp whose mtime or ctime is not older than the run's
// start minus a window (2 s) is never stored: its file is read again next time.
//
// One index per run configuration (the forksafe build, --checks, --no-prefilter, --no-project),
// stored in the Cache (atomically renamed into place), loaded once at the start and written once
// at the end when it changed; entries of files not in the run are kept.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_DRIVER_STATINDEX_H
#define FORKSAFE_DRIVER_STATINDEX_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct stat;

namespace forksafe {

class Cache;

/// What stat() says of a path, or that it does not exist.
struct FileStamp {
  bool Exists = false;
  uint64_t Dev = 0, Ino = 0, Mode = 0, Size = 0;
  int64_t MtimeNs = 0, CtimeNs = 0;

  /// The stamp of Path now (following symbolic links, as reading it does). A path that cannot
  /// be stat'ed for another reason than its absence gives nullopt: nothing can be trusted.
  static std::optional<FileStamp> of(const std::string &Path);
  /// The stamp a successful stat(2) of the path gave.
  static FileStamp fromStat(const struct ::stat &St);
  bool operator==(const FileStamp &O) const {
    return Exists == O.Exists && Dev == O.Dev && Ino == O.Ino && Mode == O.Mode && Size == O.Size &&
           MtimeNs == O.MtimeNs && CtimeNs == O.CtimeNs;
  }
  bool operator!=(const FileStamp &O) const { return !(*this == O); }
  /// Changed (or could have been) too close to a run that started at StartNs.
  bool racy(int64_t StartNs, int64_t WindowNs) const {
    return Exists && (MtimeNs >= StartNs - WindowNs || CtimeNs >= StartNs - WindowNs);
  }
  std::string str() const;
  static std::optional<FileStamp> parse(llvm::StringRef S);
};

/// The index's contents: per project key (ProjectSet::keyOf: root and Only, with one newline
/// between; "\n" in --no-project runs), the
/// configuration the project was made with, its dependencies and the files found empty in it.
struct StatIndexData {
  struct Entry {
    FileStamp Stamp;
    std::string Config;     ///< digest of the file's configuration
    std::string ImportRoot; ///< of the file's layout (its module name depends on it)
  };
  struct ProjectRecord {
    std::string Config;
    std::map<std::string, FileStamp> Deps;
    std::map<std::string, Entry> Files;
  };
  std::map<std::string, ProjectRecord> Projects;

  std::string serialize() const;
  /// The index in Text; nullopt when it is not one (truncated, corrupt, another format).
  static std::optional<StatIndexData> parse(llvm::StringRef Text);
};

class StatIndex {
public:
  /// The index of this run configuration in Store (empty when there is none or it is not
  /// readable). RunConfig: --checks and the hidden switches.
  StatIndex(Cache &Store, llvm::StringRef RunConfig);

  /// The path an entry is kept under: Name made absolute (not normalised: "./a.py" and "a.py"
  /// are two entries, as their reports differ). "" when it cannot be kept.
  static std::string keyPath(const std::string &Name);

  /// Whether the file at Path (keyPath), with stamp St now, configuration digest Config and
  /// project Project / ImportRoot, was found empty before and nothing it depends on changed.
  /// Thread-safe; each project's dependencies are checked once.
  bool answersEmpty(const std::string &Path, const FileStamp &St, llvm::StringRef Config,
                    const std::string &Project, llvm::StringRef ImportRoot);

  /// A dependency of Project, about to be read: stamped now. Thread-safe.
  void recordDependency(const std::string &Project, llvm::StringRef Path);
  /// The project's configuration this run (Project::configDigest). Thread-safe.
  void recordProject(const std::string &Project, llvm::StringRef Config);
  /// The result of a file this run analysed (or skipped after reading): St is its stamp
  /// before it was read; Empty: no findings, errors or fixes. Not thread-safe (at the end).
  void recordResult(const std::string &Path, const FileStamp &St, llvm::StringRef Config,
                    const std::string &Project, llvm::StringRef ImportRoot, bool Empty);

  /// Writes the index when it changed. Returns whether it was written.
  bool save();

  /// Files answered by answersEmpty so far.
  unsigned answered() const { return Answered; }

private:
  bool projectHolds(const std::string &Project);
  /// Whether saving would write what was loaded (checked without building it).
  bool unchanged();
  Cache &Store;
  std::string Key;
  std::string LoadedText;
  StatIndexData Loaded;
  llvm::StringMap<std::string> ProjectOfFile; ///< in Loaded
  int64_t StartNs, WindowNs;
  std::mutex Mu;
  /// Project -> whether its dependencies are unchanged, each project checked once: a thread
  /// that asks while another checks waits for its answer instead of stat'ing the project's
  /// files again (the files of one package go to both threads).
  struct ProjectCheck {
    std::once_flag Once;
    bool Holds = false;
  };
  std::map<std::string, std::unique_ptr<ProjectCheck>> Checked;
  struct Recorded {
    std::map<std::string, FileStamp> Deps;
    bool Unusable = false; ///< a dependency that could not be stamped or changed during the run
    std::optional<std::string> Config;
  };
  std::map<std::string, Recorded> ThisRun;
  struct Result {
    std::string Path;
    FileStamp Stamp;
    std::string Config, Project, ImportRoot;
    bool Empty;
  };
  std::vector<Result> Results;
  std::atomic<unsigned> Answered{0};
};

} // namespace forksafe

#endif
