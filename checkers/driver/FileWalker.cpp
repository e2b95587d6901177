#include "FileWalker.h"

#include "Gitignore.h"
#include "core/Config.h"
#include "core/InputFile.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>
#include <sys/stat.h>

namespace forksafe {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

static bool hasExtension(llvm::StringRef Path, std::initializer_list<llvm::StringRef> Exts) {
  llvm::StringRef Ext = path::extension(Path);
  for (llvm::StringRef E : Exts)
    if (Ext == E)
      return true;
  return false;
}

Language languageOf(llvm::StringRef Path, bool ReadShebang) {
  if (hasExtension(Path, {".py"}))
    return Language::Python;
  if (hasExtension(Path, {".c", ".cc", ".cpp", ".cxx", ".c++", ".C", ".cu", ".m", ".mm", ".h", ".hh", ".hpp",
                          ".hxx", ".h++", ".H", ".cuh", ".inl", ".ipp", ".tpp", ".txx", ".tcc"}))
    return Language::Cpp;
  if (ReadShebang && path::extension(Path).empty()) {
    std::string Why; // unreadable or not a regular file: not Python, and said when analysed
    auto Buf = readRegularFile(Path, MaxSourceBytes, Why);
    if (Buf) {
      llvm::StringRef First = (*Buf)->getBuffer().split('\n').first;
      if (First.consume_front("#!") && First.contains("python"))
        return Language::Python;
    }
  }
  return Language::Unknown;
}

/// Sources a directory walk picks up: headers are analysed through the files that include them.
static bool isWalkedSource(llvm::StringRef Name, Language &Lang) {
  if (hasExtension(Name, {".py"})) {
    Lang = Language::Python;
    return true;
  }
  if (hasExtension(Name, {".c", ".cc", ".cpp", ".cxx", ".c++", ".C", ".cu", ".m", ".mm"})) {
    Lang = Language::Cpp;
    return true;
  }
  return false;
}

namespace {

struct FileId {
  uint64_t Dev, Ino;
  bool operator<(const FileId &O) const { return std::tie(Dev, Ino) < std::tie(O.Dev, O.Ino); }
  bool operator==(const FileId &O) const { return Dev == O.Dev && Ino == O.Ino; }
};

class Walker {
public:
  Walker(WalkResult &Out, std::vector<InputError> &Errors, const WalkOptions &Opts)
      : Out(Out), Errors(Errors), Opts(Opts) {}

  void walkRoot(const std::string &Root) {
    std::vector<std::shared_ptr<GitignoreFile>> Ignores = ancestorGitignores(Root);
    std::vector<FileId> Chain;
    walkDir(Root, Ignores, Chain);
  }

private:
  std::optional<FileId> idOf(const std::string &P) {
    struct stat St;
    if (::stat(P.c_str(), &St) != 0)
      return std::nullopt;
    return FileId{(uint64_t)St.st_dev, (uint64_t)St.st_ino};
  }

  /// .gitignore files of the root's parents up to the top of its git work tree.
  std::vector<std::shared_ptr<GitignoreFile>> ancestorGitignores(const std::string &Root) {
    llvm::SmallString<256> Abs(Root);
    fs::make_absolute(Abs);
    path::remove_dots(Abs, true);
    std::vector<std::string> Parents;
    llvm::StringRef Dir = path::parent_path(Abs);
    bool InRepo = false;
    // The root itself may be the top of the work tree.
    {
      llvm::SmallString<256> Git(Abs);
      path::append(Git, ".git");
      if (fs::exists(Git))
        return {};
    }
    while (!Dir.empty()) {
      Parents.push_back(Dir.str());
      llvm::SmallString<256> Git(Dir);
      path::append(Git, ".git");
      if (fs::exists(Git)) {
        InRepo = true;
        break;
      }
      llvm::StringRef Up = path::parent_path(Dir);
      if (Up == Dir)
        break;
      Dir = Up;
    }
    std::vector<std::shared_ptr<GitignoreFile>> Out;
    if (!InRepo)
      return Out;
    for (auto It = Parents.rbegin(); It != Parents.rend(); ++It)
      if (auto G = load(*It))
        Out.push_back(G);
    return Out;
  }

