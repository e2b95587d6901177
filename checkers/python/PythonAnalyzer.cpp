//===--- PythonAnalyzer.cpp - Parse, model, and run the Python rules --------===//
#include "python/PythonAnalyzer.h"

#include "python/ApiTable.h"
#include "python/Rule.h"
#include "python/SemanticModel.h"
#include "python/SyntaxTree.h"

#include "llvm/Support/Path.h"

#include <memory>
#include <optional>

namespace forksafe {
namespace python {

namespace {

struct RuleEntry {
  RuleInfo Info;
  RuleFunction Run;
  /// Rules that resolve API names can only fire when the file mentions an API module.
  bool NeedsApiNames;
};

// The registration table: one line per rule in rules/.
const RuleEntry Registry[] = {
    {{"forksafe-hardcoded-fork-context", true}, checkHardcodedForkContext, true},
    {{"forksafe-unguarded-process-start", false}, checkUnguardedProcessStart, true},
    {{"forksafe-unpicklable-process-target", false}, checkUnpicklableProcessTarget, true},
    {{"forksafe-start-method-at-import", false}, checkStartMethodAtImport, true},
    {{"forksafe-preexec-fn", false}, checkPreexecFn, true},
    {{"forksafe-syntax-error", false}, checkSyntaxError, false},
    {{"forksafe-fork-after-thread", false}, checkForkAfterThread, true},
    {{"forksafe-cuda-before-fork", false}, checkCudaBeforeFork, true},
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

/// Whether Source mentions any module the API table (with Cfg's additions) names. Every
/// API the rules resolve is reached through an import, a star import or an attribute of a
/// module, all of which spell the top-level module name in the file.
bool mentionsApiModule(llvm::StringRef Source, const ApiTable &Api) {
  for (const std::string &Root : Api.rootModules())
    if (Source.contains(Root))
      return true;
  return false;
}

/// Whether the configuration adds entries to the API table.
bool hasApiExtensions(const Config *Cfg) {
  return Cfg && (!Cfg->ProcessStarters.empty() || !Cfg->ThreadStarters.empty() ||
                 !Cfg->CudaInitializers.empty());
}

} // namespace

llvm::ArrayRef<RuleInfo> rules() { return ruleInfos(); }

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

  std::optional<ApiTable> Custom;
  const ApiTable *Api = &ApiTable::builtin();
  if (hasApiExtensions(Opts.Cfg)) {
    Custom.emplace(Opts.Cfg);
    Api = &*Custom;
  }
  bool MayResolve = mentionsApiModule(Source, *Api);

  SyntaxTree Tree = SyntaxTree::parse(Source, Opts.Kept);
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
      Opts.Cfg, Diags);
  for (const RuleEntry *E : Enabled) {
    if (E->NeedsApiNames && !MayResolve)
      continue;
    Ctx.setCheck(E->Info.Id);
    E->Run(Ctx);
  }
}

bool mayConcernAnyRule(llvm::StringRef Source) {
  // forksafe-syntax-error concerns every file: whether a file parses is only known by
  // parsing it. Inside analyze(), files that mention no API module skip the model.
  (void)Source;
  return true;
}

bool mayConcernAnyRule(llvm::StringRef Source, const AnalyzeOptions &Opts) {
  if (!Opts.Enabled)
    return false;
  bool AnyApiRule = false;
  for (const RuleEntry &E : Registry) {
    if (!Opts.Enabled->contains(E.Info.Id))
      continue;
    if (!E.NeedsApiNames)
      return true;
    AnyApiRule = true;
  }
  if (!AnyApiRule)
    return false;
  if (hasApiExtensions(Opts.Cfg))
    return mentionsApiModule(Source, ApiTable(Opts.Cfg));
  return mentionsApiModule(Source, ApiTable::builtin());
}

} // namespace python
} // namespace forksafe
