//===--- PythonProjectTest.cpp - The project model and its summaries --------===//
//
// Roots and module names, relative imports, summaries computed once per run, and the digest
// of linked summaries that per-file results are cached by.
//
//===----------------------------------------------------------------------===//
#include "core/Cache.h"
#include "core/CheckGlobs.h"
#include "core/StringCompat.h"
#include "python/Project.h"
#include "python/PythonAnalyzer.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

using namespace forksafe;
using namespace forksafe::python;

namespace {

/// A temporary folder with files, removed at the end.
class Tree {
public:
  Tree() {
    llvm::SmallString<128> P;
    llvm::sys::fs::createUniqueDirectory("forksafe-project", P);
    Root = P.str().str();
  }
  ~Tree() { llvm::sys::fs::remove_directories(Root); }
  void write(const std::string &Rel, llvm::StringRef Text) {
    std::string Path = Root + "/" + Rel;
    llvm::sys::fs::create_directories(llvm::StringRef(Path).rsplit('/').first);
    std::error_code EC;
    llvm::raw_fd_ostream OS(Path, EC);
    OS << Text;
  }
  std::string Root;
};

/// Analyses Source as the file Name of a fresh project at T's root with the checks of
/// Enabled; Loaded (when given) receives the number of modules parsed for summaries. Returns
/// what the analysis consumed of the project.
std::vector<std::pair<std::string, std::string>>
analyseInFreshProject(const Tree &T, const CheckGlobs &Enabled, const std::string &Name,
                      llvm::StringRef Source, std::vector<Diagnostic> &Diags,
                      unsigned *Loaded = nullptr) {
  Project P(T.Root, nullptr);
  auto Link = P.linkFor(T.Root + "/" + Name);
  AnalyzeOptions Opts;
  Opts.Enabled = &Enabled;
  Opts.Link = Link.get();
  std::vector<InputError> Errors;
  analyze(T.Root + "/" + Name, Source, Opts, Diags, Errors);
  if (Loaded)
    *Loaded = P.modulesLoaded();
  return consumedSummaries(Opts);
}

/// A project with the package pkg, whose module starter starts a process pool in
/// start_workers.
void writeStarterPackage(Tree &T) {
  T.write("pyproject.toml", "");
  T.write("pkg/__init__.py", "");
  T.write("pkg/starter.py", "import multiprocessing as mp\n\n"
                            "def start_workers(fn):\n"
                            "    with mp.Pool() as pool:\n"
                            "        return pool.map(fn, [1])\n");
}

TEST(PythonProject, RelativeImports) {
  EXPECT_EQ(resolveRelative("pkg.sub.mod", false, ".util"), "pkg.sub.util");
  EXPECT_EQ(resolveRelative("pkg.sub.mod", false, "..util"), "pkg.util");
  EXPECT_EQ(resolveRelative("pkg.sub", true, ".mod"), "pkg.sub.mod");
  EXPECT_EQ(resolveRelative("pkg.sub", true, "."), "pkg.sub");
  EXPECT_EQ(resolveRelative("pkg.mod", false, "..."), "");
  EXPECT_EQ(resolveRelative("pkg.mod", false, "os.path"), "os.path");
}

TEST(PythonProject, LayoutFindsRootAndImportRoot) {
  Tree T;
  T.write("pyproject.toml", "");
  T.write("src/pkg/__init__.py", "");
  T.write("src/pkg/sub/__init__.py", "");
  T.write("src/pkg/sub/mod.py", "");
  T.write("scripts/run.py", "");
  Project::Layout L = Project::layoutOf(T.Root + "/src/pkg/sub/mod.py");
  EXPECT_EQ(L.Root, T.Root);
  EXPECT_EQ(L.ImportRoot, T.Root + "/src");
  L = Project::layoutOf(T.Root + "/scripts/run.py");
  EXPECT_EQ(L.Root, T.Root);
  EXPECT_EQ(L.ImportRoot, T.Root + "/scripts");
  // A script finds the package under src/ through the project's roots.
  Project P(T.Root, nullptr);
  auto Link = P.linkFor(T.Root + "/scripts/run.py");
  EXPECT_EQ(Link->moduleName(), "run");
  EXPECT_TRUE(Link->hasModule("pkg.sub.mod"));
  EXPECT_FALSE(Link->hasModule("pkg.missing"));
  auto ModLink = P.linkFor(T.Root + "/src/pkg/sub/mod.py");
  EXPECT_EQ(ModLink->moduleName(), "pkg.sub.mod");
  EXPECT_FALSE(ModLink->isPackage());

  // A folder without __init__.py in an installation is the installation's; the markers
  // around the installation (a pyenv checkout's .git) say nothing about it.
  T.write(".git/HEAD", "");
  T.write("lib/site-packages/google/protobuf/__init__.py", "");
  T.write("lib/site-packages/google/protobuf/message.py", "");
  T.write("lib/site-packages/tool/__init__.py", "");
  T.write("lib/site-packages/tool/data/schemas/aws.py", "");
  std::string Site = T.Root + "/lib/site-packages";
  // A namespace package: google has no __init__.py.
  L = Project::layoutOf(Site + "/google/protobuf/message.py");
  EXPECT_EQ(L.Root, Site);
  EXPECT_EQ(L.ImportRoot, Site);
  EXPECT_EQ(L.Only, "google");
  // A data folder of a distribution, without __init__.py.
  L = Project::layoutOf(Site + "/tool/data/schemas/aws.py");
  EXPECT_EQ(L.Root, Site);
  EXPECT_EQ(L.ImportRoot, Site);
  EXPECT_EQ(L.Only, "tool");
  Project Tool(L.Root, nullptr, L.Only);
  EXPECT_EQ(Tool.linkFor(Site + "/tool/data/schemas/aws.py")->moduleName(),
            "tool.data.schemas.aws");
  // Outside an installation, the nearest marker decides as before.
  T.write("proj/scripts/run.py", "");
  L = Project::layoutOf(T.Root + "/proj/scripts/run.py");
  EXPECT_EQ(L.Root, T.Root);
  EXPECT_EQ(L.ImportRoot, T.Root + "/proj/scripts");
  EXPECT_EQ(L.Only, "");
}

TEST(PythonProject, SummariesAreComputedOnceAndFollowReExports) {
  Tree T;
  T.write("pyproject.toml", "");
  T.write("pkg/__init__.py", "from .workers import start\n");
  T.write("pkg/workers.py", "import multiprocessing as mp\n\n"
                            "def start(fn):\n"
                            "    with mp.Pool() as p:\n"
                            "        return p.map(fn, [1])\n");
  T.write("pkg/unused.py", "import threading\nthreading.Thread(target=print).start()\n");
  Project P(T.Root, nullptr);
  auto Link = P.linkFor(T.Root + "/main.py");
  const FunctionSummary *S = Link->function("pkg.start");
  ASSERT_NE(S, nullptr);
  ASSERT_TRUE(S->Starts);
  EXPECT_EQ(S->Starts->Notes.back().Line, 4u);
  ASSERT_EQ(S->Handoffs.size(), 1u);
  EXPECT_EQ(S->Handoffs[0].Name, "fn");
  EXPECT_EQ(S->Handoffs[0].Position, 0);
  unsigned Loaded = P.modulesLoaded();
  EXPECT_EQ(Loaded, 2u); // pkg and pkg.workers; pkg.unused is never parsed
  EXPECT_EQ(Link->function("pkg.workers.start"), S);
  EXPECT_EQ(P.modulesLoaded(), Loaded);
  EXPECT_EQ(Link->function("pkg.nothing"), nullptr);
  EXPECT_EQ(Link->function("multiprocessing.Pool"), nullptr); // the API table's
}

// A module is parsed for its summary only when its code names a summary word, or uses
// something of the project with effects; a file counts a module object it imports only for
// the names its code uses.
TEST(PythonProject, OnlyWhatCodeNamesIsSummarisedAndLinked) {
  Tree T;
  T.write("pyproject.toml", "");
  T.write("pkg/__init__.py", "");
  T.write("pkg/workers.py", "import multiprocessing as mp\n\n"
                            "def start():\n"
                            "    return mp.Pool()\n\n"
                            "def name():\n"
                            "    return 'w'\n");
  // Names a Thread and a Pool only in a docstring and a comment.
  T.write("pkg/notes.py", "'''Not a Thread.'''\n# nor a Pool\nx = 1\n");
  Project P(T.Root, nullptr);
  auto Link = P.linkFor(T.Root + "/main.py");
  ASSERT_NE(Link->module("pkg.notes"), nullptr);
  EXPECT_TRUE(Link->module("pkg.notes")->empty());
  EXPECT_EQ(P.modulesLoaded(), 0u);
  EXPECT_TRUE(importsProjectEffects("from pkg import workers\nworkers.start()\n", *Link));
  EXPECT_EQ(P.modulesLoaded(), 1u);
  auto Other = P.linkFor(T.Root + "/other.py");
  EXPECT_FALSE(importsProjectEffects("from pkg import workers\nworkers.name()\n", *Other));
  auto Doc = P.linkFor(T.Root + "/doc.py");
  EXPECT_FALSE(importsProjectEffects("import pkg.workers as w\n# w.start()\nw.name()\n", *Doc));
  auto Direct = P.linkFor(T.Root + "/direct.py");
  EXPECT_TRUE(importsProjectEffects("from pkg.workers import start\n", *Direct));
  // Statements found by their 'import': one continued from the line before, one in brackets
  // over several lines, after code that mentions 'important' things.
  auto Continued = P.linkFor(T.Root + "/continued.py");
  EXPECT_TRUE(importsProjectEffects("important = 1\nfrom pkg.workers \\\n    import start\n",
                                    *Continued));
  auto Bracketed = P.linkFor(T.Root + "/bracketed.py");
  EXPECT_TRUE(importsProjectEffects("from pkg.workers import (\n    name,\n    start,\n)\n",
                                    *Bracketed));
  auto Neither = P.linkFor(T.Root + "/neither.py");
  EXPECT_FALSE(importsProjectEffects("from pkg.workers import (\n    name,\n)\nstart = 1\n",
                                     *Neither));
}

// A module parsed for its summary that is also a file of the run keeps its parse for its own
// analysis, which takes it once; other modules keep nothing.
TEST(PythonProject, SummaryParseIsHandedToTheAnalysis) {
  Tree T;
  T.write("pyproject.toml", "");
  T.write("pkg/__init__.py", "");
  std::string Workers = "import multiprocessing as mp\n\n"
                        "def start():\n"
                        "    return mp.Pool()  # a comment long enough to be worth keeping\n" +
                        std::string(300, '#') + "\n";
  T.write("pkg/workers.py", Workers);
  T.write("pkg/threads.py", "import threading\n\n"
                            "def start():\n"
                            "    threading.Thread(target=print).start()\n" +
                                std::string(300, '#') + "\n");
  Project P(T.Root, nullptr);
  auto Inputs = std::make_shared<llvm::StringSet<>>();
  Inputs->insert(T.Root + "/pkg/workers.py");
  Inputs->insert(T.Root + "/pkg/threads.py"); // no word of a rule: never analysed
  P.setInputs(Inputs);
  auto Link = P.linkFor(T.Root + "/main.py");
  ASSERT_NE(Link->function("pkg.workers.start"), nullptr);
  ASSERT_NE(Link->function("pkg.threads.start"), nullptr);
  EXPECT_EQ(P.takeParse(T.Root + "/pkg/threads.py"), nullptr);
  auto Own = P.linkFor(T.Root + "/pkg/workers.py");
  std::unique_ptr<ParsedModule> Parsed = Own->takeParse();
  ASSERT_NE(Parsed, nullptr);
  EXPECT_EQ(Parsed->Text, Workers);
  EXPECT_TRUE(Parsed->Tree.valid());
  EXPECT_EQ(Parsed->Tree.source().data(), Parsed->Text.data());
  EXPECT_EQ(Own->takeParse(), nullptr);
}

// Threads summarise different modules at once and wait for a module another thread is
// summarising. An import cycle split between two threads (each summarising one side, each
// needing the other's) must end, as a cycle on one thread does: one side sees the other
// unfinished. Without the check for waits that never end, this test hangs.
TEST(PythonProject, ThreadsShareSummariesAndCyclesBetweenThemEnd) {
  Tree T;
  T.write("pyproject.toml", "");
  T.write("pkg/__init__.py", "");
  T.write("pkg/a.py", "import threading\nfrom pkg.b import helper_b\n\n"
                      "def start_a():\n"
                      "    threading.Thread(target=print).start()\n"
                      "    helper_b()\n");
  T.write("pkg/b.py", "import threading\nfrom pkg.a import start_a\n\n"
                      "def helper_b():\n"
                      "    threading.Thread(target=print).start()\n\n"
                      "def start_b():\n"
                      "    start_a()\n");
  T.write("pkg/shared.py", "import multiprocessing as mp\n\n"
                           "def run():\n"
                           "    return mp.Pool()\n");
  // A wait that never ends fails the test instead of hanging the suite.
  std::atomic<bool> Over{false};
  std::thread Watchdog([&] {
    for (int Tenths = 0; Tenths < 1200 && !Over; ++Tenths)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!Over) {
      std::fprintf(stderr, "summaries of an import cycle split between threads never ended\n");
      std::abort();
    }
  });
  for (int Round = 0; Round < 400; ++Round) {
    Project P(T.Root, nullptr);
    const FunctionSummary *FromA = nullptr, *FromB = nullptr, *Shared[2] = {};
    std::thread First([&] {
      auto Link = P.linkFor(T.Root + "/one.py");
      FromA = Link->function("pkg.a.start_a");
      Shared[0] = Link->function("pkg.shared.run");
    });
    std::thread Second([&] {
      auto Link = P.linkFor(T.Root + "/two.py");
      FromB = Link->function("pkg.b.helper_b");
      Shared[1] = Link->function("pkg.shared.run");
    });
    First.join();
    Second.join();
    // Both threads start a thread in their own function, cycle or not.
    ASSERT_NE(FromA, nullptr);
    ASSERT_NE(FromB, nullptr);
    EXPECT_FALSE(FromA->ExitThreads.empty());
    EXPECT_FALSE(FromB->ExitThreads.empty());
    // One summary of pkg.shared, handed to both.
    ASSERT_NE(Shared[0], nullptr);
    EXPECT_EQ(Shared[0], Shared[1]);
    EXPECT_TRUE(Shared[0]->Starts);
    EXPECT_EQ(P.modulesLoaded(), 3u);
  }
  Over = true;
  Watchdog.join();
}