  std::shared_ptr<GitignoreFile> load(const std::string &Dir) {
    llvm::SmallString<256> P(Dir);
    path::append(P, ".gitignore");
    std::string Why;
    auto Buf = readRegularFile(P, MaxSourceBytes, Why);
    if (!Buf) {
      // A .gitignore that is a FIFO or a device is reported; a missing one is the usual case.
      if (fs::exists(P) && !fs::is_directory(P))
        Errors.push_back({std::string(P), ".gitignore " + Why});
      return nullptr;
    }
    llvm::SmallString<256> Abs(Dir);
    fs::make_absolute(Abs);
    path::remove_dots(Abs, true);
    return std::make_shared<GitignoreFile>(std::string(Abs), (*Buf)->getBuffer());
  }

  bool ignored(const std::vector<std::shared_ptr<GitignoreFile>> &Ignores, llvm::StringRef AbsPath,
               bool IsDir) {
    int Verdict = 0;
    for (const auto &G : Ignores) {
      llvm::StringRef Rel = AbsPath;
      if (!Rel.consume_front(G->baseDir()) || !Rel.consume_front("/"))
        continue;
      if (int V = G->match(Rel, IsDir))
        Verdict = V;
    }
    return Verdict == 1;
  }

  void walkDir(const std::string &Dir, std::vector<std::shared_ptr<GitignoreFile>> Ignores,
               std::vector<FileId> &Chain) {
    auto Id = idOf(Dir);
    if (Id) {
      if (std::find(Chain.begin(), Chain.end(), *Id) != Chain.end()) {
        Errors.push_back({Dir, "symbolic link loop: it leads back to a folder that contains it; not followed"});
        return;
      }
      if (!Visited.insert(*Id).second)
        return; // reached again through another link: already walked
    }
    if (auto G = load(Dir))
      Ignores.push_back(G);
    llvm::SmallString<256> AbsDir(Dir);
    fs::make_absolute(AbsDir);
    path::remove_dots(AbsDir, true);

    std::vector<std::pair<std::string, fs::file_type>> Entries;
    std::error_code EC;
    for (fs::directory_iterator It(Dir, EC, /*follow_symlinks=*/false), End; It != End && !EC;
         It.increment(EC))
      Entries.emplace_back(It->path(), It->type());
    if (EC) {
      Errors.push_back({Dir, "cannot read the folder: " + EC.message()});
      return;
    }
    std::sort(Entries.begin(), Entries.end());
    if (Id)
      Chain.push_back(*Id);
    for (auto &[Path, Type] : Entries) {
      llvm::StringRef Name = path::filename(Path);
      llvm::SmallString<256> AbsPath(AbsDir);
      path::append(AbsPath, Name);
      if (Type == fs::file_type::symlink_file) {
        fs::file_status St;
        if (std::error_code SEC = fs::status(Path, St, /*follow=*/true)) {
          // A loop is worth saying whatever the link's name; a dangling link only when it
          // names a source file we would have analysed.
          Language L;
          if (SEC == std::errc::too_many_symbolic_link_levels || isWalkedSource(Name, L))
            Errors.push_back({Path, "cannot follow the symbolic link: " + SEC.message()});
          continue;
        }
        Type = St.type();
      }
      if (Type == fs::file_type::directory_file) {
        if (Name.front() == '.' || Name == "node_modules" || Name == "__pycache__")
          continue;
        llvm::SmallString<256> Venv(Path);
        path::append(Venv, "pyvenv.cfg");
        if (fs::exists(Venv) || ignored(Ignores, AbsPath, true) || (Opts.Excluded && Opts.Excluded(AbsPath, true)))
          continue;
        walkDir(Path, Ignores, Chain);
        continue;
      }
      Language L;
      if (!isWalkedSource(Name, L) || ignored(Ignores, AbsPath, false) ||
          (Opts.Excluded && Opts.Excluded(AbsPath, false)))
        continue;
      (L == Language::Python ? Out.Python : Out.Cpp).push_back(Path);
    }
    if (Id)
      Chain.pop_back();
  }

