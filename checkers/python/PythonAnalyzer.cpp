//===--- PythonAnalyzer.cpp - Parse, model, and run the Python rules --------===//
#include "python/PythonAnalyzer.h"

#include "python/ApiTable.h"
#include "python/FlowModel.h"
#include "python/Project.h"
#include "python/Prefilter.h"
#include "python/Rule.h"
#include "python/SemanticModel.h"
#include "python/SyntaxTree.h"

#include "llvm/Support/Path.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace forksafe {
namespace python {

namespace {

struct RuleEntry {
  RuleInfo Info;
  RuleFunction Run;
  /// What the rule looks for: a file without any of its words gives it nothing (Prefilter.h).
  RuleNeeds Needs;
};

// The registration table: one line per rule in rules/.
const RuleEntry Registry[] = {
    {{"forksafe-hardcoded-fork-context", true}, checkHardcodedForkContext, RuleNeeds::StartMethodApi},
    {{"forksafe-unguarded-process-start", true}, checkUnguardedProcessStart, RuleNeeds::ProcessStart},
    {{"forksafe-unpicklable-process-target", false}, checkUnpicklableProcessTarget, RuleNeeds::PickledCallable},
    {{"forksafe-start-method-at-import", false}, checkStartMethodAtImport, RuleNeeds::SetStartMethod},
    {{"forksafe-preexec-fn", false}, checkPreexecFn, RuleNeeds::PreexecFn},
    {{"forksafe-syntax-error", false}, checkSyntaxError, RuleNeeds::AnyRule},
    {{"forksafe-fork-after-thread", false}, checkForkAfterThread, RuleNeeds::ForkOrProcessStart},
    {{"forksafe-cuda-before-fork", false}, checkCudaBeforeFork, RuleNeeds::ForkOrProcessStart},
};

const std::vector<RuleInfo> &ruleInfos() {
  static const std::vector<RuleInfo> Infos = [] {
    std::vector<RuleInfo> V;
    for (const RuleEntry &E : Registry)
      V.push_back(E.Info);
    return V;
  }();
  return Infos;
}

/// Whether the configuration adds entries to the API table.
bool hasApiExtensions(const Config *Cfg) {
  return Cfg && (!Cfg->ProcessStarters.empty() || !Cfg->ThreadStarters.empty() ||
                 !Cfg->CudaInitializers.empty());
}

/// An API table and its trigger words.
struct Tables {
  explicit Tables(const Config *Cfg) : Api(Cfg), Words(Api) {}
  ApiTable Api;
  TriggerWords Words;
};

/// The tables for Cfg: the built-in ones, or those of its extensions, made once per distinct
/// set of extensions (files share a configuration; the language server sees several).
const Tables &tablesFor(const Config *Cfg) {
  static const Tables Builtin(nullptr);
  if (!hasApiExtensions(Cfg))
    return Builtin;
  std::string Key;
  for (const auto *List : {&Cfg->ProcessStarters, &Cfg->ThreadStarters, &Cfg->CudaInitializers}) {
    for (const std::string &N : *List)
      Key += N + ",";
    Key += ";";
  }
  static std::mutex Mu;
  static std::map<std::string, std::unique_ptr<Tables>> Made;
  std::lock_guard<std::mutex> Lock(Mu);
  std::unique_ptr<Tables> &T = Made[Key];
  if (!T)
    T = std::make_unique<Tables>(Cfg);
  return *T;
}

/// The needs of the rules that judge with the summaries of other modules.
constexpr uint32_t WholeProgramNeeds =
    (1u << unsigned(RuleNeeds::ProcessStart)) | (1u << unsigned(RuleNeeds::PickledCallable)) |
    (1u << unsigned(RuleNeeds::SetStartMethod)) | (1u << unsigned(RuleNeeds::ForkOrProcessStart));

} // namespace

llvm::ArrayRef<RuleInfo> rules() { return ruleInfos(); }

RuleContext::RuleContext(llvm::StringRef Path, const SyntaxTree &Tree,
                         std::function<const SemanticModel &()> Model, const Config *Cfg,
                         std::vector<Diagnostic> &Diags, ProjectLink *Link,
                         ProjectLink *FlowLink)
    : Path(Path), Tree(Tree), GetModel(std::move(Model)), Cfg(Cfg), Diags(Diags), Link(Link),
      FlowLink(FlowLink ? FlowLink : Link) {}

RuleContext::~RuleContext() = default;

const FlowModel &RuleContext::flow() const {
  if (!Flow)
    Flow = std::make_unique<FlowModel>(model(), Cfg, FlowLink, Path);
  return *Flow;
}

const FunctionSummary *RuleContext::calledSummary(const CallSite &C) const {
  if (!Link || model().apiOf(C) || model().calledFunction(C) >= 0)
    return nullptr;
  std::string Q = linkedCallee(model(), C, *Link);
  // The rules that ask look only at its effects on processes.
  return Q.empty() ? nullptr : Link->function(Q, ProjectEffects::Processes);
}

Diagnostic &RuleContext::reportAt(const std::string &File, unsigned Line, unsigned Column,
                                  unsigned EndLine, unsigned EndColumn, std::string Message) {
  Diagnostic D;
  D.Check = Check;
  D.Loc = Location{File, Line, Column};
  D.EndLine = EndLine;
  D.EndColumn = EndColumn;
  D.Message = std::move(Message);
  Diags.push_back(std::move(D));
  return Diags.back();
}

Diagnostic &RuleContext::report(Node At, std::string Message) {
  Diagnostic D;
  D.Check = Check;
  Position Start = Tree.start(At), End = Tree.end(At);
  D.Loc = Location{Path.str(), Start.Line, Start.Column};
  D.EndLine = End.Line;
  D.EndColumn = End.Column;
  D.Message = std::move(Message);
  Diags.push_back(std::move(D));
  return Diags.back();
}

void RuleContext::note(Diagnostic &D, Node At, std::string Message) {
  Position Start = Tree.start(At);
  D.Notes.push_back(Note{Location{Path.str(), Start.Line, Start.Column}, std::move(Message)});
}

Edit RuleContext::replace(Node At, std::string Replacement) const {
  Edit E;
  E.File = Path.str();
  E.Offset = At.startByte();
  E.Length = At.endByte() - At.startByte();
  Position Start = Tree.start(At), End = Tree.end(At);
  E.Line = Start.Line;
  E.Column = Start.Column;
  E.EndLine = End.Line;
  E.EndColumn = End.Column;
  E.Replacement = std::move(Replacement);
  return E;
}

void RuleContext::noteChain(Diagnostic &D, const ImportTimeCall &IC, const std::string &Final) {
  const SemanticModel &M = model();
  for (unsigned CallId : IC.Chain) {
    const CallSite &C = M.calls()[CallId];
    int Fn = M.calledFunction(C);
    if (Fn < 0)
      Fn = M.calledMethodOfLocalInstance(C);
    std::string Name = Fn >= 0 ? M.scopes()[Fn].Name.str() : quote(C.Callee);
    // Methods are named with their class: 'Runner.__init__', 'Launcher.launch'.
    int Parent = Fn >= 0 ? M.scopes()[Fn].Parent : -1;
    if (Parent >= 0 && M.scopes()[Parent].Kind == ScopeKind::Class)
      Name = M.scopes()[Parent].Name.str() + "." + Name;
    note(D, C.Call, "'" + Name + "' called here");
  }
  note(D, M.calls()[IC.Call].Call, Final);
}

std::string RuleContext::quote(Node N) const {
  llvm::StringRef T = text(N);
  T = T.take_until([](char C) { return C == '\n' || C == '\r'; });
  if (T.size() > 40 || T.size() != text(N).size())
    return T.take_front(37).str() + "...";
  return T.str();
}

bool isPackageMainModule(llvm::StringRef Path) {
  return llvm::sys::path::filename(Path) == "__main__.py";
}

void analyze(llvm::StringRef Path, llvm::StringRef Source, const AnalyzeOptions &Opts,
             std::vector<Diagnostic> &Diags, std::vector<InputError> &Errors) {
  if (!Opts.Enabled)
    return;
  std::vector<const RuleEntry *> Enabled;
  for (const RuleEntry &E : Registry)
    if (Opts.Enabled->contains(E.Info.Id))
      Enabled.push_back(&E);
  if (Enabled.empty())
    return;
  // tree-sitter addresses bytes with 32-bit offsets.
  if (Source.size() >= (1ull << 31)) {
    Errors.push_back({Path.str(), "file is larger than 2 GiB; it was not analysed"});
    return;
  }

  const Tables &T = tablesFor(Opts.Cfg);
  const ApiTable *Api = &T.Api;
  // The needs this file's words meet; without the pre-filter, every rule runs.
  uint32_t Met = Opts.Prefilter ? T.Words.needsIn(Source) : ~0u;
  // With the project, a file may reach processes, threads and CUDA through the functions and
  // the top level of the modules it imports. The rules that judge with summaries run when it
  // imports something that touches processes (a starter, a fork, a hand-off, a start
  // method). Threads and CUDA from other modules matter only at a fork, which the file then
  // names: its own words run the flow rules, whose walk has the project (FlowLink) and asks
  // for those summaries only when it finds a fork. Otherwise the file is analysed as if
  // alone: the project can add nothing to what its rules find.
  ProjectLink *Link = nullptr, *FlowLink = nullptr;
  if (Opts.Link && importsProjectEffects(Source, *Opts.Link, nullptr, ProjectEffects::Processes)) {
    Link = FlowLink = Opts.Link;
    Met |= WholeProgramNeeds;
  } else if (Opts.Link && TriggerWords::meets(Met, RuleNeeds::ForkOrProcessStart)) {
    FlowLink = Opts.Link;
  }

  // The parse its summary made of this very text, when the project kept it for this run.
  std::unique_ptr<ParsedModule> Parsed = Opts.Link ? Opts.Link->takeParse() : nullptr;
  if (Parsed && Parsed->Text != Source)
    Parsed.reset();
  SyntaxTree Tree =
      Parsed ? std::move(Parsed->Tree) : SyntaxTree::parse(Source, Opts.Kept);
  if (!Tree.valid()) {
    Errors.push_back({Path.str(), "the Python parser gave up on this file; it was not analysed"});
    return;
  }
  std::unique_ptr<SemanticModel> Model;
  RuleContext Ctx(
      Path, Tree,
      [&]() -> const SemanticModel & {
        if (!Model)
          Model = std::make_unique<SemanticModel>(Tree, *Api);
        return *Model;
      },
      Opts.Cfg, Diags, Link, FlowLink);
  for (const RuleEntry *E : Enabled) {
    if (!TriggerWords::meets(Met, E->Needs))
      continue;
    Ctx.setCheck(E->Info.Id);
    E->Run(Ctx);
  }
}

std::vector<std::pair<std::string, std::string>> consumedSummaries(const AnalyzeOptions &Opts) {
  return Opts.Link ? Opts.Link->dependencies() : std::vector<std::pair<std::string, std::string>>();
}

std::string currentSummaryDigest(const AnalyzeOptions &Opts, llvm::StringRef Module) {
  return Opts.Link ? Opts.Link->moduleDigest(Module) : std::string();
}

/// mayConcernAnyRule's walk over the enabled rules: Needs gives the needs the file's words
/// meet (asked once, when first needed), ImportsTouch whether it imports something of the
/// project that touches processes.
static bool mayConcern(const AnalyzeOptions &Opts, llvm::function_ref<uint32_t()> Needs,
                       llvm::function_ref<bool()> ImportsTouch) {
  std::optional<uint32_t> Met;
  for (const RuleEntry &E : Registry) {
    if (!Opts.Enabled->contains(E.Info.Id))
      continue;
    if (!Opts.Prefilter)
      return true;
    if (!Met)
      Met = Needs();
    if (TriggerWords::meets(*Met, E.Needs))
      return true;
    if ((WholeProgramNeeds & (1u << unsigned(E.Needs))) && Opts.Link && ImportsTouch())
      return true; // it may call a starter of another module
  }
  return false;
}

bool mayConcernAnyRule(llvm::StringRef Source, const AnalyzeOptions &Opts) {
  if (!Opts.Enabled)
    return false;
  return mayConcern(
      Opts, [&] { return tablesFor(Opts.Cfg).Words.needsIn(Source); },
      [&] { return importsProjectEffects(Source, *Opts.Link, nullptr, ProjectEffects::Processes); });
}

std::optional<bool> mayConcernAnyRule(const TextRecord &R, const std::string &File,
                                      const AnalyzeOptions &Opts) {
  if (!Opts.Enabled)
    return false;
  if (!R.Plain || R.WordsFingerprint != tablesFor(Opts.Cfg).Words.fingerprint())
    return std::nullopt;
  return mayConcern(
      Opts, [&] { return R.Needs; },
      [&] { return importsProjectEffects(R, File, *Opts.Link, nullptr, ProjectEffects::Processes); });
}

} // namespace python
} // namespace forksafe