// A module's summary walks only the functions that may reach something it holds; each way a
// function reaches one must keep it: a call by name to a function defined after it, a
// method through self, a class made here, another module's function, an import run inside
// it, CUDA. A function that reaches nothing has no entry.
TEST(PythonProject, SummariesKeepEveryWayToAnEffect) {
  Tree T;
  T.write("pyproject.toml", "");
  T.write("pkg/__init__.py", "");
  T.write("pkg/starts.py", "import threading\nthreading.Thread(target=print).start()\n");
  T.write("pkg/pools.py", "import multiprocessing as mp\n\n"
                          "def run(fn):\n"
                          "    with mp.Pool() as p:\n"
                          "        return p.map(fn, [1])\n");
  T.write("pkg/mod.py", "import threading\n"
                        "import torch\n"
                        "from pkg import pools\n\n"
                        "def by_name():\n"
                        "    later()\n\n"
                        "def later():\n"
                        "    threading.Thread(target=print).start()\n\n"
                        "def quiet(x):\n"
                        "    return len(str(x))\n\n"
                        "class Server:\n"
                        "    def serve(self):\n"
                        "        self.spin()\n\n"
                        "    def spin(self):\n"
                        "        later()\n\n"
                        "    def stop(self):\n"
                        "        self.t.join()\n\n"
                        "def make():\n"
                        "    return Server().serve()\n\n"
                        "def foreign(fn):\n"
                        "    return pools.run(fn)\n\n"
                        "def imports():\n"
                        "    import pkg.starts\n\n"
                        "def gpu():\n"
                        "    return torch.ones(1).cuda()\n");
  Project P(T.Root, nullptr);
  auto Link = P.linkFor(T.Root + "/main.py");
  for (const char *Name : {"pkg.mod.by_name", "pkg.mod.later", "pkg.mod.Server.serve",
                           "pkg.mod.Server.spin", "pkg.mod.make", "pkg.mod.imports"}) {
    const FunctionSummary *S = Link->function(Name);
    ASSERT_NE(S, nullptr) << Name;
    EXPECT_FALSE(S->ExitThreads.empty()) << Name;
  }
  const FunctionSummary *Foreign = Link->function("pkg.mod.foreign");
  ASSERT_NE(Foreign, nullptr);
  EXPECT_TRUE(Foreign->Starts || !Foreign->Forks.empty());
  EXPECT_EQ(Foreign->Handoffs.size(), 1u);
  const FunctionSummary *Gpu = Link->function("pkg.mod.gpu");
  ASSERT_NE(Gpu, nullptr);
  EXPECT_TRUE(Gpu->Cuda || Gpu->CudaUse);
  EXPECT_EQ(Link->function("pkg.mod.quiet"), nullptr);
  EXPECT_EQ(Link->function("pkg.mod.Server.stop"), nullptr);
}

