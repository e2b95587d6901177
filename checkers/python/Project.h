//===--- Project.h - The modules of a Python project and their summaries -----===//
//
// The project around a file: its root (the nearest folder with pyproject.toml, setup.py,
// setup.cfg or .git, else the top of the file's package), the folders imports are resolved
// from (the file's own import root, the project root and its src/), and the modules found
// there. Modules are parsed and summarised on demand, once per run, when an analysis
// reaches them through an import; third-party packages and the standard library stay
// modelled by the API table.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_PYTHON_PROJECT_H
#define FORKSAFE_PYTHON_PROJECT_H

#include "core/InputFile.h"
#include "python/ApiTable.h"
#include "python/SemanticModel.h"
#include "python/Summary.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

namespace forksafe {
class Cache;
struct Config;
namespace python {

class TriggerWords;

/// A module's text and its parse, made for its summary and handed to the analysis of the same
/// file in the same run (parsed once, not twice).
struct ParsedModule {
  std::string Text;
  SyntaxTree Tree; ///< of Text (its source points into Text's buffer)
};

/// What one read of a module's file tells without a parse. Made once per run by whoever reads
/// the file first (the first pass over a run's files, a module's facts, a summary), and
/// looked at again at most once a second, as summaries are: most modules are read for a
/// glance at their words and imports, and each glance used to read the file again.
struct TextRecord {
  bool Read = false;   ///< a regular file within the size limit, read
  bool NoNul = false;  ///< read, without NUL bytes: its words and imports are in its bytes
  /// Read, and its text (as decodePythonSource gives it) is its bytes: UTF-8 without a BOM, a
  /// PEP 263 encoding or a lone carriage return.
  bool Plain = false;
  uint32_t Needs = 0;      ///< with NoNul: the project's TriggerWords::needsIn of its bytes
  uint64_t WordsFingerprint = 0; ///< of those words
  bool HasForksafe = false;      ///< "forksafe" in it (suppression comments to check)
  bool ImportsWhole = true;      ///< every import statement could be read whole
  std::string Imports; ///< each import statement as forEachImport gives it, one per line
  llvm::sys::TimePoint<> Modified;
  uint64_t Size = 0;
  std::chrono::steady_clock::time_point Checked;
};

/// Which effects of the project's modules a question counts.
enum class ProjectEffects {
  Any,       ///< anything a summary holds
  Processes, ///< forks, process starts, hand-offs to process APIs, start methods
};

/// What the analysis of one module asks of the rest of the project. Records what it was
/// given, for digest().
class ProjectLink {
public:
  virtual ~ProjectLink();
  /// The summary of the project function a qualified name names ("pkg.mod.f", "pkg.mod.C"
  /// for C.__init__, "pkg.mod.C.m"), through re-exports; null when it is not the project's.
  /// Kind Processes: a summary that tells at least its effects on processes (see module).
  virtual const FunctionSummary *function(llvm::StringRef Qualified, ProjectEffects Kind) = 0;
  const FunctionSummary *function(llvm::StringRef Qualified) {
    return function(Qualified, ProjectEffects::Any);
  }
  /// What importing the project module Name does; null when it is not the project's.
  /// Kind Processes: a summary of which only the effects on processes count
  /// (FunctionSummary::touchesProcesses, its re-exports): the whole one when it is at hand,
  /// else one made with the same kind of summaries of what the module imports, so that
  /// a question about processes does not summarise every module that starts a thread.
  virtual const ModuleSummary *module(llvm::StringRef Name, ProjectEffects Kind) = 0;
  const ModuleSummary *module(llvm::StringRef Name) { return module(Name, ProjectEffects::Any); }
  /// The kind of summaries this link hands out whatever is asked: Processes for the link of
  /// a summary made for questions about processes.
  virtual ProjectEffects answers() const { return ProjectEffects::Any; }
  /// Whether the project has a module Name (no parse).
  virtual bool hasModule(llvm::StringRef Name) const = 0;
  /// The dotted name of the analysed module ("" for a script outside any package) and
  /// whether it is a package's __init__.py: relative imports resolve against them.
  virtual llvm::StringRef moduleName() const = 0;
  virtual bool isPackage() const = 0;
  /// Each module whose summary was handed out so far (directly, or to find a function), with
  /// the digest of that summary ("" when the module had none); "~pkg.mod" for a summary of
  /// its effects on processes, "!pkg.mod" for its textual facts (mayTouchProcesses).
  virtual std::vector<std::pair<std::string, std::string>> dependencies() const = 0;
  /// The digest of module Name's summary now ("" when it has none).
  virtual std::string moduleDigest(llvm::StringRef Name) = 0;
  /// The record of the analysed file (read now, unless another question read it already in
  /// this run); null when there is no such file.
  virtual std::shared_ptr<const TextRecord> ownRecord() { return nullptr; }
  /// The parse of the analysed file that its summary left for it, once; null when none.
  virtual std::unique_ptr<ParsedModule> takeParse() { return nullptr; }
  /// Whether importing the project module Name or calling its functions may fork, start
  /// processes, hand a callable to a process API or set the start method, as far as its text
  /// tells without a parse: false when it names words of a summary (threads, CUDA) but none
  /// of those, and nothing of the project it imports and names may (importsProjectEffects).
  /// True: its summary tells (also whenever that summary is at hand already). Recorded as a
  /// dependency ("!Name", whose digest covers the answer and boundBy's).
  virtual bool mayTouchProcesses(llvm::StringRef Name) { return true; }
  /// For a module of which mayTouchProcesses is false: what Bound, a name its imports bind,
  /// stands for ("pkg.helpers" for `from pkg import helpers`; with `from x import *`, x.Bound
  /// too). Empty when nothing.
  virtual std::vector<std::string> boundBy(llvm::StringRef Name, llvm::StringRef Bound) {
    return {};
  }
  /// For such a module: each name its imports bind and what it stands for, and the modules
  /// whose names star imports bind (as "*module").
  virtual std::vector<std::pair<std::string, std::string>> bindingsOf(llvm::StringRef Name) {
    return {};
  }

