#include "StatIndex.h"

#include "core/Cache.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <sys/stat.h>

namespace forksafe {

namespace {

constexpr llvm::StringLiteral Kind = "python-index";
constexpr llvm::StringLiteral Header = "forksafe-stat-index 1";
constexpr llvm::StringLiteral Footer = "end";

/// Fields are separated by tabs and records by newlines: a text holding either is not stored.
bool storable(llvm::StringRef S) { return S.find_first_of("\t\n") == llvm::StringRef::npos; }

int64_t nanoseconds(const struct timespec &T) { return int64_t(T.tv_sec) * 1000000000 + T.tv_nsec; }

} // namespace

std::optional<FileStamp> FileStamp::of(const std::string &Path) {
  struct stat St;
  if (::stat(Path.c_str(), &St) != 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return FileStamp(); // missing
    return std::nullopt;
  }
  return fromStat(St);
}

FileStamp FileStamp::fromStat(const struct ::stat &St) {
  FileStamp F;
  F.Exists = true;
  F.Dev = uint64_t(St.st_dev);
  F.Ino = uint64_t(St.st_ino);
  F.Mode = uint64_t(St.st_mode);
  F.Size = uint64_t(St.st_size);
#if defined(__APPLE__)
  F.MtimeNs = nanoseconds(St.st_mtimespec);
  F.CtimeNs = nanoseconds(St.st_ctimespec);
#else
  F.MtimeNs = nanoseconds(St.st_mtim);
  F.CtimeNs = nanoseconds(St.st_ctim);
#endif
  return F;
}

std::string FileStamp::str() const {
  if (!Exists)
    return "-";
  return std::to_string(Dev) + ":" + std::to_string(Ino) + ":" + std::to_string(Mode) + ":" +
         std::to_string(Size) + ":" + std::to_string(MtimeNs) + ":" + std::to_string(CtimeNs);
}

std::optional<FileStamp> FileStamp::parse(llvm::StringRef S) {
  FileStamp F;
  if (S == "-")
    return F;
  llvm::SmallVector<llvm::StringRef, 6> Parts;
  S.split(Parts, ':');
  if (Parts.size() != 6)
    return std::nullopt;
  unsigned long long U[4];
  for (int I = 0; I < 4; ++I)
    if (llvm::getAsUnsignedInteger(Parts[I], 10, U[I]))
      return std::nullopt;
  long long M, C;
  if (llvm::getAsSignedInteger(Parts[4], 10, M) || llvm::getAsSignedInteger(Parts[5], 10, C))
    return std::nullopt;
  F.Exists = true;
  F.Dev = U[0];
  F.Ino = U[1];
  F.Mode = U[2];
  F.Size = U[3];
  F.MtimeNs = M;
  F.CtimeNs = C;
  return F;
}

// The text: a header line; per project a line "P <config> <root> <only>" (tab-separated), its
// dependencies "D <stamp> <path>" and its empty files "F <stamp> <config> <import root> <path>";
// a footer line, so a truncated index is told from a short one.
std::string StatIndexData::serialize() const {
  std::string Out = Header.str() + "\n";
  for (const auto &[Key, P] : Projects) {
    auto [Root, Only] = llvm::StringRef(Key).split('\n');
    Out += "P\t" + P.Config + "\t" + Root.str() + "\t" + Only.str() + "\n";
    for (const auto &[Path, St] : P.Deps)
      Out += "D\t" + St.str() + "\t" + Path + "\n";
    for (const auto &[Path, E] : P.Files)
      Out += "F\t" + E.Stamp.str() + "\t" + E.Config + "\t" + E.ImportRoot + "\t" + Path + "\n";
  }
  Out += Footer.str() + "\n";
  return Out;
}

std::optional<StatIndexData> StatIndexData::parse(llvm::StringRef Text) {
  StatIndexData D;
  auto [First, Rest] = Text.split('\n');
  if (First != Header)
    return std::nullopt;
  ProjectRecord *Current = nullptr;
  while (true) {
    size_t End = Rest.find('\n');
    if (End == llvm::StringRef::npos)
      return std::nullopt; // no newline: truncated
    llvm::StringRef Line = Rest.take_front(End);
    Rest = Rest.drop_front(End + 1);
    if (Line == Footer)
      return Rest.empty() ? std::optional<StatIndexData>(std::move(D)) : std::nullopt;
    llvm::SmallVector<llvm::StringRef, 6> F;
    Line.split(F, '\t');
    if (F[0] == "P" && F.size() == 4) {
      std::string Key = (F[2] + "\n" + F[3]).str();
      if (D.Projects.count(Key))
        return std::nullopt;
      Current = &D.Projects[Key];
      Current->Config = F[1].str();
    } else if (F[0] == "D" && F.size() == 3 && Current && !F[2].empty()) {
      std::optional<FileStamp> St = FileStamp::parse(F[1]);
      if (!St)
        return std::nullopt;
      Current->Deps[F[2].str()] = *St;
    } else if (F[0] == "F" && F.size() == 5 && Current && !F[4].empty()) {
      std::optional<FileStamp> St = FileStamp::parse(F[1]);
      if (!St || !St->Exists)
        return std::nullopt;
      Current->Files[F[4].str()] = {*St, F[2].str(), F[3].str()};
    } else {
      return std::nullopt;
    }
  }
}

StatIndex::StatIndex(Cache &Store, llvm::StringRef RunConfig)
    : Store(Store), Key(cacheKey({Kind, RunConfig})) {
  StartNs = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  WindowNs = 2000000000;
  // The tests make files and run at once: without this, every stamp would be too recent.
  if (const char *W = std::getenv("FORKSAFE_TEST_RACY_WINDOW_MS"))
    WindowNs = int64_t(std::atoll(W)) * 1000000;
  if (std::optional<std::string> Text = Store.get(Kind, Key))
    if (std::optional<StatIndexData> D = StatIndexData::parse(*Text)) {
      LoadedText = std::move(*Text);
      Loaded = std::move(*D);
    }
  for (const auto &[P, R] : Loaded.Projects)
    for (const auto &F : R.Files)
      ProjectOfFile[F.first] = P;
}

std::string StatIndex::keyPath(const std::string &Name) {
  if (llvm::sys::path::is_absolute(Name))
    return storable(Name) ? Name : "";
  llvm::SmallString<256> Cwd;
  if (llvm::sys::fs::current_path(Cwd))
    return "";
  std::string P = Cwd.str().str() + "/" + Name;
  return storable(P) ? P : "";
}

bool StatIndex::projectHolds(const std::string &Project) {
  ProjectCheck *C;
  {
    std::lock_guard<std::mutex> Lock(Mu);
    std::unique_ptr<ProjectCheck> &Slot = Checked[Project];
    if (!Slot)
      Slot = std::make_unique<ProjectCheck>();
    C = Slot.get();
  }
  std::call_once(C->Once, [&] {
    auto P = Loaded.Projects.find(Project);
    if (P == Loaded.Projects.end())
      return;
    for (const auto &[Path, Was] : P->second.Deps) {
      std::optional<FileStamp> Now = FileStamp::of(Path);
      if (!Now || *Now != Was)
        return;
    }
    C->Holds = true;
  });
  return C->Holds;
}

bool StatIndex::answersEmpty(const std::string &Path, const FileStamp &St, llvm::StringRef Config,
                             const std::string &Project, llvm::StringRef ImportRoot) {
  auto P = Loaded.Projects.find(Project);
  if (P == Loaded.Projects.end())
    return false;
  auto E = P->second.Files.find(Path);
  if (E == P->second.Files.end() || E->second.Stamp != St || E->second.Config != Config ||
      E->second.ImportRoot != ImportRoot || St.racy(StartNs, WindowNs))
    return false;
  if (!projectHolds(Project))
    return false;
  ++Answered;
  return true;
}

void StatIndex::recordDependency(const std::string &Project, llvm::StringRef Path) {
  std::string P = Path.str();
  std::optional<FileStamp> St = FileStamp::of(P);
  std::lock_guard<std::mutex> Lock(Mu);
  Recorded &R = ThisRun[Project];
  if (!St || !storable(P) || St->racy(StartNs, WindowNs)) {
    R.Unusable = true;
    return;
  }
  auto [It, New] = R.Deps.emplace(std::move(P), *St);
  if (!New && It->second != *St)
    R.Unusable = true; // changed while the run read it
}

void StatIndex::recordProject(const std::string &Project, llvm::StringRef Config) {
  std::lock_guard<std::mutex> Lock(Mu);
  Recorded &R = ThisRun[Project];
  if (R.Config && *R.Config != Config)
    R.Unusable = true;
  R.Config = Config.str();
}

void StatIndex::recordResult(const std::string &Path, const FileStamp &St, llvm::StringRef Config,
                             const std::string &Project, llvm::StringRef ImportRoot, bool Empty) {
  Results.push_back({Path, St, Config.str(), Project, ImportRoot.str(), Empty});
  ThisRun[Project]; // its record is made again when it no longer holds
}

bool StatIndex::unchanged() {
  if (LoadedText.empty())
    return false;
  // Each project this run recorded: its record holds, with the same configuration, and holds
  // every dependency it read, with the same stamp.
  for (const auto &[Project, R] : ThisRun) {
    auto Old = Loaded.Projects.find(Project);
    if (Old == Loaded.Projects.end() || R.Unusable || !projectHolds(Project) ||
        (R.Config && *R.Config != Old->second.Config))
      return false;
    for (const auto &[Path, St] : R.Deps) {
      auto D = Old->second.Deps.find(Path);
      if (D == Old->second.Deps.end() || D->second != St)
        return false;
    }
  }
  // Each result: kept as it was, or neither kept before nor now.
  for (const Result &Res : Results) {
    bool Keep = Res.Empty && storable(Res.Config) && storable(Res.ImportRoot) &&
                !Res.Stamp.racy(StartNs, WindowNs) && Res.Stamp.Exists;
    auto Was = ProjectOfFile.find(Res.Path);
    if (Was == ProjectOfFile.end()) {
      if (Keep)
        return false;
      continue;
    }
    if (!Keep || Was->second != Res.Project)
      return false;
    auto P = Loaded.Projects.find(Res.Project);
    if (P == Loaded.Projects.end())
      return false;
    auto E = P->second.Files.find(Res.Path);
    if (E == P->second.Files.end() || E->second.Stamp != Res.Stamp ||
        E->second.Config != Res.Config || E->second.ImportRoot != Res.ImportRoot)
      return false;
  }
  return true;
}

bool StatIndex::save() {
  // A warm run that answered (nearly) every file changes nothing: the index is not copied,
  // serialised and compared (10,000 entries).
  if (unchanged())
    return false;
  StatIndexData Out = Loaded;
  // A project of this run: its record grows by what this run read when the record still
  // holds (the files it answered for rely on it), else it starts again from this run's.
  for (auto &[Project, R] : ThisRun) {
    auto Old = Loaded.Projects.find(Project);
    bool Keep = Old != Loaded.Projects.end() && projectHolds(Project) &&
                (!R.Config || *R.Config == Old->second.Config);
    StatIndexData::ProjectRecord &Rec = Out.Projects[Project];
    if (!Keep)
      Rec = {};
    if (R.Config)
      Rec.Config = *R.Config;
    bool Usable = !R.Unusable;
    for (const auto &[Path, St] : R.Deps) {
      auto [It, New] = Rec.Deps.emplace(Path, St);
      if (!New && It->second != St)
        Usable = false;
    }
    if (!Usable)
      Out.Projects.erase(Project);
  }
  for (const Result &Res : Results) {
    auto Was = ProjectOfFile.find(Res.Path);
    if (Was != ProjectOfFile.end()) {
      auto P = Out.Projects.find(Was->second);
      if (P != Out.Projects.end())
        P->second.Files.erase(Res.Path);
    }
    if (!Res.Empty || !storable(Res.Config) || !storable(Res.ImportRoot) ||
        Res.Stamp.racy(StartNs, WindowNs) || !Res.Stamp.Exists)
      continue;
    auto P = Out.Projects.find(Res.Project);
    // In whole-program mode a file is kept only in a project made with its configuration.
    if (P == Out.Projects.end() || (Res.Project != "\n" && P->second.Config != Res.Config))
      continue;
    P->second.Files[Res.Path] = {Res.Stamp, Res.Config, Res.ImportRoot};
  }
  // Projects left with nothing to answer for are not kept, nor those whose key could not be
  // read back (a root with a tab).
  for (auto It = Out.Projects.begin(); It != Out.Projects.end();) {
    llvm::StringRef Key = It->first;
    if (It->second.Files.empty() || Key.count('\n') != 1 || Key.count('\t') || !storable(It->second.Config))
      It = Out.Projects.erase(It);
    else
      ++It;
  }
  std::string Text = Out.serialize();
  if (Text == LoadedText || (LoadedText.empty() && Out.Projects.empty()))
    return false;
  Store.put(Kind, Key, Text);
  return true;
}

} // namespace forksafe