// A thread that summarises nothing itself and may defer (the first pass over a run's files)
// is told that a module it needs is being summarised by another thread, instead of waiting;
// without leave to defer, it waits and gets the summary.
TEST(PythonProject, BusySummariesAreDeferredOnlyWhenAskedTo) {
  Tree T;
  T.write("pyproject.toml", "");
  T.write("pkg/__init__.py", "");
  T.write("pkg/slow.py", "import threading\n\n"
                         "def start():\n"
                         "    threading.Thread(target=print).start()\n");
  Project P(T.Root, nullptr);
  std::mutex Mu;
  std::condition_variable Changed;
  bool InSlow = false, Release = false;
  // Holds the first thread inside the summary of pkg.slow until the test lets it go.
  P.setObserver([&](llvm::StringRef Path) {
    if (!endsWith(Path, "slow.py"))
      return;
    std::unique_lock<std::mutex> Lock(Mu);
    InSlow = true;
    Changed.notify_all();
    Changed.wait_for(Lock, std::chrono::seconds(30), [&] { return Release; });
  });
  const FunctionSummary *First = nullptr;
  std::thread Summariser([&] { First = P.linkFor(T.Root + "/one.py")->function("pkg.slow.start"); });
  {
    std::unique_lock<std::mutex> Lock(Mu);
    Changed.wait_for(Lock, std::chrono::seconds(30), [&] { return InSlow; });
  }
  auto Link = P.linkFor(T.Root + "/two.py");
  bool Deferred = false;
  {
    DeferBusySummaries Defer;
    try {
      Link->function("pkg.slow.start");
    } catch (const SummaryBusy &) {
      Deferred = true;
    }
  }
  EXPECT_TRUE(Deferred);
  {
    std::lock_guard<std::mutex> Lock(Mu);
    Release = true;
    Changed.notify_all();
  }
  const FunctionSummary *Second = Link->function("pkg.slow.start");
  Summariser.join();
  ASSERT_NE(Second, nullptr);
  EXPECT_EQ(First, Second);
  EXPECT_FALSE(Second->ExitThreads.empty());
}