  /// importsProjectEffects' answer for Source and Kind, remembered (the pre-filter, each rule
  /// and the flow walk ask it of the same file).
  std::optional<bool> importsEffects(llvm::StringRef Source, unsigned Kind) const {
    const Remembered &R = Known[Kind];
    if (R.Of.data() == Source.data() && R.Of.size() == Source.size())
      return R.Found;
    return std::nullopt;
  }
  void setImportsEffects(llvm::StringRef Source, unsigned Kind, bool Found) {
    Known[Kind] = {Source, Found};
  }
  /// The import statements of the last text importsProjectEffects read through this link,
  /// one per line (its questions of each kind read them once).
  struct TextImports {
    llvm::StringRef Of;
    std::string Lines;
    bool Whole = true; ///< every statement could be read whole
  };
  TextImports &textImports() { return LastText; }

private:
  struct Remembered {
    llvm::StringRef Of;
    bool Found = false;
  };
  Remembered Known[2];
  TextImports LastText;
};

/// The words a source text's code holds (comments and string literals left out: a name in a
/// docstring calls nothing), read on first use.
class UsedWords {
public:
  explicit UsedWords(llvm::StringRef Text) : Text(Text) {}
  /// The words of the file at File, read on first use (when it cannot be read, every word
  /// counts).
  static UsedWords ofFile(std::string File) {
    UsedWords W("");
    W.File = std::move(File);
    return W;
  }
  bool has(llvm::StringRef Word);

private:
  llvm::StringRef Text;
  std::string File;
  std::unique_ptr<llvm::MemoryBuffer> Owned; ///< File's bytes, once read
  bool Built = false, Unknown = false;
  llvm::DenseSet<llvm::StringRef> Words;
};

/// Whether Source (by a textual scan of its import statements, no parse) imports something
/// of the project whose summary is not empty, or may (an import the scan cannot read
/// whole): a module whose import runs effects, a function or class with effects, or a
/// module object of which Source names a function, class or re-export with effects.
/// Summarises those modules through Link, which records them as dependencies. A file or
/// module that imports none has nothing from the project to judge: it is analysed as if
/// alone. Unused (when given) receives the module objects with effects that Source binds
/// but names nothing of (bound name -> module), for the summary of a module not parsed.
/// Kind Processes: only effects on processes count (FunctionSummary::touchesProcesses, and an
/// import that sets the start method): a file that names no fork, process or start method
/// itself can get a finding only through those.
bool importsProjectEffects(llvm::StringRef Source, ProjectLink &Link,
                           llvm::StringMap<std::string> *Unused = nullptr,
                           ProjectEffects Kind = ProjectEffects::Any);

/// importsProjectEffects for a file known by its record: its import statements, and its words
/// read from File when they are needed.
bool importsProjectEffects(const TextRecord &R, const std::string &File, ProjectLink &Link,
                           llvm::StringMap<std::string> *Unused = nullptr,
                           ProjectEffects Kind = ProjectEffects::Any);

/// Whether what Qualified names in the project (a module, or a function or class of one,
/// through re-exports) does something a rule judges when imported or called. InCycle: the
/// answer for a module still being summarised. Used (when given): for a module object, only
/// the functions, classes and re-exports whose names are among these words count.
bool nameHasEffects(ProjectLink &Link, llvm::StringRef Qualified, bool InCycle,
                    unsigned Depth = 0, UsedWords *Used = nullptr,
                    ProjectEffects Kind = ProjectEffects::Any);

/// The absolute name a relative import names: `..util` in module `pkg.sub.mod` is
/// `pkg.util`. "" when it leaves the top package.
std::string resolveRelative(llvm::StringRef ModuleName, bool IsPackage, llvm::StringRef Dotted);

/// The qualified name of what Expr names in scope S, also for names bound by relative
/// imports (resolved against Link's module): `helpers.start` with `from . import helpers`
/// in `pkg.main` -> "pkg.helpers.start". "" when it is no imported name.
std::string linkedName(const SemanticModel &M, Node Expr, unsigned S, const ProjectLink &Link);

/// The qualified name of the project function call C calls: its callee's linked name, or,
/// for `obj.m()` where obj was made in the same function or at module level by calling a
/// class of a project module (`srv = server.Server()`), that class's method
/// ("pkg.server.Server.m"). "" when unknown.
std::string linkedCallee(const SemanticModel &M, const CallSite &C, const ProjectLink &Link);

/// What an import binding stands for, relative imports resolved: "" when unknown.
std::string importedName(const SemanticModel &M, const Binding &B, const ProjectLink &Link);

/// The modules an import statement runs, outermost package first (`import a.b` runs a,
/// then a.b; `from . import x` runs the package, then `pkg.x` when that is a module).
std::vector<std::string> importedModules(const SemanticModel &M, Node ImportStatement,
                                         const ProjectLink &Link);

/// What a summary throws instead of waiting for a module another thread is summarising, on a
/// thread that summarises none itself, while a DeferBusySummaries lives on it: the caller
/// looks at its file again later instead of waiting.
struct SummaryBusy {};

/// While it lives, summaries this thread would wait for at the top of its work (it
/// summarises no module itself: nothing half made is left behind) throw SummaryBusy.
class DeferBusySummaries {
public:
  DeferBusySummaries();
  ~DeferBusySummaries();
  DeferBusySummaries(const DeferBusySummaries &) = delete;
  DeferBusySummaries &operator=(const DeferBusySummaries &) = delete;

private:
  bool Was;
};

class Project {
public:
  /// The root of the project that File (a path) belongs to, and the folder its imports
  /// resolve from first (the parent of its top package, or its own folder for a script).
  struct Layout {
    std::string Root;
    std::string ImportRoot;
    /// In an installation folder (site-packages, dist-packages, the standard library's):
    /// the one top-level package (or module) that is the project; the others are
    /// third-party.
    std::string Only;
    std::string File; ///< the file, as an absolute path
  };
  static Layout layoutOf(llvm::StringRef File);

