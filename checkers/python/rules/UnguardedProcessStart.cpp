//===--- UnguardedProcessStart.cpp - forksafe-unguarded-process-start -------===//
//
// A process start that runs when the module is imported: at module level or in a class
// body outside `if __name__ == "__main__":`, or in a function called from there (of this
// module, or of another module of the project whose summary says it starts processes).
// Spawned and forkserver children import the main module again, so the start runs again
// in every child and multiprocessing refuses it ("bootstrapping phase").
//
//===----------------------------------------------------------------------===//
#include "python/FlowModel.h"
#include "python/Rule.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

#include <optional>

namespace forksafe {
namespace python {

/// The unsafe fix: `if __name__ == "__main__":` above the module-level statement First, and
/// every line from there to the end of the file indented under it. None (empty) when that
/// cannot keep the program's meaning close: First shares its line with an earlier statement,
/// or a function or class is defined at or after it (spawned children, which do not run the
/// guarded block, could no longer find it by name).
static std::optional<Fix> guardFix(RuleContext &Ctx, Node First) {
  const SyntaxTree &Tree = Ctx.tree();
  llvm::StringRef Src = Tree.source();
  size_t Begin = First.startByte();
  size_t LineStart = Src.take_front(Begin).rfind('\n');
  LineStart = LineStart == llvm::StringRef::npos ? 0 : LineStart + 1;
  if (!Src.slice(LineStart, Begin).trim().empty() || LineStart != Begin)
    return std::nullopt; // `x = 1; pool.map(...)`, or an indented top-level line
  for (Node S : Tree.root().namedChildren()) {
    if (S.endByte() <= Begin)
      continue;
    if (S.is("function_definition") || S.is("class_definition") || S.is("decorated_definition"))
      return std::nullopt;
  }
  // Line starts from First to the end; those inside a multi-line string keep their bytes.
  std::vector<size_t> Starts;
  for (size_t At = LineStart; At < Src.size();) {
    Starts.push_back(At);
    size_t NL = Src.find('\n', At);
    if (NL == llvm::StringRef::npos)
      break;
    At = NL + 1;
  }
  auto InsideString = [&](size_t Offset) {
    Node N(ts_node_descendant_for_byte_range(Tree.root().raw(), Offset, Offset));
    for (; !N.isNull(); N = Node(ts_node_parent(N.raw())))
      if ((N.is("string") || N.is("concatenated_string")) && N.startByte() < Offset && Offset < N.endByte())
        return true;
    return false;
  };
  std::vector<size_t> Indented;
  bool Tabs = false;
  for (size_t At : Starts) {
    size_t End = Src.find('\n', At);
    llvm::StringRef Line = Src.slice(At, End == llvm::StringRef::npos ? Src.size() : End).rtrim("\r");
    if (Line.trim().empty() || (At != LineStart && InsideString(At)))
      continue;
    // Lines already indented with tabs get a tab: the same width under any tab size.
    Tabs |= Line.take_while([](char C) { return C == ' ' || C == '\t'; }).contains('\t');
    Indented.push_back(At);
  }
  std::string Indent = Tabs ? "\t" : "    ";
  Fix F;
  F.Kind = Applicability::Unsafe;
  F.Description = "move the module-level code from here into 'if __name__ == \"__main__\":'";
  for (size_t At : Indented) {
    Edit E;
    E.File = Ctx.path().str();
    E.Offset = At;
    E.Length = 0;
    Position P = Tree.position(At);
    E.Line = E.EndLine = P.Line;
    E.Column = E.EndColumn = P.Column;
    E.Replacement = (At == LineStart ? "if __name__ == \"__main__\":\n" : "") + Indent;
    F.Edits.push_back(std::move(E));
  }
  return F;
}

void checkUnguardedProcessStart(RuleContext &Ctx) {
  if (isPackageMainModule(Ctx.path()))
    return;
  const SemanticModel &M = Ctx.model();
  llvm::DenseSet<const void *> Reported;
  llvm::StringSet<> UsedExecutors;
  const std::string Message =
      "processes are started when the module is imported: with the spawn and forkserver "
      "start methods every child imports the main module again and fails "
      "(\"bootstrapping phase\"); start them under 'if __name__ == \"__main__\":'";
  // The summary of the function of another module of the project that IC's call starts
  // processes through, or null.
  auto StartingSummary = [&](const ImportTimeCall &IC) -> const FunctionSummary * {
    const CallSite &C = M.calls()[IC.Call];
    if (M.apiOf(C))
      return nullptr;
    const FunctionSummary *FS = Ctx.calledSummary(C);
    return FS && FS->Starts ? FS : nullptr;
  };
  // The module-level call site whose statement an import-time start runs from, or null.
  auto RootOf = [&](const ImportTimeCall &IC) -> const CallSite * {
    const CallSite &C = M.calls()[IC.Call];
    const ApiEntry *E = M.apiOf(C);
    if (!E) {
      if (!StartingSummary(IC))
        return nullptr;
      return IC.Chain.empty() ? &C : &M.calls()[IC.Chain.front()];
    }
    // A ProcessPoolExecutor made at import starts nothing; its first submit/map does.
    bool Starts = ((E->Flags & StartsProcesses) && !(E->Flags & StartsOnFirstUse)) ||
                  (E->Flags & FirstUseStarts);
    if (!Starts)
      return nullptr;
    // A fork child does not import the main module again.
    if (M.processStartMethod(C, *E) == "fork")
      return nullptr;
    return IC.Chain.empty() ? &C : &M.calls()[IC.Chain.front()];
  };
  // The fix goes on the finding of the first statement: guarding from there covers the rest.
  Node FixAt;
  for (const ImportTimeCall &IC : M.importTimeCalls())
    if (const CallSite *R = RootOf(IC))
      if (FixAt.isNull() || R->TopStatement.startByte() < FixAt.startByte())
        FixAt = R->TopStatement;
  for (const ImportTimeCall &IC : M.importTimeCalls()) {
    const CallSite *RootPtr = RootOf(IC);
    if (!RootPtr)
      continue;
    const CallSite &C = M.calls()[IC.Call];
    const CallSite &Root = *RootPtr;
    const ApiEntry *E = M.apiOf(C);
    // An executor used many times starts its workers once: at its first use.
    if (E && (E->Flags & FirstUseStarts)) {
      Node Callee = unparenthesize(C.Callee);
      if (Callee.is("attribute") &&
          !UsedExecutors.insert(Ctx.text(Callee.field("object"))).second)
        continue;
    }
    Node At = Root.Statement ? Root.Statement : Root.Call;
    if (!Reported.insert(At.id()).second)
      continue;
    Diagnostic &D = Ctx.report(At, Message);
    if (!E) {
      // A function of another module of the project that starts processes.
      Ctx.noteChain(D, IC, "'" + Ctx.quote(C.Callee) + "' called here");
      noteStory(Ctx, D, StartingSummary(IC)->Starts->Notes);
    } else if (!IC.Chain.empty() || Ctx.tree().start(C.Call).Line != Ctx.tree().start(At).Line) {
      Ctx.noteChain(D, IC, "process started here");
    }
    if (!FixAt.isNull() && Root.TopStatement == FixAt) {
      if (auto F = guardFix(Ctx, FixAt))
        D.FixIt = std::move(*F);
      FixAt = Node();
    }
  }
}

} // namespace python
} // namespace forksafe