// A second run over an unchanged project takes the summaries from the cache (nothing is
// parsed); a change in a module a cached summary was made with makes it be made again.
TEST(PythonProject, SummariesAreCachedBetweenRuns) {
  Tree T;
  T.write("pyproject.toml", "");
  T.write("pkg/__init__.py", "");
  T.write("pkg/workers.py", "from pkg.pools import run\n\n"
                            "def start(fn):\n"
                            "    return run(fn)\n");
  T.write("pkg/pools.py", "import multiprocessing as mp\n\n"
                          "def run(fn):\n"
                          "    with mp.Pool() as p:\n"
                          "        return p.map(fn, [1])\n");
  std::unique_ptr<Cache> Store = Cache::open(T.Root + "/.cache");
  ASSERT_TRUE(Store);
  std::string FirstDigest;
  {
    Project P(T.Root, nullptr);
    P.setCache(Store.get());
    auto Link = P.linkFor(T.Root + "/main.py");
    const FunctionSummary *S = Link->function("pkg.workers.start");
    ASSERT_NE(S, nullptr);
    ASSERT_TRUE(S->Starts);
    EXPECT_EQ(P.modulesLoaded(), 2u);
    FirstDigest = Link->moduleDigest("pkg.workers");
  }
  {
    Project P(T.Root, nullptr);
    P.setCache(Store.get());
    auto Link = P.linkFor(T.Root + "/main.py");
    const FunctionSummary *S = Link->function("pkg.workers.start");
    ASSERT_NE(S, nullptr);
    ASSERT_TRUE(S->Starts);
    EXPECT_EQ(S->Starts->Notes.back().Line, 4u);
    ASSERT_EQ(S->Handoffs.size(), 1u);
    EXPECT_EQ(P.modulesLoaded(), 0u);
    EXPECT_EQ(Link->moduleDigest("pkg.workers"), FirstDigest);
  }
  // pools.py no longer starts processes: workers.py's entry is stale and not used.
  T.write("pkg/pools.py", "def run(fn):\n    return fn(1)\n");
  {
    Project P(T.Root, nullptr);
    P.setCache(Store.get());
    auto Link = P.linkFor(T.Root + "/main.py");
    EXPECT_EQ(Link->function("pkg.workers.start"), nullptr);
    EXPECT_NE(Link->moduleDigest("pkg.workers"), FirstDigest);
  }
}