  Project(std::string Root, std::shared_ptr<const Config> Cfg, std::string Only = "");
  ~Project();
  const std::string &root() const { return Root; }
  const ApiTable &api() const { return *Api; }

  /// A link for analysing the file at Path (in this project). The link keeps the project
  /// alive only as long as the project does. Without RecordDependencies its dependencies()
  /// are empty: for questions whose answers no cache entry keeps (the first pass's).
  std::unique_ptr<ProjectLink> linkFor(llvm::StringRef Path, bool RecordDependencies = true);
  /// The same for the file whose layout (layoutOf) is L.
  std::unique_ptr<ProjectLink> linkFor(const Layout &L, bool RecordDependencies = true);

  /// The record of the module file File (an absolute path), read now unless it was read
  /// within the last second or is unchanged since; Bytes (when given) receives what was read
  /// now (null when the record was at hand).
  std::shared_ptr<const TextRecord> record(const std::string &File,
                                           std::unique_ptr<llvm::MemoryBuffer> *Bytes = nullptr);
  /// Files read for records so far (for tests).
  unsigned recordsRead() const { return RecordsRead; }

  /// Modules parsed for their summaries so far (for tests and the benchmark).
  unsigned modulesLoaded() const { return Loaded; }

  /// The files this run analyses (absolute paths; null: none known, as in an editor). A
  /// module among them that is parsed for its summary and may concern a rule keeps its parse
  /// for its own analysis (takeParse), within a budget.
  void setInputs(std::shared_ptr<const llvm::StringSet<>> Files) { Inputs = std::move(Files); }
  /// The parse kept for File (see setInputs), once.
  std::unique_ptr<ParsedModule> takeParse(const std::string &File);
  /// The parse kept for File when it is of Text, lent to a summary of the other kind (a
  /// module summarised for questions about processes, then whole): returnParse gives it
  /// back for the file's analysis, which meanwhile parses for itself if it comes first.
  std::unique_ptr<ParsedModule> borrowParse(const std::string &File, llvm::StringRef Text);
  void returnParse(const std::string &File, std::unique_ptr<ParsedModule> Parse);
  /// Keeps a summary's parse of File for its analysis when setInputs allows it and the file
  /// will be analysed (a word of a rule, or imports with effects as Own, its link, finds).
  void keepParse(const std::string &File, std::string &&Text, SyntaxTree &&Tree,
                 ProjectLink *Own = nullptr);