  WalkResult &Out;
  std::vector<InputError> &Errors;
  const WalkOptions &Opts;
  std::set<FileId> Visited;
};

} // namespace

WalkResult walkPaths(const std::vector<std::string> &Roots, std::vector<InputError> &Errors,
                     const WalkOptions &Opts) {
  WalkResult Out;
  Walker W(Out, Errors, Opts);
  for (const std::string &Root : Roots) {
    struct stat St;
    if (::stat(Root.c_str(), &St) != 0) {
      Errors.push_back({Root, "cannot open: " + std::error_code(errno, std::generic_category()).message()});
      continue;
    }
    if (S_ISDIR(St.st_mode)) {
      W.walkRoot(Root);
      continue;
    }
    switch (languageOf(Root, /*ReadShebang=*/true)) {
    case Language::Python:
      // Its stamp, for the stat index: the same stat as the index's own, taken earlier.
      Out.PythonStamps.resize(Out.Python.size());
      Out.Python.push_back(Root);
      Out.PythonStamps.push_back(FileStamp::fromStat(St));
      break;
    case Language::Cpp:
      Out.Cpp.push_back(Root);
      break;
    case Language::Unknown:
      Errors.push_back({Root, "not a Python or C/C++ file (by its extension or a python #! line); not analysed"});
      break;
    }
  }
  if (!Out.PythonStamps.empty())
    Out.PythonStamps.resize(Out.Python.size());
  return Out;
}

static std::string currentDir() {
  llvm::SmallString<256> Cwd;
  fs::current_path(Cwd);
  return std::string(Cwd);
}

static std::unique_ptr<GitignoreFile> patternsAt(const std::string &Base, const std::vector<std::string> &Patterns) {
  if (Patterns.empty())
    return nullptr;
  std::string Text;
  for (const std::string &P : Patterns)
    Text += P + "\n";
  return std::make_unique<GitignoreFile>(Base, Text);
}

/// A path matched against patterns based elsewhere is matched by its name alone.
static bool matches(const GitignoreFile &G, llvm::StringRef AbsPath, bool IsDir) {
  llvm::StringRef Rel = AbsPath;
  if (!(Rel.consume_front(G.baseDir()) && Rel.consume_front("/")))
    Rel = path::filename(AbsPath);
  return G.match(Rel, IsDir) == 1;
}

ExcludeFilter::ExcludeFilter(std::optional<std::vector<std::string>> Exclude,
                             std::vector<std::string> ExtendExclude, std::string ConfigFile)
    : CliReplaces(Exclude.has_value()), Configs(std::make_unique<ConfigFinder>(std::move(ConfigFile))) {
  std::vector<std::string> All = Exclude ? *Exclude : std::vector<std::string>();
  All.insert(All.end(), ExtendExclude.begin(), ExtendExclude.end());
  Cli = patternsAt(currentDir(), All);
}

ExcludeFilter::~ExcludeFilter() = default;

const GitignoreFile *ExcludeFilter::forConfig(const Config &C) {
  std::lock_guard<std::mutex> Lock(Mutex);
  auto It = ByConfig.find(&C);
  if (It == ByConfig.end()) {
    std::vector<std::string> All = CliReplaces ? std::vector<std::string>() : C.Exclude;
    All.insert(All.end(), C.ExtendExclude.begin(), C.ExtendExclude.end());
    It = ByConfig.emplace(&C, patternsAt(C.Root.empty() ? currentDir() : C.Root, All)).first;
  }
  return It->second.get();
}

bool ExcludeFilter::excluded(llvm::StringRef AbsPath, bool IsDir) {
  if (Cli && matches(*Cli, AbsPath, IsDir))
    return true;
  // Configuration errors are reported by the analysis, which reads the same files.
  std::vector<InputError> Ignored;
  std::shared_ptr<const Config> C = Configs->forFile(AbsPath, Ignored);
  const GitignoreFile *G = C ? forConfig(*C) : nullptr;
  return G && matches(*G, AbsPath, IsDir);
}

} // namespace forksafe