// A file that names no fork, process or start method itself can get a finding through the
// project only from an import that touches processes: one that only starts threads (or uses
// CUDA) makes it no analysis; one that hands a callable to a pool does. A file that forks
// itself is still analysed with the threads its imports start.
TEST(PythonProject, ThreadOnlyImportsDoNotMakeAFileAnAnalysis) {
  Tree T;
  T.write("pyproject.toml", "");
  T.write("helpers.py", "import multiprocessing as mp\nimport threading\n\n"
                        "def start_threads():\n"
                        "    threading.Thread(target=print, daemon=True).start()\n\n"
                        "def run_pool(fn):\n"
                        "    with mp.Pool() as pool:\n"
                        "        return pool.map(fn, [1, 2])\n");
  CheckGlobs All("forksafe-*");
  Project P(T.Root, nullptr);
  auto Concerns = [&](llvm::StringRef Name, llvm::StringRef Source) {
    auto Link = P.linkFor(T.Root + "/" + Name.str());
    AnalyzeOptions Opts;
    Opts.Enabled = &All;
    Opts.Link = Link.get();
    return mayConcernAnyRule(Source, Opts);
  };
  std::string Threads = "from helpers import start_threads\nstart_threads()\n";
  std::string Pool = "from helpers import run_pool\nrun_pool(print)\n";
  EXPECT_FALSE(Concerns("threads.py", Threads));
  EXPECT_TRUE(Concerns("pool.py", Pool));
  EXPECT_TRUE(Concerns("forks.py", "import os\n" + Threads + "os.fork()\n"));
  auto Link = P.linkFor(T.Root + "/threads.py");
  EXPECT_TRUE(importsProjectEffects(Threads, *Link));
  EXPECT_FALSE(importsProjectEffects(Threads, *Link, nullptr, ProjectEffects::Processes));
  EXPECT_TRUE(importsProjectEffects(Pool, *Link, nullptr, ProjectEffects::Processes));
  // The thread started by an import is still seen before a fork in the file.
  std::vector<Diagnostic> Diags;
  std::vector<InputError> Errors;
  auto ForkLink = P.linkFor(T.Root + "/forks.py");
  AnalyzeOptions Opts;
  Opts.Enabled = &All;
  Opts.Link = ForkLink.get();
  analyze(T.Root + "/forks.py", "import os\n" + Threads + "os.fork()\n", Opts, Diags, Errors);
  bool AfterThread = false;
  for (const Diagnostic &D : Diags)
    AfterThread |= D.Check == "forksafe-fork-after-thread";
  EXPECT_TRUE(AfterThread);
}