  /// Keep module summaries between runs in Store (null: no cache). An entry is keyed by the
  /// module's bytes, path, name and layout, the configuration and the forksafe build, and
  /// records the digests of the summaries it was made with; it is used only while each is
  /// unchanged.
  void setCache(Cache *C) { Store = C; }

  /// Called with each file read for a summary and each folder listed (or found missing, or
  /// asked for existence) to resolve a module, just before it is read: what this project's
  /// answers depend on (the driver's stat index records them). Called from any thread.
  void setObserver(std::function<void(llvm::StringRef Path)> O) { Observer = std::move(O); }
  /// The digest of the configuration the project was made with ("" when none).
  std::string configDigest() const;

  using Keeper = std::vector<std::shared_ptr<const ModuleSummary>>;

private:
  friend class FileLink;
  struct Module;
  /// The file of module Name and the folder it was found in, searching ImportRoot first;
  /// empty when the project has no such module.
  std::pair<std::string, std::string> findModule(llvm::StringRef Name,
                                                 llvm::StringRef ImportRoot) const;
  /// findModule's answer, kept (a reference into Found, valid while the project lives).
  const std::pair<std::string, std::string> &foundModule(llvm::StringRef Name,
                                                         llvm::StringRef ImportRoot) const;
  /// What a link resolves Name to: null for a module of the API table, else foundModule's
  /// answer. Remembered per thread for the project and import root it last asked about,
  /// across links: the links of one package's files, facts and summaries resolve the same
  /// names, and each link's own memo starts empty.
  const std::pair<std::string, std::string> *resolveModule(llvm::StringRef Name,
                                                           llvm::StringRef ImportRoot) const;
  std::pair<std::string, std::string> searchModule(llvm::StringRef Name,
                                                   llvm::StringRef ImportRoot) const;
  bool exists(const std::string &Path) const;
  /// The names in folder Dir, listed once (empty when it does not exist; null when it
  /// cannot be listed). Under SearchMu.
  const llvm::StringSet<> *listingOf(llvm::StringRef Dir) const;
  /// The summary of the module in File (named Name as imported); computed once per run
  /// (again when the file changed since), by one thread while others wait for it; null
  /// inside an import cycle.
  const ModuleSummary *summaryOf(const std::string &File, llvm::StringRef Name,
                                 llvm::StringRef ImportRoot, Keeper &Keep,
                                 ProjectEffects Kind = ProjectEffects::Any);
  /// Whether thread Owner waits, directly or through other threads, for a module this thread
  /// summarises (under ModulesMu).
  bool waitsForMe(std::thread::id Owner) const;
  std::optional<ModuleSummary> cachedSummary(const std::string &Key, ProjectLink &Link);
  void storeSummary(const std::string &Key, const ModuleSummary &S,
                    const std::vector<std::pair<std::string, std::string>> &Deps);
  /// The digest of a summary this project made (computed once).
  const std::string &digest(const ModuleSummary &S);
  const FunctionSummary *function(llvm::StringRef Qualified, llvm::StringRef ImportRoot,
                                  std::map<std::string, std::string> &Deps, Keeper &Keep,
                                  unsigned Depth, ProjectEffects Kind);
  struct ProcessFacts;
  /// What the module in File (named Name as imported, found in ImportRoot) may do to
  /// processes, known from its text (ProjectLink::mayTouchProcesses); made once, again when
  /// the file changed (looked at at most once a second, as summaries are).
  std::shared_ptr<const ProcessFacts> processFacts(const std::string &File, llvm::StringRef Name,
                                                   llvm::StringRef ImportRoot);
  static void finishFacts(ProcessFacts &F);
  /// Whether File's summary of Kind was made in this run and holds still (no parse, no
  /// wait).
  bool summaryAtHand(const std::string &File, ProjectEffects Kind = ProjectEffects::Any);
  /// Whether a summary of File of either kind is at hand (one look, one lock).
  bool anySummaryAtHand(const std::string &File);
  /// The kind of summary to make of File for a question of Kind: the whole one when it is
  /// at hand (it tells about processes as well).
  ProjectEffects kindToMake(const std::string &File, ProjectEffects Kind) {
    return Kind == ProjectEffects::Processes && summaryAtHand(File) ? ProjectEffects::Any : Kind;
  }

