#include "Runner.h"

#include "core/Fixes.h"
#include "core/InputFile.h"
#include "core/SourceText.h"
#include "core/StringCompat.h"
#include "core/Suppressions.h"
#include "cpp/CppAnalyzer.h"
#include "python/PythonAnalyzer.h"
#include "python/SyntaxTree.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/ThreadPool.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <sys/stat.h>
#include <cstdlib>
#include <map>

namespace forksafe {

Runner::Runner(RunOptions O) : Opts(std::move(O)), Configs(Opts.ConfigFile) {
  // A cache folder that cannot be made costs time, not findings: run without it.
  if (!Opts.CacheDir.empty())
    if (std::unique_ptr<Cache> C = Cache::open(Opts.CacheDir)) {
      Results = std::make_unique<ResultsCache>(std::move(C));
      Projects.setCache(&Results->store()); // module summaries too
    }
}

CheckGlobs Runner::checksFor(const Config &Cfg) const {
  CheckGlobs G(DefaultChecks);
  if (Cfg.Checks)
    G.append(*Cfg.Checks);
  if (!Opts.Checks.empty())
    G.append(Opts.Checks);
  return G;
}

/// Moves findings on line 1 right by the BOM the decoder removed, so columns and fix offsets
/// count the file's bytes.
static void shiftForBom(std::vector<Diagnostic> &Diags, unsigned Bom) {
  if (!Bom)
    return;
  for (Diagnostic &D : Diags) {
    if (D.Loc.Line == 1)
      D.Loc.Column += Bom;
    if (D.EndLine == 1)
      D.EndColumn += Bom;
    for (Note &N : D.Notes)
      if (N.Loc.Line == 1 && N.Loc.File == D.Loc.File)
        N.Loc.Column += Bom;
    if (D.FixIt)
      for (Edit &E : D.FixIt->Edits) {
        E.Offset += Bom;
        if (E.Line == 1)
          E.Column += Bom;
        if (E.EndLine == 1)
          E.EndColumn += Bom;
      }
  }
}

Runner::ChecksOf Runner::checksOf(const std::shared_ptr<const Config> &Cfg) {
  std::lock_guard<std::mutex> Lock(ChecksMu);
  auto It = Checks.find(Cfg.get());
  if (It != Checks.end())
    return It->second;
  // A language server meets a new configuration at each edit of one: the memo is bounded.
  if (Checks.size() >= 256)
    Checks.clear();
  ChecksOf &C = Checks[Cfg.get()];
  C.Cfg = Cfg;
  auto Enabled = std::make_shared<CheckGlobs>(checksFor(*Cfg));
  for (const python::RuleInfo &R : python::rules())
    C.AnyRule |= Enabled->contains(R.Id);
  C.Enabled = std::move(Enabled);
  return C;
}

void Runner::setUpPython(const std::string &Name, std::vector<InputError> &Errors,
                         PythonSetup &S, bool RecordDependencies) {
  S.Cfg = Configs.forFile(Name, Errors);
  ChecksOf C = checksOf(S.Cfg);
  S.Enabled = C.Enabled;
  S.AnyRule = C.AnyRule;
  S.Options.Enabled = S.Enabled.get();
  S.Options.Cfg = S.Cfg.get();
  S.Options.Prefilter = Opts.Prefilter;
  if (Opts.WholeProgram)
    S.Link = Projects.linkFor(Name, S.Cfg, RecordDependencies);
  S.Options.Link = S.Link.get();
}

BufferResult Runner::analyzePythonOnce(const std::string &Name, llvm::StringRef Bytes, bool UseCache,
                                       python::KeptTree *Kept) {
  BufferResult Out;
  std::string Why;
  // Data literals are blanked only for a text that gets parsed (below): most files do not pass
  // the pre-filter, and blanking is a pass over every byte.
  auto Decoded = decodePythonSource(Bytes, Why, /*Blank=*/false);
  if (!Decoded) {
    Out.Errors.push_back({Name, Why});
    return Out;
  }
  PythonSetup Setup;
  // The summaries its analysis takes are recorded for its entry in the results cache.
  setUpPython(Name, Out.Errors, Setup, /*RecordDependencies=*/Results && UseCache);
  const std::shared_ptr<const Config> &Cfg = Setup.Cfg;
  const CheckGlobs &Enabled = *Setup.Enabled;
  python::AnalyzeOptions &AO = Setup.Options;
  // A kept tree counts the buffer's bytes: it cannot serve a text the decoder changed.
  if (Kept && (Decoded->Transcoded || Decoded->BomBytes)) {
    Kept->reset();
    Kept = nullptr;
  }
  AO.Kept = Kept;
  bool Skip = !Setup.AnyRule || !python::mayConcernAnyRule(Decoded->Text, AO);
  // A skipped file's suppression comments are still checked (unknown names, unused ones).
  if (Skip && !containsText(Decoded->Text, "forksafe"))
    return Out;
  if (!Skip)
    Decoded->Blanked = blankLongDataLiterals(Decoded->Text);
  std::string Key;
  bool Cached = false;
  if (Results && UseCache && !Skip) {
    Key = ResultsCache::pythonKey(Name, Decoded->Text, *Cfg,
                                  Opts.Checks + (Opts.Prefilter ? "" : "\n--no-prefilter") +
                                      (Opts.WholeProgram ? "" : "\n--no-project"));
    // An entry records the summaries of other modules the file's analysis consumed, and is
    // used only while each still has the digest it had.
    auto CurrentDigest = [&](llvm::StringRef Module) {
      return python::currentSummaryDigest(AO, Module);
    };
    Cached = Results->get(Key, CurrentDigest, Out.Diags);
  }
  if (!Cached && !Skip) {
    size_t ErrorsBefore = Out.Errors.size();
    python::analyze(Name, Decoded->Text, AO, Out.Diags, Out.Errors);
    // Findings with input errors (a parser that gave up) are not kept: the error must be
    // reported again next time.
    if (Results && UseCache && Out.Errors.size() == ErrorsBefore)
      Results->put(Key, python::consumedSummaries(AO), Out.Diags);
  }

  // Summaries name files by absolute path: shown as the input was named (relative to the
  // working directory when it was given relative).
  if (!llvm::sys::path::is_absolute(Name)) {
    llvm::SmallString<256> Cwd;
    if (!llvm::sys::fs::current_path(Cwd)) {
      std::string Base = Cwd.str().str() + "/";
      std::string Prefix = Name.compare(0, 2, "./") == 0 ? "./" : "";
      auto Shorten = [&](std::string &F) {
        if (F.compare(0, Base.size(), Base) == 0)
          F = Prefix + F.substr(Base.size());
      };
      for (Diagnostic &D : Out.Diags) {
        Shorten(D.Loc.File);
        for (Note &N : D.Notes)
          Shorten(N.Loc.File);
      }
    }
  }
  // Findings at a fork in another module of the project: that file's suppression comments
  // and per-file-ignores decide.
  std::vector<Diagnostic> Elsewhere;
  for (auto It = Out.Diags.begin(); It != Out.Diags.end();)
    if (It->Loc.File != Name) {
      Elsewhere.push_back(std::move(*It));
      It = Out.Diags.erase(It);
    } else {
      ++It;
    }
  Out.Foreign = !Elsewhere.empty();
  SuppressionOptions SO;
  SO.ReportUnused = Enabled.contains(UnusedSuppressionCheck);
  SO.Runs = [&](llvm::StringRef Id) { return Enabled.contains(Id) && !Cfg->ignores(Name, Id); };
  applyPythonSuppressions(Name, Decoded->Text, Out.Diags, Out.Errors, SO);
  Out.Diags.erase(std::remove_if(Out.Diags.begin(), Out.Diags.end(),
                                 [&](const Diagnostic &D) {
                                   return !Enabled.contains(D.Check) || Cfg->ignores(Name, D.Check);
                                 }),
                  Out.Diags.end());
  for (Diagnostic &D : Elsewhere) {
    std::string Ignored;
    auto Buf = readRegularFile(D.Loc.File, MaxSourceBytes, Ignored);
    auto Text = Buf ? decodePythonSource((*Buf)->getBuffer(), Ignored) : std::nullopt;
    std::vector<Diagnostic> One{std::move(D)};
    // Its edits are in that other file, not in the text this run fixes.
    One.front().FixIt.reset();
    if (Text)
      applyPythonSuppressions(Text->Text, One);
    std::vector<InputError> ConfigErrors;
    for (Diagnostic &K : One)
      if (Enabled.contains(K.Check) && !Configs.forFile(K.Loc.File, ConfigErrors)->ignores(K.Loc.File, K.Check))
        Out.Diags.push_back(std::move(K));
  }
  if (Decoded->Transcoded) {
    // Offsets into the UTF-8 text are not offsets into the file: offer no fix rather than a wrong one.
    for (Diagnostic &D : Out.Diags)
      D.FixIt.reset();
  }
  // A fix that edits a blanked data literal would write spaces over it: offer none.
  auto EditsBlanked = [&](const Fix &F) {
    for (const Edit &E : F.Edits)
      for (auto [Begin, End] : Decoded->Blanked)
        if (E.Offset < End && E.Offset + E.Length > Begin)
          return true;
    return false;
  };
  for (Diagnostic &D : Out.Diags)
    if (D.FixIt && EditsBlanked(*D.FixIt))
      D.FixIt.reset();
  shiftForBom(Out.Diags, Decoded->BomBytes);

  return Out;
}

/// Python's verdict on a text, as far as tree-sitter can tell: it parses without errors.
static bool parsesCleanly(llvm::StringRef Text) {
  python::SyntaxTree Tree = python::SyntaxTree::parse(Text);
  return Tree.valid() && Tree.firstError().isNull() && !Text.contains('\0');
}

BufferResult Runner::analyzePythonBuffer(const std::string &Name, llvm::StringRef Bytes, bool ComputeFix,
                                         bool UseCache, python::KeptTree *Kept) {
  BufferResult Out = analyzePythonOnce(Name, Bytes, UseCache, Kept);
  if (!ComputeFix || std::none_of(Out.Diags.begin(), Out.Diags.end(),
                                  [&](const Diagnostic &D) { return fixWanted(D, Opts.UnsafeFixes); }))
    return Out;
  // A file that does not parse gets no fix: whether an edit keeps it valid cannot be told.
  if (!parsesCleanly(Bytes))
    return Out;
  // As Ruff does: apply, analyse the result again, and repeat while fixes go in (a fix may
  // make room for another that overlapped it), a bounded number of times.
  std::string Text = Bytes.str();
  for (unsigned Pass = 0; Pass < 10; ++Pass) {
    std::vector<size_t> Applied, Refused;
    std::string Next = applyFixesOnce(Text, Out.Diags, Opts.UnsafeFixes, parsesCleanly, Applied, Refused);
    for (size_t I : Refused)
      Out.Errors.push_back({Name, "line " + std::to_string(Out.Diags[I].Loc.Line) + ": the fix for [" +
                                      Out.Diags[I].Check + "] would make the file fail to parse; not applied"});
    if (Applied.empty() || Next == Text)
      break;
    for (size_t I : Applied)
      Out.FixedDiags.push_back(Out.Diags[I]);
    Text = std::move(Next);
    BufferResult Again = analyzePythonOnce(Name, Text, /*UseCache=*/false);
    Out.Diags = std::move(Again.Diags);
    for (InputError &E : Again.Errors)
      if (std::none_of(Out.Errors.begin(), Out.Errors.end(),
                       [&](const InputError &O) { return O.File == E.File && O.Message == E.Message; }))
        Out.Errors.push_back(std::move(E));
  }
  Out.FixesApplied = Out.FixedDiags.size();
  if (Out.FixesApplied)
    Out.Fixed = std::move(Text);
  return Out;
}

bool Runner::mayNeedAnalysis(const std::string &Path, std::vector<InputError> &ConfigErrors) {
  // The second pass reports what goes wrong with the file here (unreadable, not decodable);
  // a configuration's errors are reported by the first reader of it, which may be this pass.
  try {
    PythonSetup Setup;
    setUpPython(Path, ConfigErrors, Setup, /*RecordDependencies=*/false);
    // Through the project: the file is read once for its record, which the questions other
    // files' imports ask of it share (it may have been read for one of them already).
    if (Setup.Link)
      if (std::shared_ptr<const python::TextRecord> R = Setup.Link->ownRecord(); R && R->Plain) {
        if (R->HasForksafe)
          return true;
        if (!Setup.AnyRule)
          return false;
        if (std::optional<bool> May = python::mayConcernAnyRule(*R, Path, Setup.Options))
          return *May;
      }
    std::string Why;
    auto Buf = readRegularFile(Path, MaxSourceBytes, Why);
    if (!Buf)
      return true;
    auto Decoded = decodePythonSource((*Buf)->getBuffer(), Why, /*Blank=*/false);
    if (!Decoded)
      return true;
    // As analyzePythonOnce decides: a file it would skip without a look at its suppression
    // comments is not analysed.
    return (Setup.AnyRule && python::mayConcernAnyRule(Decoded->Text, Setup.Options)) ||
           containsText(Decoded->Text, "forksafe");
  } catch (const std::exception &) {
    return true;
  }
}

void Runner::analyzePythonFile(const std::string &Path, BufferResult &Out) {
  // One file that exhausts memory (or fails otherwise) costs its own findings, not the run's.
  try {
    analyzePythonFileUnguarded(Path, Out);
  } catch (const std::bad_alloc &) {
    Out = BufferResult();
    Out.Errors.push_back({Path, "ran out of memory while analysing this file; not analysed"});
  } catch (const std::exception &E) {
    Out = BufferResult();
    Out.Errors.push_back({Path, std::string("internal error while analysing this file (") + E.what() +
                                    "); not analysed"});
  }
}

void Runner::analyzePythonFileUnguarded(const std::string &Path, BufferResult &Out) {
  std::string Why;
  auto Buf = readRegularFile(Path, MaxSourceBytes, Why);
  if (!Buf) {
    Out.Errors.push_back({Path, Why});
    return;
  }
  llvm::StringRef Bytes = (*Buf)->getBuffer();
  Out = analyzePythonBuffer(Path, Bytes, Opts.Fix, /*UseCache=*/true);
  if (Opts.Fix && Out.FixesApplied)
    Out.Original = Bytes.str();
  if (Opts.Fix && Out.FixesApplied && !Opts.Diff) {
    std::string Why = writeFileAtomically(Path, Bytes, Out.Fixed);
    if (!Why.empty()) {
      Out.Errors.push_back({Path, Why});
      Out.FixesApplied = 0;
      Out.FixedDiags.clear();
      Out.Original.clear();
      // Nothing was written: report the findings the fix would have removed.
      BufferResult Again = analyzePythonBuffer(Path, Bytes, /*ComputeFix=*/false);
      Out.Diags = std::move(Again.Diags);
    }
  }
}

/// --fix for findings whose edits may touch any file (C/C++: a header, say): the safe edits are
/// grouped by file, applied to each file as it is now, and written atomically; the findings all
/// of whose edits went in are dropped from Diags and counted as fixed.
static void applyFixesOnDisk(std::vector<Diagnostic> &Diags, RunResult &Result, const RunOptions &Opts) {
  std::map<std::string, std::vector<std::pair<size_t, Edit>>> ByFile;
  for (size_t I = 0; I < Diags.size(); ++I)
    if (fixWanted(Diags[I], Opts.UnsafeFixes))
      for (const Edit &E : Diags[I].FixIt->Edits)
        ByFile[E.File].push_back({I, E});
  std::vector<int> State(Diags.size(), 0); // 0 untouched, 1 every edit in, -1 some edit refused
  for (auto &[File, Owned] : ByFile) {
    auto Buf = llvm::MemoryBuffer::getFile(File, /*IsText=*/false, /*RequiresNullTerminator=*/false);
    std::vector<Edit> Edits;
    for (auto &OE : Owned)
      Edits.push_back(OE.second);
    std::vector<bool> Taken(Edits.size(), false);
    std::string Why;
    if (!Buf) {
      Why = "cannot read it to fix it: " + Buf.getError().message();
    } else {
      std::string Fixed = applyEdits((*Buf)->getBuffer(), Edits, Taken);
      if (!Opts.Diff)
        Why = writeFileAtomically(File, (*Buf)->getBuffer(), Fixed);
      if (Why.empty() && Fixed != (*Buf)->getBuffer())
        Result.FixedFiles.push_back({File, (*Buf)->getBuffer().str(), Fixed, {}});
    }
    if (!Why.empty()) {
      Result.Errors.push_back({File, Why});
      Taken.assign(Edits.size(), false);
    }
    for (size_t K = 0; K < Owned.size(); ++K) {
      int &St = State[Owned[K].first];
      St = (St == -1 || !Taken[K]) ? -1 : 1;
    }
  }
  std::vector<Diagnostic> Remaining;
  for (size_t I = 0; I < Diags.size(); ++I) {
    if (State[I] == 1) {
      ++Result.FixesApplied;
      // Counted against the file of the finding (its edits may be in a header).
      for (FixedFile &F : Result.FixedFiles)
        if (F.File == Diags[I].FixIt->Edits.front().File)
          F.Fixed.push_back(Diags[I]);
    } else
      Remaining.push_back(std::move(Diags[I]));
  }
  Diags = std::move(Remaining);
}

void Runner::runCpp(const std::vector<std::string> &Files, RunResult &Result) {
  // One selection and one set of options for both languages: each file's configuration, then
  // --checks; its per-file-ignores below.
  std::vector<InputError> ConfigErrors;
  std::mutex ConfigMutex;
  cpp::CppOptions CO;
  CO.BuildPath = Opts.BuildPath;
  CO.UseFixedFlags = Opts.UseFixedFlags;
  CO.FixedFlags = Opts.FixedFlags;
  CO.ExtraArgs = Opts.ExtraArgs;
  CO.ExtraArgsBefore = Opts.ExtraArgsBefore;
  CO.Jobs = Opts.Jobs;
  // Whole-program mode over compile databases; summaries share the run's cache.
  CO.WholeProgram = true;
  CO.SummaryCacheDir = Opts.CacheDir;
  CO.SettingsFor = [&](const std::string &File) {
    std::lock_guard<std::mutex> Lock(ConfigMutex);
    std::shared_ptr<const Config> Cfg = Configs.forFile(File, ConfigErrors);
    CheckGlobs Enabled = checksFor(*Cfg);
    cpp::CppFileSettings S;
    S.Checks = "-*";
    for (const std::string &Name : cpp::checkNames())
      if (Enabled.contains(Name))
        S.Checks += "," + Name;
    S.CheckOptions = Cfg->CppCheckOptions;
    return S;
  };
  std::vector<Diagnostic> CppDiags;
  cpp::CppRunInfo Info;
  cpp::analyze(Files, CO, CppDiags, Result.Errors, &Info);
  // Suppressed findings go before --fix: a hidden finding's fix is never applied.
  std::vector<Diagnostic> Kept;
  for (Diagnostic &D : CppDiags) {
    auto Cfg = Configs.forFile(D.Loc.File, ConfigErrors);
    if (!Cfg->ignores(D.Loc.File, D.Check))
      Kept.push_back(std::move(D));
  }
  if (Opts.Fix)
    applyFixesOnDisk(Kept, Result, Opts);
  std::move(Kept.begin(), Kept.end(), std::back_inserter(Result.Diags));
  Result.Errors.insert(Result.Errors.end(), ConfigErrors.begin(), ConfigErrors.end());
  Result.FilesAnalyzed += Info.Analyzed;
  if (!Info.DefaultFlags.empty())
    Result.Notices.push_back(
        "forksafe: note: no compile_commands.json or compile_flags.txt found for " + std::to_string(Info.DefaultFlags.size()) +
        (Info.DefaultFlags.size() == 1 ? " C/C++ file" : " C/C++ files") + " (first: " + Info.DefaultFlags.front() +
        "); analysed with default flags. Pass -p DIR, or FILES -- FLAGS, for the project's flags");
  for (const InputError &W : Info.Warnings)
    Result.Notices.push_back(W.File + ": warning: " + W.Message);
}

/// Runs Each(K) for K in [0, Count) on Pool, Batch at a time per task: most files take
/// microseconds, and a task per file would cost each a task and a wake-up. Returns when all
/// ran.
template <typename PoolT, typename EachFn>
static void inBatches(PoolT &Pool, size_t Count, size_t Batch, EachFn Each) {
  for (size_t First = 0; First < Count; First += Batch)
    Pool.async([&Each, First, Count, Batch] {
      for (size_t K = First; K < std::min(First + Batch, Count); ++K)
        Each(K);
    });
  Pool.wait();
}

RunResult Runner::run(const WalkResult &Files) {
  RunResult Result;
  std::vector<BufferResult> PyResults(Files.Python.size());
  // The stat index: files whose last result was empty and whose stat (and, in whole-program
  // mode, that of everything their project read) is unchanged are not read. --fix rewrites
  // files: it reads them all.
  if (Results && !Opts.Fix && !Files.Python.empty()) {
    Index = std::make_unique<StatIndex>(Results->store(), Opts.Checks + (Opts.Prefilter ? "" : "\n--no-prefilter") +
                                                              (Opts.WholeProgram ? "" : "\n--no-project"));
    if (Opts.WholeProgram)
      Projects.setObserver([Idx = Index.get()](const std::string &Project, llvm::StringRef Path) {
        Idx->recordDependency(Project, Path);
      });
  }
  // Per file, for the index: where its entry is kept, its stamp before it was read, and
  // whether the index answered for it.
  std::vector<std::string> IndexPaths(Files.Python.size());
  std::vector<std::optional<FileStamp>> Stamps(Files.Python.size());
  std::vector<char> Answered(Files.Python.size(), 0);
  // What the index was asked with, for the entry each file gets at the end: its configuration
  // and its project's key and import root.
  struct IndexFacts {
    std::shared_ptr<const Config> Cfg;
    std::string Project, ImportRoot;
  };
  std::vector<IndexFacts> Facts(Files.Python.size());
  // The project key and import root of a file's layout ("\n" and "" without projects).
  auto ProjectOf = [this](const std::string &Name) -> std::pair<std::string, std::string> {
    if (!Opts.WholeProgram)
      return {"\n", ""};
    python::Project::Layout L = python::Project::layoutOf(Name);
    return {python::ProjectSet::keyOf(L), L.ImportRoot};
  };
  {
    unsigned Jobs = Opts.Jobs ? Opts.Jobs : llvm::hardware_concurrency().compute_thread_count();
    Jobs = std::max(1u, std::min<unsigned>(Jobs, Files.Python.size()));
#if FORKSAFE_LLVM_MAJOR >= 19
    llvm::DefaultThreadPool Pool(llvm::hardware_concurrency(Jobs));
#else
    llvm::ThreadPool Pool(llvm::hardware_concurrency(Jobs));
#endif
    // Whole program: a first pass over every file runs the pre-filter, which makes the
    // summaries of the modules each file imports; the analyses then find them all made, and
    // a module parsed for its summary is not parsed again for its own analysis.
    std::vector<char> Needed(Files.Python.size(), 1);
    // Errors of the first pass (a configuration file is read, and reported, once).
    std::vector<std::vector<InputError>> FirstErrors(Files.Python.size());
    if (Index) {
      auto Ask = [&](size_t I) {
        const std::string &Name = Files.Python[I];
        IndexPaths[I] = StatIndex::keyPath(Name);
        std::optional<FileStamp> St = I < Files.PythonStamps.size() && Files.PythonStamps[I]
                                          ? Files.PythonStamps[I]
                                          : FileStamp::of(Name);
        if (IndexPaths[I].empty() || !St || !St->Exists || !S_ISREG(St->Mode))
          return;
        Stamps[I] = *St;
        IndexFacts &F = Facts[I];
        F.Cfg = Configs.forFile(Name, FirstErrors[I]);
        std::tie(F.Project, F.ImportRoot) = ProjectOf(Name);
        Answered[I] = Index->answersEmpty(IndexPaths[I], *St, F.Cfg->Digest, F.Project, F.ImportRoot);
      };
      // A stat and a few look-ups per file.
      inBatches(Pool, Files.Python.size(), 32, Ask);
    }
    if (Opts.WholeProgram && Files.Python.size() > 1) {
      // The files answered by the index are not analysed: no parse is kept for them.
      std::vector<std::string> Analysed;
      for (size_t I = 0; I < Files.Python.size(); ++I)
        if (!Answered[I])
          Analysed.push_back(Files.Python[I]);
      Projects.setInputs(Analysed);
      // A file that needs a module another thread is summarising is looked at again after
      // the others, when the summary is made (or being made: then the thread waits), instead
      // of keeping its thread waiting: files of one package import the same modules, and the
      // first file's summaries can take a while.
      // Rounds: between two, no summary is in the making, so each round gets further; the
      // last one allowed waits.
      std::vector<size_t> Todo, Busy;
      std::mutex BusyMu;
      for (size_t I = 0; I < Files.Python.size(); ++I)
        if (!Answered[I])
          Todo.push_back(I);
      for (unsigned Round = 0; !Todo.empty(); ++Round) {
        bool MayDefer = Round < 8;
        // Most files are answered from their words and imports in microseconds.
        inBatches(Pool, Todo.size(), 8, [&](size_t K) {
          size_t I = Todo[K];
          std::optional<python::DeferBusySummaries> Defer;
          if (MayDefer)
            Defer.emplace();
          try {
            Needed[I] = mayNeedAnalysis(Files.Python[I], FirstErrors[I]);
          } catch (const python::SummaryBusy &) {
            std::lock_guard<std::mutex> Lock(BusyMu);
            Busy.push_back(I);
          }
        });
        std::sort(Busy.begin(), Busy.end());
        Todo.swap(Busy);
        Busy.clear();
      }
    }
    // Most are read, found to hold no word of a rule and left.
    std::vector<size_t> ToAnalyse;
    for (size_t I = 0; I < Files.Python.size(); ++I)
      if (Needed[I] && !Answered[I])
        ToAnalyse.push_back(I);
    inBatches(Pool, ToAnalyse.size(), 4, [&](size_t K) {
      analyzePythonFile(Files.Python[ToAnalyse[K]], PyResults[ToAnalyse[K]]);
    });
    llvm::StringSet<> ProjectsRecorded;
    for (size_t I = 0; I < Files.Python.size(); ++I) {
      if (Index && Stamps[I] && !Answered[I]) {
        const BufferResult &R = PyResults[I];
        bool Empty = R.Diags.empty() && R.Errors.empty() && FirstErrors[I].empty() && !R.FixesApplied && !R.Foreign;
        const IndexFacts &F = Facts[I];
        // The project's configuration decides whether the file may be kept (see
        // StatIndex::save); a project is made once, with one configuration.
        if (Opts.WholeProgram && Empty && ProjectsRecorded.insert(F.Project).second)
          Index->recordProject(F.Project, Projects.forFile(Files.Python[I], F.Cfg)->configDigest());
        Index->recordResult(IndexPaths[I], *Stamps[I], F.Cfg->Digest, F.Project, F.ImportRoot, Empty);
      }
      std::move(FirstErrors[I].begin(), FirstErrors[I].end(), std::back_inserter(PyResults[I].Errors));
    }
  }
  if (Index) {
    bool Written = Index->save();
    if (Opts.DebugCache)
      llvm::errs() << "forksafe: stat index: " << Index->answered() << " of " << Files.Python.size()
                   << " Python files answered without reading them; index " << (Written ? "written" : "unchanged")
                   << "\n";
  }
  for (BufferResult &R : PyResults) {
    std::move(R.Diags.begin(), R.Diags.end(), std::back_inserter(Result.Diags));
    std::move(R.Errors.begin(), R.Errors.end(), std::back_inserter(Result.Errors));
    Result.FixesApplied += R.FixesApplied;
  }
  for (size_t I = 0; I < PyResults.size(); ++I)
    if (PyResults[I].FixesApplied)
      Result.FixedFiles.push_back({Files.Python[I], std::move(PyResults[I].Original),
                                   std::move(PyResults[I].Fixed), std::move(PyResults[I].FixedDiags)});
  Result.FilesAnalyzed += Files.Python.size();

  // clang would open a FIFO or device and block or read forever: only regular files go on.
  std::vector<std::string> CppFiles;
  for (const std::string &F : Files.Cpp) {
    struct stat St;
    if (::stat(F.c_str(), &St) == 0 && !S_ISREG(St.st_mode))
      Result.Errors.push_back({F, "is " + describeFileType(St.st_mode) + ", not a regular file; not read"});
    else
      CppFiles.push_back(F);
  }
  if (!CppFiles.empty())
    runCpp(CppFiles, Result);

  std::stable_sort(Result.Diags.begin(), Result.Diags.end());
  // A hazard in one module found from several files that reach it (each with its own
  // story): reported once per check at its place, the first in this order.
  std::vector<Diagnostic> Once;
  for (Diagnostic &D : Result.Diags)
    if (Once.empty() || Once.back().Check != D.Check || Once.back().Loc.File != D.Loc.File ||
        Once.back().Loc.Line != D.Loc.Line || Once.back().Loc.Column != D.Loc.Column)
      Once.push_back(std::move(D));
  Result.Diags = std::move(Once);
  // A configuration error is met by every file under it: report it once.
  std::vector<InputError> Unique;
  for (InputError &E : Result.Errors)
    if (std::none_of(Unique.begin(), Unique.end(),
                     [&](const InputError &U) { return U.File == E.File && U.Message == E.Message; }))
      Unique.push_back(std::move(E));
  Result.Errors = std::move(Unique);
  return Result;
}

} // namespace forksafe