// A question about processes does not parse a module that starts threads but names no fork,
// process or start method, and imports and names nothing of the project that does: its text
// tells. What such a module binds by importing (a module object, a star import) is still
// followed, and a change to its text that adds a process start is seen through the
// dependency recorded for the answer ("!module").
TEST(PythonProject, ThreadModulesAreNotParsedForQuestionsAboutProcesses) {
  Tree T;
  writeStarterPackage(T);
  // Threads, and the starter bound but not used ("start_workers" only in a docstring).
  T.write("pkg/ticker.py", "'''Unlike start_workers, ticks.'''\n"
                           "import threading\n"
                           "from . import starter\n\n"
                           "def tick():\n"
                           "    threading.Thread(target=print).start()\n");
  T.write("pkg/star.py", "import threading\nfrom .starter import *\n\n"
                         "def tock():\n    threading.Thread(target=print).start()\n");
  // Threads, and a function that starts processes through the starter.
  T.write("pkg/uses.py", "import threading\nfrom .starter import start_workers\n\n"
                         "def run():\n    start_workers(print)\n");
  Project P(T.Root, nullptr);
  auto Ask = [&](llvm::StringRef Name, llvm::StringRef Source) {
    auto Link = P.linkFor(T.Root + "/" + Name.str());
    return importsProjectEffects(Source, *Link, nullptr, ProjectEffects::Processes);
  };
  EXPECT_FALSE(Ask("a.py", "from pkg.ticker import tick\ntick()\n"));
  EXPECT_FALSE(Ask("b.py", "from pkg import ticker\nticker.tick()\n"));
  EXPECT_FALSE(Ask("c.py", "from pkg.star import tock\ntock()\n"));
  // Only the starter was parsed (it names a pool): the modules that bind it name nothing of it.
  EXPECT_EQ(P.modulesLoaded(), 1u);
  // Through the bindings of the modules that were not parsed: to the starter.
  EXPECT_TRUE(Ask("d.py", "from pkg.ticker import starter\nstarter.start_workers(print)\n"));
  EXPECT_TRUE(Ask("e.py", "from pkg import ticker\nticker.starter.start_workers(print)\n"));
  EXPECT_TRUE(Ask("f.py", "from pkg.star import start_workers\nstart_workers(print)\n"));
  EXPECT_FALSE(Ask("g.py", "from pkg.ticker import starter\nstarter.other()\n"));
  // A module whose own function starts processes through the starter may, by its text.
  EXPECT_TRUE(Ask("h.py", "from pkg.uses import run\nrun()\n"));
  // The thread a module starts still counts for everything else.
  auto Link = P.linkFor(T.Root + "/i.py");
  EXPECT_TRUE(importsProjectEffects("from pkg.ticker import tick\ntick()\n", *Link));

  // The answer is a dependency of the file that asked, with a digest that changes with it.
  Project Fresh(T.Root, nullptr);
  auto Asking = Fresh.linkFor(T.Root + "/j.py");
  EXPECT_FALSE(importsProjectEffects("from pkg.ticker import tick\ntick()\n", *Asking, nullptr,
                                     ProjectEffects::Processes));
  std::string Before;
  for (const auto &[Module, Digest] : Asking->dependencies())
    if (Module == "!pkg.ticker")
      Before = Digest;
  ASSERT_FALSE(Before.empty());
  EXPECT_NE(Before, "processes");
  EXPECT_EQ(Asking->moduleDigest("!pkg.ticker"), Before);
  T.write("pkg/ticker.py", "import threading\nimport multiprocessing\n\n"
                           "def tick():\n"
                           "    multiprocessing.Process(target=print).start()\n");
  Project Later(T.Root, nullptr);
  auto Again = Later.linkFor(T.Root + "/j.py");
  EXPECT_EQ(Again->moduleDigest("!pkg.ticker"), "processes");
  EXPECT_TRUE(importsProjectEffects("from pkg.ticker import tick\ntick()\n", *Again, nullptr,
                                    ProjectEffects::Processes));
}