  /// This project's number among the projects this process made (never reused: a thread's
  /// memo of resolveModule's answers names the project by it).
  const uint64_t Serial;
  std::string Root;
  std::string Only; ///< Layout::Only
  std::vector<std::string> Roots; ///< the root, its src/
  std::shared_ptr<const Config> Cfg;
  std::unique_ptr<ApiTable> OwnedApi;
  const ApiTable *Api;
  std::unique_ptr<TriggerWords> Words; ///< a module without them has nothing to summarise
  std::mutex ModulesMu;    ///< Modules, ProcessModules, each Module's fields, Waiting
  /// Each file's finished summary of each kind, and when it was last made or found
  /// unchanged: what summaryAtHand and summaryOf answer with for a second, asked for every
  /// module each link meets, without ModulesMu (which a summary in the making holds for its
  /// bookkeeping). Changed under ModulesMu and AtHandMu, read under AtHandMu.
  struct AtHandEntry {
    std::chrono::steady_clock::time_point Checked;
    std::shared_ptr<const ModuleSummary> Summary;
  };
  mutable std::shared_mutex AtHandMu;
  llvm::StringMap<AtHandEntry> AtHand[2];
  /// The summary of File of Kind when it is at hand (made or checked within the last
  /// second), else null.
  std::shared_ptr<const ModuleSummary> summaryIfAtHand(const std::string &File,
                                                       ProjectEffects Kind);
  /// Records Mod (the summary of File of Kind) in AtHand as it is now. Under ModulesMu.
  void noteAtHand(const std::string &File, ProjectEffects Kind, const Module &Mod);
  std::condition_variable Finished; ///< a module's summary was finished
  /// The module each thread waits for (to find waits that would never end).
  std::map<std::thread::id, const Module *> Waiting;
  /// Found: looked up under a shared lock by every link of every thread, changed under an
  /// exclusive one; the search that fills an entry (a listing, a stat) runs under SearchMu
  /// alone, so that the look-ups do not wait for the file system.
  mutable std::shared_mutex FoundMu;
  mutable std::mutex SearchMu; ///< searchModule, Listings
  std::mutex DigestMu;     ///< the digests summaries keep
  /// By file: whole summaries, and summaries of effects on processes.
  llvm::StringMap<std::unique_ptr<Module>> Modules, ProcessModules;
  llvm::StringMap<std::unique_ptr<Module>> &modulesOf(ProjectEffects Kind) {
    return Kind == ProjectEffects::Any ? Modules : ProcessModules;
  }
  /// The names in each folder asked about (null: the folder could not be listed).
  mutable llvm::StringMap<std::unique_ptr<llvm::StringSet<>>> Listings;
  /// findModule's answers, by import root and name (a file made during a run is not seen).
  mutable llvm::StringMap<std::pair<std::string, std::string>> Found;
  std::mutex FactsMu; ///< Facts
  /// processFacts' answers, by import root and file.
  llvm::StringMap<std::shared_ptr<const ProcessFacts>> Facts;
  std::atomic<unsigned> Loaded{0};
  std::mutex RecordsMu; ///< Records
  llvm::StringMap<std::shared_ptr<const TextRecord>> Records; ///< by file
  std::atomic<unsigned> RecordsRead{0};
  Cache *Store = nullptr;
  std::shared_ptr<const llvm::StringSet<>> Inputs;
  std::function<void(llvm::StringRef)> Observer; ///< setObserver
  /// Parses kept for the analysis of their files (under ModulesMu), and the bytes they hold.
  std::map<std::string, std::unique_ptr<ParsedModule>> KeptParses;
  size_t KeptBytes = 0;
  std::set<std::string> ParseTaken; ///< files whose analysis asked (kept no more)
};

/// The project of each root, made on first use (thread-safe).
class ProjectSet {
public:
  std::shared_ptr<Project> forFile(llvm::StringRef File, std::shared_ptr<const Config> Cfg);
  /// forFile(File, Cfg)->linkFor(File, RecordDependencies), with one look at File's layout.
  std::unique_ptr<ProjectLink> linkFor(llvm::StringRef File, std::shared_ptr<const Config> Cfg,
                                       bool RecordDependencies);
  /// The cache the projects made from now on keep their summaries in (null: none).
  void setCache(Cache *C) {
    std::lock_guard<std::mutex> Lock(Mu);
    Store = C;
  }
  /// The files of this run, for the projects made from now on (Project::setInputs).
  void setInputs(const std::vector<std::string> &Files);
  /// What each project made from now on reads (Project::setObserver), with the project's key.
  void setObserver(std::function<void(const std::string &Key, llvm::StringRef Path)> O) {
    std::lock_guard<std::mutex> Lock(Mu);
    Observer = std::move(O);
  }
  /// The key of the project File belongs to: its root and Layout::Only.
  static std::string keyOf(const Project::Layout &L) { return L.Root + "\n" + L.Only; }

private:
  std::shared_ptr<Project> forLayout(const Project::Layout &L, std::shared_ptr<const Config> Cfg);
  Cache *Store = nullptr;
  std::function<void(const std::string &, llvm::StringRef)> Observer;
  std::shared_ptr<const llvm::StringSet<>> Inputs;
  std::mutex Mu;
  std::map<std::string, std::shared_ptr<Project>> ByRoot;
};

} // namespace python
} // namespace forksafe

#endif