// A question about processes asks for summaries of effects on processes only: a module
// that starts processes is parsed, but not the modules whose threads its functions start
// (their text tells they touch no process). The whole summary, asked later, is made apart and
// tells the threads as well; once at hand, it answers questions about processes too.
TEST(PythonProject, QuestionsAboutProcessesParseOnlyWhatTouchesProcesses) {
  Tree T;
  T.write("pyproject.toml", "");
  T.write("pool.py", "import multiprocessing\nfrom threads import spin\n\n"
                     "def run():\n    spin()\n    return multiprocessing.Pool(2)\n");
  T.write("threads.py", "import threading\nfrom deep import helper\n\n"
                        "def spin():\n    helper()\n"
                        "    threading.Thread(target=print).start()\n");
  T.write("deep.py", "import threading\n\ndef helper():\n"
                     "    threading.Thread(target=print).start()\n");
  CheckGlobs All("forksafe-*");
  Project P(T.Root, nullptr);
  auto Link = P.linkFor(T.Root + "/main.py");
  AnalyzeOptions Opts;
  Opts.Enabled = &All;
  Opts.Link = Link.get();
  std::string Main = "from pool import run\nrun()\n";
  EXPECT_TRUE(mayConcernAnyRule(Main, Opts));
  EXPECT_EQ(P.modulesLoaded(), 1u);
  std::map<std::string, std::string> Deps;
  for (const auto &D : Link->dependencies())
    Deps.insert(D);
  ASSERT_TRUE(Deps.count("~pool"));
  EXPECT_FALSE(Deps.count("pool"));
  EXPECT_EQ(Link->moduleDigest("~pool"), Deps["~pool"]);
  const FunctionSummary *ForProcesses = Link->function("pool.run", ProjectEffects::Processes);
  ASSERT_TRUE(ForProcesses);
  EXPECT_TRUE(ForProcesses->touchesProcesses());
  EXPECT_EQ(P.modulesLoaded(), 1u);

  // The whole summary: pool.py again, and the modules that start the threads.
  const FunctionSummary *Whole = Link->function("pool.run");
  ASSERT_TRUE(Whole);
  EXPECT_TRUE(Whole->touchesProcesses());
  EXPECT_FALSE(Whole->ExitThreads.empty());
  EXPECT_EQ(P.modulesLoaded(), 4u);
  auto Later = P.linkFor(T.Root + "/other.py");
  EXPECT_EQ(Later->function("pool.run", ProjectEffects::Processes), Whole);
}

// The threads and CUDA of other modules matter only at a fork: a file whose words run the
// flow rules (a thread pool names `concurrent`) but that forks nowhere, and imports nothing
// that touches processes, asks for no whole summary. With a fork, the import's thread is seen.
TEST(PythonProject, WholeSummariesAreAskedOnlyWhereAForkMayBe) {
  Tree T;
  T.write("pyproject.toml", "");
  T.write("threads.py", "import threading\n\ndef spin():\n"
                        "    threading.Thread(target=print).start()\n");
  CheckGlobs All("forksafe-*");
  auto Run = [&](const std::string &Source, unsigned &Loaded) {
    std::vector<Diagnostic> Diags;
    analyseInFreshProject(T, All, "main.py", Source, Diags, &Loaded);
    return Diags;
  };
  std::string Pool = "from concurrent.futures import ThreadPoolExecutor\n"
                     "from threads import spin\nspin()\n"
                     "with ThreadPoolExecutor() as ex:\n    ex.submit(print)\n";
  unsigned Loaded = 0;
  EXPECT_TRUE(Run(Pool, Loaded).empty());
  EXPECT_EQ(Loaded, 0u);
  std::vector<Diagnostic> Diags = Run("import os\n" + Pool + "os.fork()\n", Loaded);
  EXPECT_EQ(Loaded, 1u);
  ASSERT_EQ(Diags.size(), 1u);
  EXPECT_EQ(Diags[0].Check, "forksafe-fork-after-thread");
}

TEST(PythonProject, EachFileIsReadOnceForItsWordsAndImports) {
  Tree T;
  writeStarterPackage(T);
  T.write("pkg/ticker.py", "import threading\n"
                           "from . import (\n    starter,  # the pool\n)\n"
                           "from .starter import \\\n    start_workers\n\n"
                           "def tick():\n    threading.Thread(target=print).start()\n");
  T.write("main.py", "from pkg.ticker import tick\ntick()\n");
  T.write("latin.py", "# -*- coding: latin-1 -*-\nimport os\nname = '\xe9'\n");
  T.write("open.py", "from pkg.ticker import (tick,\n");
  Project P(T.Root, nullptr);
  std::shared_ptr<const TextRecord> Ticker = P.linkFor(T.Root + "/pkg/ticker.py")->ownRecord();
  ASSERT_TRUE(Ticker);
  EXPECT_EQ(P.recordsRead(), 1u);
  EXPECT_TRUE(Ticker->Read && Ticker->NoNul && Ticker->Plain && Ticker->ImportsWhole);
  EXPECT_FALSE(Ticker->HasForksafe);
  // Statements over several lines are joined, their comments cut.
  EXPECT_EQ(Ticker->Imports, "import threading\nfrom . import ( starter, )\n"
                             "from .starter import  start_workers\n");
  // The first pass's question about main.py reads main.py and the modules it reaches, each
  // once: the ticker's record is at hand.
  auto Main = P.linkFor(T.Root + "/main.py");
  std::shared_ptr<const TextRecord> MainRecord = Main->ownRecord();
  unsigned Before = P.recordsRead();
  EXPECT_EQ(Before, 2u);
  CheckGlobs Enabled("-*,forksafe-fork-after-thread");
  AnalyzeOptions AO;
  AO.Enabled = &Enabled;
  AO.Link = Main.get();
  // It names no fork, but the ticker binds the starter, which it does not use: not analysed.
  EXPECT_EQ(mayConcernAnyRule(*MainRecord, T.Root + "/main.py", AO), std::optional<bool>(false));
  EXPECT_EQ(mayConcernAnyRule("from pkg.ticker import tick\ntick()\n", AO), false);
  EXPECT_EQ(P.recordsRead(), Before + 2); // the starter and the package, nothing twice
  P.linkFor(T.Root + "/pkg/ticker.py")->ownRecord();
  EXPECT_TRUE(P.linkFor(T.Root + "/other.py")->mayTouchProcesses("pkg.starter"));
  EXPECT_EQ(P.recordsRead(), Before + 2);
  // A text that is not its bytes (another encoding) is not Plain: the first pass decodes it.
  std::shared_ptr<const TextRecord> Latin = P.linkFor(T.Root + "/latin.py")->ownRecord();
  EXPECT_TRUE(Latin->Read && Latin->NoNul);
  EXPECT_FALSE(Latin->Plain);
  // A statement that never closes: anything may be imported.
  std::shared_ptr<const TextRecord> Open = P.linkFor(T.Root + "/open.py")->ownRecord();
  EXPECT_FALSE(Open->ImportsWhole);
  auto OpenLink = P.linkFor(T.Root + "/open.py");
  EXPECT_TRUE(importsProjectEffects(*Open, T.Root + "/open.py", *OpenLink, nullptr,
                                    ProjectEffects::Processes));
  EXPECT_FALSE(P.linkFor(T.Root + "/missing.py")->ownRecord()->Read);
}

TEST(PythonProject, DependenciesAndTheirDigests) {
  Tree T;
  T.write("pyproject.toml", "");
  T.write("helpers.py", "import threading\n\ndef setup():\n    pass\n");
  std::string Main = "import os\nfrom helpers import setup\nsetup()\nos.fork()\n";
  CheckGlobs All("forksafe-*");
  // Analyses main.py in a fresh run; returns what it consumed.
  auto Analyse = [&](std::vector<Diagnostic> &Diags) {
    return analyseInFreshProject(T, All, "main.py", Main, Diags);
  };
  auto Now = [&](llvm::StringRef Module) {
    Project P(T.Root, nullptr);
    auto Link = P.linkFor(T.Root + "/main.py");
    AnalyzeOptions Opts;
    Opts.Link = Link.get();
    return currentSummaryDigest(Opts, Module);
  };
  std::vector<Diagnostic> Diags;
  auto All_ = Analyse(Diags);
  EXPECT_TRUE(Diags.empty());
  // Modules asked about that do not exist are dependencies too, with no digest ("" until one
  // is made): `from helpers import setup` asks whether helpers.setup is a module.
  std::vector<std::pair<std::string, std::string>> Deps;
  bool AskedForSetup = false;
  for (auto &D : All_) {
    if (!D.second.empty())
      Deps.push_back(D);
    else
      AskedForSetup |= D.first == "helpers.setup";
  }
  EXPECT_TRUE(AskedForSetup);
  EXPECT_EQ(Now("helpers.setup"), "");
  // What the question about processes read ("!": what its text tells; "~": its summary of
  // effects on processes, made because it names no word of any summary), and its whole
  // summary, which the walk asks for at the fork.
  std::map<std::string, std::string> ByName(Deps.begin(), Deps.end());
  ASSERT_EQ(Deps.size(), 3u);
  ASSERT_TRUE(ByName.count("helpers"));
  ASSERT_TRUE(ByName.count("~helpers"));
  ASSERT_TRUE(ByName.count("!helpers"));
  for (const auto &[Name, Digest] : Deps)
    EXPECT_EQ(Now(Name), Digest) << Name;
  // Same text of main.py, but the helper now starts a thread: its digest changes, and so
  // does the verdict.
  T.write("helpers.py", "import threading\n\ndef setup():\n"
                        "    threading.Thread(target=print).start()\n");
  EXPECT_NE(Now("helpers"), ByName["helpers"]);
  Analyse(Diags);
  EXPECT_EQ(Diags.size(), 1u);
}

} // namespace
