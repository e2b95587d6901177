//===--- Project.cpp ------------------------------------------------------===//
#include "python/Project.h"

#include "core/Cache.h"
#include "core/StringCompat.h"
#include "core/Config.h"
#include "core/InputFile.h"
#include "core/SourceText.h"
#include "python/FlowModel.h"
#include "python/Prefilter.h"
#include "python/SyntaxTree.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA1.h"

#include <array>
#include <cstring>
#include <chrono>

namespace forksafe {
namespace python {

namespace {
constexpr unsigned MaxReExportDepth = 8; // `from .a import f` chains followed
constexpr unsigned MaxImportDepth = 64;  // modules summarised inside one another

std::string parentPath(llvm::StringRef P) { return llvm::sys::path::parent_path(P).str(); }

bool fileExists(const llvm::Twine &P) { return llvm::sys::fs::exists(P); }

/// "a.b.c" -> "a.b"; "a" -> "".
llvm::StringRef parentModule(llvm::StringRef Name) {
  size_t Dot = Name.rfind('.');
  return Dot == llvm::StringRef::npos ? llvm::StringRef() : Name.take_front(Dot);
}

/// The name of the module in File relative to ImportRoot: root/a/b.py -> "a.b",
/// root/a/__init__.py -> "a"; "" when File is not under ImportRoot.
std::string moduleNameIn(llvm::StringRef File, llvm::StringRef ImportRoot, bool &IsPackage) {
  IsPackage = llvm::sys::path::filename(File) == "__init__.py";
  llvm::StringRef Rel = File;
  if (!Rel.consume_front(ImportRoot) || !(Rel.empty() || Rel.front() == '/'))
    return "";
  Rel = Rel.ltrim('/');
  if (!Rel.consume_back(".py"))
    return "";
  if (IsPackage) {
    Rel = Rel.drop_back(llvm::StringRef("__init__").size());
    Rel = Rel.rtrim('/');
  }
  std::string Name = Rel.str();
  for (char &C : Name)
    if (C == '/')
      C = '.';
  return Name;
}

std::string absolute(llvm::StringRef Path) {
  // Most paths are absolute already, without `.` or `..` components or doubled slashes:
  // nothing to do (remove_dots walks every component).
  if (startsWith(Path, "/") && !Path.contains("//") && !Path.contains("/./") &&
      !Path.contains("/../") && !endsWith(Path, "/.") && !endsWith(Path, "/..") &&
      (Path.size() == 1 || !endsWith(Path, "/")))
    return Path.str();
  llvm::SmallString<256> Abs(Path);
  llvm::sys::fs::make_absolute(Abs);
  llvm::sys::path::remove_dots(Abs, /*remove_dot_dot=*/true);
  return Abs.str().str();
}

} // namespace

ProjectLink::~ProjectLink() = default;

std::string serialize(const FunctionSummary &S) {
  std::string Out;
  auto Put = [&](const char *Tag, const EffectRef &E) {
    if (!E)
      return;
    Out += Tag;
    Out += std::to_string(E->Kind) + (E->Returned ? "r" : "");
    for (const Step &St : E->Notes)
      Out += "|" + St.File + ":" + std::to_string(St.Line) + ":" + std::to_string(St.Column) +
             ":" + St.Text;
    Out += "\n";
  };
  for (const EffectRef &T : S.ExitThreads)
    Put("T", T);
  Put("C", S.Cuda);
  Put("U", S.CudaUse);
  Out += "M" + S.Method + "\n";
  Put("S", S.SetsMethod);
  Put("P", S.Starts);
  for (const ForkRef &F : S.Forks) {
    Out += "F" + F->At.File + ":" + std::to_string(F->At.Line) + ":" +
           std::to_string(F->At.Column) + ":" + F->Method + (F->OsFork ? "o" : "") +
           (F->ChildMayUseCuda ? "c" : "") + "\n";
    for (const Step &St : F->Path)
      Out += "|" + St.File + ":" + std::to_string(St.Line) + ":" + St.Text;
    for (const EffectRef &T : F->Threads)
      Put("FT", T);
    Put("FC", F->Cuda);
    Put("FU", F->ChildCudaUse);
  }
  for (const Handoff &H : S.Handoffs)
    Out += "H" + std::to_string(H.Position) + H.Name + H.Api + "\n";
  return Out;
}

bool UsedWords::has(llvm::StringRef Word) {
  if (!Built) {
    Built = true;
    if (!File.empty()) {
      std::string Why;
      auto Buf = readRegularFile(File, MaxSourceBytes, Why);
      if (!Buf) {
        Unknown = true;
        return true;
      }
      Owned = std::move(*Buf);
      Text = Owned->getBuffer();
    }
    scanCode(Text, [&](llvm::StringRef W) {
      Words.insert(W);
      return false;
    });
  }
  return Unknown || Words.count(Word);
}

bool nameHasEffects(ProjectLink &Link, llvm::StringRef Qualified, bool InCycle,
                    unsigned Depth, UsedWords *Used, ProjectEffects Kind) {
  if (Depth > MaxReExportDepth)
    return true;
  // A link that answers with summaries of effects on processes can tell of nothing else.
  if (Link.answers() == ProjectEffects::Processes)
    Kind = ProjectEffects::Processes;
  // The longest prefix that is a module of the project.
  llvm::StringRef Module = Qualified;
  while (!Link.hasModule(Module)) {
    if (!Module.contains('.'))
      return false;
    Module = Module.rsplit('.').first;
  }
  // A module that names nothing about processes, and imports nothing of the project that
  // does, has no effect on them: known without its summary (most modules are such).
  if (Kind == ProjectEffects::Processes && !Link.mayTouchProcesses(Module)) {
    // Only what its imports bind: a module object, function or class of another module.
    // Bindings that lead back to a name on the way (`from pkg import x` in pkg.x's text, an
    // import in a docstring) reach no definition.
    // (The names on the way live in the callers' frames.)
    thread_local std::vector<llvm::StringRef> Chasing;
    if (std::find(Chasing.begin(), Chasing.end(), Qualified) != Chasing.end())
      return false;
    Chasing.push_back(Qualified);
    auto Done = llvm::make_scope_exit([] { Chasing.pop_back(); });
    if (Module.size() == Qualified.size()) {
      for (const auto &[Bound, Target] : Link.bindingsOf(Module))
        if ((Bound == "*" || !Used || Used->has(Bound)) &&
            nameHasEffects(Link, Target, InCycle, Depth + 1, Used, Kind))
          return true;
      return false;
    }
    llvm::StringRef Rest = Qualified.drop_front(Module.size() + 1);
    llvm::StringRef Head = Rest.split('.').first;
    for (const std::string &Target : Link.boundBy(Module, Head))
      if (nameHasEffects(Link, Target + Rest.drop_front(Head.size()).str(), InCycle, Depth + 1,
                         Used, Kind))
        return true;
    return false;
  }
  const ModuleSummary *S = Link.module(Module, Kind);
  if (!S)
    return InCycle;
  // Every function in a summary has effects; of the kind asked for?
  auto Counts = [&](const FunctionSummary &F) {
    return Kind == ProjectEffects::Any || F.touchesProcesses();
  };
  if (Module.size() == Qualified.size()) {
    if (Kind == ProjectEffects::Any && (!Used || !S->Import.empty()))
      return !S->empty();
    if (Kind == ProjectEffects::Processes && S->Import.touchesProcesses())
      return true;
    // The module object: only what the importer names of it can be called.
    for (const auto &F : S->Functions)
      if ((!Used || Used->has(llvm::StringRef(F.first()).split('.').first)) && Counts(F.second))
        return true;
    // A re-export it names: a function or class counts, a module object again by its names.
    for (const auto &I : S->Imports)
      if ((!Used || Used->has(I.first())) &&
          nameHasEffects(Link, I.second, InCycle, Depth + 1, Used, Kind))
        return true;
    return false;
  }
  llvm::StringRef Rest = Qualified.drop_front(Module.size() + 1);
  llvm::StringRef Head = Rest.split('.').first;
  for (const auto &F : S->Functions) {
    llvm::StringRef Key = F.first();
    if (Key == Head) {
      if (Counts(F.second))
        return true; // the function, or the class (its __init__)
      continue;
    }
    // A method of the class: with the importer's words, one it names.
    if (startsWith(Key, Head) && startsWith(Key.drop_front(Head.size()), ".") &&
        (!Used || Rest.contains('.') || Used->has(Key.rsplit('.').second)) && Counts(F.second))
      return true;
  }
  auto It = S->Imports.find(Head);
  if (It == S->Imports.end())
    return false;
  return nameHasEffects(Link, It->second + Rest.drop_front(Head.size()).str(), InCycle,
                        Depth + 1, Used, Kind);
}

static bool scanImportsForEffects(llvm::StringRef Statements, UsedWords &Used,
                                  ProjectLink &Link, llvm::StringMap<std::string> *Unused,
                                  ProjectEffects Kind);
static bool forEachImport(llvm::StringRef Source,
                          llvm::function_ref<bool(llvm::StringRef Line)> Each);

/// Source's import statements as forEachImport gives them, one per line, appended to Lines;
/// false when one could not be read whole.
static bool importLines(llvm::StringRef Source, std::string &Lines) {
  return forEachImport(Source, [&](llvm::StringRef Line) {
    Lines += Line;
    Lines += '\n';
    return false;
  });
}

/// importsProjectEffects over Statements, import statements one per line (a record's, or
/// those of a text), with the answers the link remembers for Of (the text or the record's
/// statements).
static bool importsEffectsOf(llvm::StringRef Of, llvm::StringRef Statements,
                             llvm::function_ref<UsedWords()> Words, ProjectLink &Link,
                             llvm::StringMap<std::string> *Unused, ProjectEffects Kind) {
  if (Link.answers() == ProjectEffects::Processes)
    Kind = ProjectEffects::Processes;
  unsigned K = static_cast<unsigned>(Kind);
  if (!Unused)
    if (std::optional<bool> Known = Link.importsEffects(Of, K))
      return *Known;
  // Nothing with effects, nothing with effects on processes.
  if (Kind == ProjectEffects::Processes)
    if (std::optional<bool> Any = Link.importsEffects(Of, 0); Any && !*Any)
      return false;
  UsedWords Used = Words();
  bool Found = scanImportsForEffects(Statements, Used, Link, Unused, Kind);
  Link.setImportsEffects(Of, K, Found);
  return Found;
}

bool importsProjectEffects(llvm::StringRef Source, ProjectLink &Link,
                           llvm::StringMap<std::string> *Unused, ProjectEffects Kind) {
  // Its import statements, read once for the questions of each kind about this text.
  ProjectLink::TextImports &T = Link.textImports();
  if (T.Of.data() != Source.data() || T.Of.size() != Source.size()) {
    T.Of = Source;
    T.Lines.clear();
    T.Whole = importLines(Source, T.Lines);
  }
  if (!T.Whole)
    return true; // a statement not read whole: it may name anything
  return importsEffectsOf(
      Source, T.Lines, [&] { return UsedWords(Source); }, Link, Unused, Kind);
}

bool importsProjectEffects(const TextRecord &R, const std::string &File, ProjectLink &Link,
                           llvm::StringMap<std::string> *Unused, ProjectEffects Kind) {
  if (!R.ImportsWhole)
    return true; // a statement not read whole: it may name anything
  return importsEffectsOf(
      R.Imports, R.Imports, [&] { return UsedWords::ofFile(File); }, Link, Unused, Kind);
}

/// An import statement as forEachImport gives it, read: for `import a.b as c, d` each
/// dotted module with its alias ("" for none); for `from X import n as m, *` the module X,
/// relative imports resolved, and each name with its alias.
struct ImportStatement {
  bool From = false;
  std::string Base; ///< X of `from X import ...`
  llvm::SmallVector<std::pair<llvm::StringRef, llvm::StringRef>, 4> Items;
};

/// The white space StringRef::trim drops.
constexpr llvm::StringLiteral Blanks = " \t\n\v\f\r";

/// S without the bytes of Set at its start and, with Right, at its end: what
/// StringRef::trim(Set) gives, without the table of 256 bits it builds on each call (these
/// run for each import statement of every file of a whole-program run, several times a
/// statement).
static llvm::StringRef trimOf(llvm::StringRef S, llvm::StringRef Set = Blanks,
                              bool Right = true) {
  auto In = [&](char C) {
    for (char X : Set)
      if (X == C)
        return true;
    return false;
  };
  size_t B = 0, E = S.size();
  while (B < E && In(S[B]))
    ++B;
  while (Right && E > B && In(S[E - 1]))
    --E;
  return S.slice(B, E);
}

/// Line read as an import statement of module OwnName; nullopt when it is none, or its `from`
/// module is empty or leaves the top package. The items point into Line.
static std::optional<ImportStatement> readImport(llvm::StringRef Line, llvm::StringRef OwnName,
                                                 bool IsPackage) {
  ImportStatement S;
  llvm::StringRef L = trimOf(Line);
  llvm::StringRef List;
  llvm::StringRef Strip = "()\\ \t";
  if (L.consume_front("import ")) {
    List = L;
  } else if (L.consume_front("from ")) {
    auto [Module, Names] = L.split(" import");
    Module = trimOf(Module);
    if (Module.empty())
      return std::nullopt;
    S.From = true;
    S.Base = Module.front() == '.' ? resolveRelative(OwnName, IsPackage, Module) : Module.str();
    if (S.Base.empty())
      return std::nullopt;
    List = trimOf(trimOf(Names), "() \t");
    Strip = "() \t";
  } else {
    return std::nullopt;
  }
  // Each item between commas, without splitting into a vector first.
  while (true) {
    auto [Item, Rest] = List.split(',');
    auto [Name, Alias] = trimOf(Item).split(" as ");
    Name = trimOf(Name, Strip);
    if (!Name.empty())
      S.Items.emplace_back(Name, trimOf(Alias, Strip));
    if (Item.size() == List.size()) // no comma left
      break;
    List = Rest;
  }
  return S;
}

/// Calls Each with every import statement of Source ("from x import a, b", "import x as y"),
/// continuation lines joined and the comment cut, until it returns true. False when a
/// statement could not be read whole (it may import anything).
static bool forEachImport(llvm::StringRef Source,
                          llvm::function_ref<bool(llvm::StringRef Line)> Each) {
  // Only the lines that hold "import" can be import statements: found with one search each,
  // not by reading every line.
  size_t Pos = 0;
  while (true) {
    size_t At = findText(Source, "import", Pos);
    if (At == llvm::StringRef::npos)
      return true;
    size_t Start = Source.rfind('\n', At);
    Start = Start == llvm::StringRef::npos ? 0 : Start + 1;
    // The statement may begin on an earlier line that ends with a backslash.
    while (Start > 0) {
      llvm::StringRef Before = Source.take_front(Start - 1); // without its newline
      if (!endsWith(Before.rtrim('\r'), "\\"))
        break;
      size_t Prev = Before.rfind('\n');
      Start = Prev == llvm::StringRef::npos ? 0 : Prev + 1;
    }
    llvm::StringRef Rest = Source.drop_front(Start);
    auto [First, AfterFirst] = Rest.split('\n');
    Rest = AfterFirst;
    llvm::StringRef T = trimOf(First, Blanks, /*Right=*/false);
    if (!startsWith(T, "from ") && !startsWith(T, "import ")) {
      Pos = std::max(At + 6, Source.size() - Rest.size());
      continue;
    }
    // A statement continued on the next lines: `from x import (` ... `)`, or a backslash.
    auto IsOpen = [](llvm::StringRef L) {
      return endsWith(L, "\\") || (L.count('(') > L.count(')'));
    };
    llvm::StringRef Head = trimOf(T.split('#').first); // T starts with no white space
    if (!IsOpen(Head)) { // most statements: one line, read where it is
      if (Each(Head))
        return true;
      Pos = std::max(At + 6, Source.size() - Rest.size());
      continue;
    }
    std::string Line = Head.str();
    unsigned Joined = 0;
    auto Open = [&] { return IsOpen(Line); };
    while (Open() && !Rest.empty() && Joined++ < 1000) {
      auto [Next, After] = Rest.split('\n');
      Rest = After;
      if (endsWith(Line, "\\"))
        Line.pop_back();
      Line += " " + Next.split('#').first.trim().str();
    }
    if (Open())
      return false;
    if (Each(Line))
      return true;
    Pos = std::max(At + 6, Source.size() - Rest.size());
  }
}

/// Calls Each with every import statement of a record's Imports (one per line, as
/// forEachImport gave them), until it returns true: no search.
static void forEachImportLine(llvm::StringRef Lines,
                              llvm::function_ref<bool(llvm::StringRef Line)> Each) {
  while (!Lines.empty()) {
    auto [Line, Rest] = Lines.split('\n');
    Lines = Rest;
    if (!Line.empty() && Each(Line))
      return;
  }
}

/// Statements: import statements, one per line (forEachImportLine).
static bool scanImportsForEffects(llvm::StringRef Statements, UsedWords &Used,
                                  ProjectLink &Link, llvm::StringMap<std::string> *Unused,
                                  ProjectEffects Kind) {
  bool Found = false;
  // A module object bound by an import counts only when the file names something of it
  // that has effects (`support.start_threads`): most files import a project's helper
  // modules for other things. The words of the file are read once, when first needed.
  // A module object with effects that the file does not use: what the file binds it to, for
  // its importers (`from here import helpers` then `helpers.start()`).
  auto ModuleObject = [&](llvm::StringRef Bound, llvm::StringRef Dotted) {
    if (nameHasEffects(Link, Dotted, false, 0, &Used, Kind))
      return true;
    if (Unused && !Bound.empty() && nameHasEffects(Link, Dotted, false, 0, nullptr, Kind))
      (*Unused)[Bound] = Dotted.str();
    return false;
  };
  // Importing a module runs it and its packages: their import-time effects.
  auto RunsEffects = [&](llvm::StringRef Dotted) {
    for (size_t End = Dotted.find('.');; End = Dotted.find('.', End + 1)) {
      llvm::StringRef Module = Dotted.take_front(End);
      if (!Link.hasModule(Module))
        return false;
      // Null: being summarised (an import cycle): not known before it ends, and the walk
      // of this module could not use it either.
      const ModuleSummary *S = Kind == ProjectEffects::Processes && !Link.mayTouchProcesses(Module)
                                   ? nullptr
                                   : Link.module(Module, Kind);
      if (S && (Kind == ProjectEffects::Any ? !S->Import.empty() : S->Import.touchesProcesses()))
        return true;
      if (End == llvm::StringRef::npos)
        return false;
    }
  };
  auto Scan = [&](llvm::StringRef Line) {
    std::optional<ImportStatement> S = readImport(Line, Link.moduleName(), Link.isPackage());
    if (!S)
      return;
    if (!S->From) {
      // The module object: those of its functions the file names may be called.
      for (const auto &[M, Alias] : S->Items)
        if (!Found)
          Found = RunsEffects(M) || ModuleObject(Alias, M);
      return;
    }
    const std::string &Base = S->Base;
    Found = RunsEffects(Base);
    // The names: functions, classes, re-exports or submodules (`from . import helpers`).
    for (const auto &[N, Alias] : S->Items) {
      if (Found)
        break;
      llvm::SmallString<128> Full(Base);
      Full += '.';
      Full += N;
      if (N == "*")
        Found = nameHasEffects(Link, Base, false, 0, &Used, Kind);
      else if (Link.hasModule(Full))
        Found = RunsEffects(Full) || ModuleObject(Alias.empty() ? N : Alias, Full);
      else
        Found = nameHasEffects(Link, Full, false, 0, &Used, Kind);
    }
  };
  forEachImportLine(Statements, [&](llvm::StringRef Line) {
    Scan(Line);
    return Found;
  });
  return Found;
}

/// A digest of everything a caller may take from a module's summary: all of it.
static std::string digestOf(const ModuleSummary &S) {
  std::string All = toJson(S);
  std::array<uint8_t, 20> Bytes = llvm::SHA1::hash(llvm::arrayRefFromStringRef(All));
  return llvm::toHex(llvm::ArrayRef<uint8_t>(Bytes), /*LowerCase=*/true);
}

std::string resolveRelative(llvm::StringRef ModuleName, bool IsPackage, llvm::StringRef Dotted) {
  size_t Dots = 0;
  while (Dots < Dotted.size() && Dotted[Dots] == '.')
    ++Dots;
  llvm::StringRef Rest = Dotted.drop_front(Dots);
  if (!Dots)
    return Dotted.str();
  llvm::StringRef Base = IsPackage ? ModuleName : parentModule(ModuleName);
  for (size_t I = 1; I < Dots; ++I) {
    if (Base.empty())
      return "";
    Base = parentModule(Base);
  }
  if (Base.empty())
    return Rest.str();
  return Rest.empty() ? Base.str() : (Base + "." + Rest).str();
}

/// For a name bound by `from <relative> import x [as y]`: the absolute name of x.
static std::string relativeImportTarget(const SemanticModel &M, Node NameNode,
                                        const ProjectLink &Link) {
  Node Imported = NameNode;
  Node P(ts_node_parent(NameNode.raw()));
  if (P.is("aliased_import")) {
    Imported = P.field("name");
    P = Node(ts_node_parent(P.raw()));
  }
  if (!P.is("import_from_statement"))
    return "";
  Node Module = P.field("module_name");
  if (!Module.is("relative_import"))
    return "";
  std::string Base = resolveRelative(Link.moduleName(), Link.isPackage(), M.text(Module));
  if (Base.empty())
    return "";
  return Base + "." + M.text(Imported).str();
}

std::string importedName(const SemanticModel &M, const Binding &B, const ProjectLink &Link) {
  if (B.Kind != BindingKind::Import)
    return "";
  if (!B.Qualified.empty())
    return B.Qualified;
  return relativeImportTarget(M, B.NameNode, Link);
}

std::string linkedName(const SemanticModel &M, Node Expr, unsigned S, const ProjectLink &Link) {
  llvm::SmallVector<llvm::StringRef, 4> Attrs;
  Node Cur = unparenthesize(Expr);
  while (Cur.is("attribute")) {
    Attrs.push_back(M.text(Cur.field("attribute")));
    Cur = unparenthesize(Cur.field("object"));
  }
  if (!Cur.is("identifier"))
    return "";
  const Binding *B = M.lookup(M.text(Cur), S, Cur.startByte());
  if (!B || B->Kind != BindingKind::Import || !B->Qualified.empty())
    return M.qualifiedName(Expr, S);
  std::string Q = relativeImportTarget(M, B->NameNode, Link);
  if (Q.empty())
    return "";
  for (auto It = Attrs.rbegin(); It != Attrs.rend(); ++It)
    Q += "." + It->str();
  return Q;
}

std::string linkedCallee(const SemanticModel &M, const CallSite &C, const ProjectLink &Link) {
  std::string Q = linkedName(M, C.Callee, C.Scope, Link);
  if (!Q.empty())
    return Q;
  Node Callee = unparenthesize(C.Callee);
  if (!Callee.is("attribute"))
    return "";
  Node Obj = unparenthesize(Callee.field("object"));
  Node Ctor;
  int Holder = C.Scope;
  if (Obj.is("call")) {
    Ctor = Obj; // Server().start()
  } else if (Obj.is("identifier")) {
    const Binding *B = M.lookup(M.text(Obj), C.Scope, Obj.startByte());
    if (!B || (B->Kind != BindingKind::Assignment && B->Kind != BindingKind::WithItem) ||
        !B->Value)
      return "";
    Ctor = unparenthesize(B->Value);
    // The scope that binds the name: the function itself or the module.
    while (Holder >= 0 && !M.scopes()[Holder].Names.count(M.text(Obj)))
      Holder = M.scopes()[Holder].Parent;
  }
  if (!Ctor || !Ctor.is("call") || Holder < 0)
    return "";
  std::string Class = linkedName(M, Ctor.field("function"), Holder, Link);
  if (Class.empty() || !Link.hasModule(llvm::StringRef(Class).split('.').first))
    return "";
  return Class + "." + M.text(Callee.field("attribute")).str();
}

std::vector<std::string> importedModules(const SemanticModel &M, Node N,
                                         const ProjectLink &Link) {
  std::vector<std::string> Out;
  auto AddWithParents = [&](llvm::StringRef Full) {
    llvm::SmallVector<llvm::StringRef, 4> Parts;
    Full.split(Parts, '.');
    std::string Prefix;
    for (llvm::StringRef P : Parts) {
      Prefix += (Prefix.empty() ? "" : ".") + P.str();
      if (std::find(Out.begin(), Out.end(), Prefix) == Out.end())
        Out.push_back(Prefix);
    }
  };
  if (N.is("import_statement")) {
    for (Node C : N.codeChildren()) {
      Node Dotted = C.is("aliased_import") ? C.field("name") : C;
      if (Dotted.is("dotted_name"))
        AddWithParents(M.text(Dotted));
    }
    return Out;
  }
  if (!N.is("import_from_statement"))
    return Out;
  Node Module = N.field("module_name");
  std::string Base = Module.is("relative_import")
                         ? resolveRelative(Link.moduleName(), Link.isPackage(), M.text(Module))
                         : M.text(Module).str();
  if (Base.empty())
    return Out;
  AddWithParents(Base);
  for (Node C : N.codeChildren()) {
    if (C == Module)
      continue;
    Node Dotted = C.is("aliased_import") ? C.field("name") : C;
    if (Dotted.is("dotted_name"))
      Out.push_back(Base + "." + M.text(Dotted).str()); // kept only when it is a module
  }
  return Out;
}

//===----------------------------------------------------------------------===//
// Layout
//===----------------------------------------------------------------------===//

/// The project root and import root of the files in folder Dir. Asked for every analysed
/// file (twice), it is remembered per folder for the life of the process: a marker file
/// made or removed while a language server runs is seen after its restart.
struct FolderRoots {
  std::string Root, Top;
  /// Top is an installation folder: site-packages, dist-packages, or the standard library
  /// itself (os.py beside lib-dynload or site-packages).
  bool Installation = false;
};

/// Answers per folder, for the folders of one tree to share: a folder's answer is stored with
/// those of the folders walked through to find it (not for paths longer than any real one:
/// a path of 20,000 folders would store 20,000 long strings).
class FolderMemo {
public:
  /// Walks up from Dir while Step says to go on (it returns the answer for a folder, or
  /// nullopt to ask its parent); Top answers for a folder without a parent.
  template <typename StepFn>
  std::string find(const std::string &Dir, StepFn Step, const std::string &AtTop) {
    std::vector<std::string> Walked;
    std::string Answer = AtTop;
    for (std::string U = Dir;;) {
      {
        std::lock_guard<std::mutex> Lock(Mu);
        auto It = Known.find(U);
        if (It != Known.end()) {
          Answer = It->second;
          break;
        }
      }
      if (U.size() <= 4096)
        Walked.push_back(U);
      if (std::optional<std::string> A = Step(U)) {
        Answer = *A;
        break;
      }
      std::string Up = parentPath(U);
      if (Up.empty() || Up == U)
        break;
      U = std::move(Up);
    }
    std::lock_guard<std::mutex> Lock(Mu);
    for (const std::string &W : Walked)
      Known[W] = Answer;
    return Answer;
  }

private:
  std::mutex Mu;
  llvm::StringMap<std::string> Known;
};

/// The nearest folder from Dir upward that holds a project marker, "" when none.
static std::string markedFolder(const std::string &Dir) {
  static FolderMemo Memo;
  return Memo.find(
      Dir,
      [](const std::string &U) -> std::optional<std::string> {
        for (const char *Marker : {"pyproject.toml", "setup.py", "setup.cfg", ".git"})
          if (fileExists(U + "/" + Marker))
            return U;
        return std::nullopt;
      },
      "");
}

/// The folder above the package Dir is in (Dir itself when it holds no __init__.py).
static std::string topFolder(const std::string &Dir) {
  static FolderMemo Memo;
  // Walking up while folders hold __init__.py: the first that does not is the answer (the
  // root, when every folder does).
  std::string Root = Dir;
  for (std::string Up = parentPath(Root); !Up.empty() && Up != Root; Up = parentPath(Root))
    Root = Up;
  return Memo.find(
      Dir,
      [](const std::string &U) -> std::optional<std::string> {
        std::string Up = parentPath(U);
        if (Up.empty() || Up == U || !fileExists(U + "/__init__.py"))
          return U;
        return std::nullopt;
      },
      Root);
}

/// Whether Top (a folder no package is in) is where packages are installed: site-packages,
/// dist-packages, or the standard library's folder. Asked once per folder (a package's
/// folders share theirs).
static bool isInstallation(const std::string &Top) {
  static std::mutex Mu;
  static llvm::StringMap<bool> Known;
  {
    std::lock_guard<std::mutex> Lock(Mu);
    auto It = Known.find(Top);
    if (It != Known.end())
      return It->second;
  }
  llvm::StringRef Base = llvm::sys::path::filename(Top);
  bool Is = Base == "site-packages" || Base == "dist-packages" ||
            (fileExists(Top + "/os.py") &&
             (fileExists(Top + "/lib-dynload") || fileExists(Top + "/site-packages")));
  std::lock_guard<std::mutex> Lock(Mu);
  return Known[Top] = Is;
}

/// The answer for Dir (kept for the life of the process: the reference stays valid).
static const FolderRoots &rootsOfFolder(const std::string &Dir) {
  static std::mutex Mu;
  static std::map<std::string, FolderRoots> Known;
  {
    std::lock_guard<std::mutex> Lock(Mu);
    auto It = Known.find(Dir);
    if (It != Known.end())
      return It->second;
  }
  std::string Top = topFolder(Dir);
  bool Installation = isInstallation(Top);
  // A folder without __init__.py inside an installation (a namespace package such as
  // google/, a data or test folder of a distribution) is the installation's too: Python
  // imports it from there (`google.protobuf`), and the markers of the folders around the
  // installation (a pyenv checkout's .git) say nothing about it.
  // Found by the folder's name, without a look at the disk (a path can be thousands of
  // folders deep).
  if (!Installation)
    for (llvm::StringRef Name : {"/site-packages/", "/dist-packages/"}) {
      size_t At = llvm::StringRef(Top).rfind(Name);
      if (At != llvm::StringRef::npos) {
        Top.resize(At + Name.size() - 1);
        Installation = true;
        break;
      }
    }
  // A marker inside the package (or none): the package's import root is the project. An
  // installation folder is its own root, whatever markers its packages or the folders
  // around it hold (a pyenv checkout's .git, a test's setup.py): they are not looked for.
  std::string Root = Installation ? Top : markedFolder(Dir);
  if (Installation || Root.empty() ||
      (Root.size() > Top.size() && Root.compare(0, Top.size(), Top) == 0))
    Root = Top;
  std::lock_guard<std::mutex> Lock(Mu);
  // Another thread may have answered meanwhile: the first answer stays.
  return Known.emplace(Dir, FolderRoots{Root, Top, Installation}).first->second;
}

Project::Layout Project::layoutOf(llvm::StringRef File) {
  std::string Abs = absolute(File);
  const FolderRoots &F = rootsOfFolder(parentPath(Abs));
  // An installation folder holds many distributions (or the standard library's modules):
  // each is its own project, and the others are third-party to it (the API table's, not
  // analysed).
  std::string Only;
  if (F.Installation) {
    llvm::StringRef Rel = llvm::StringRef(Abs).drop_front(F.Top.size()).ltrim('/');
    Only = Rel.split('/').first.str();
    if (endsWith(Only, ".py"))
      Only.resize(Only.size() - 3);
  }
  return {F.Root, F.Top, std::move(Only), std::move(Abs)};
}

struct Project::Module {
  bool InProgress = false;
  std::thread::id Owner; ///< the thread that summarises it, while InProgress
  /// The summary, and the file's modification time and size it was made from: an editor
  /// session keeps the project, and a changed file is summarised again.
  std::shared_ptr<const ModuleSummary> Summary;
  llvm::sys::TimePoint<> Modified;
  uint64_t Size = 0;
  std::chrono::steady_clock::time_point Checked; ///< when Modified and Size were compared
};

static std::atomic<uint64_t> ProjectsMade{0};

Project::Project(std::string Root, std::shared_ptr<const Config> C, std::string Only)
    : Serial(++ProjectsMade), Root(std::move(Root)), Only(std::move(Only)), Cfg(std::move(C)) {
  Roots.push_back(this->Root);
  // An installation folder has no src/ layout: its packages are at its top.
  if (this->Only.empty())
    Roots.push_back(this->Root + "/src");
  if (Cfg && (!Cfg->ProcessStarters.empty() || !Cfg->ThreadStarters.empty() ||
              !Cfg->CudaInitializers.empty())) {
    OwnedApi = std::make_unique<ApiTable>(Cfg.get());
    Api = OwnedApi.get();
  } else {
    Api = &ApiTable::builtin();
  }
  Words = std::make_unique<TriggerWords>(*Api);
}

Project::~Project() = default;

std::string Project::configDigest() const { return Cfg ? Cfg->Digest : std::string(); }

const llvm::StringSet<> *Project::listingOf(llvm::StringRef Dir) const {
  if (Dir.size() > 4096)
    return nullptr; // no real folder: ask the file system
  auto It = Listings.find(Dir);
  if (It != Listings.end())
    return It->second.get();
  auto Names = std::make_unique<llvm::StringSet<>>();
  // A folder its parent's listing does not hold does not exist: no syscall. Below the
  // project's root the parent is listed first (a module `a.b.c` asks for a/b, whose listing
  // tells whether a/b/c exists), and the root too unless it is an installation's (it holds
  // every package installed); above it, only a listing made already is looked at.
  llvm::StringRef Up = llvm::sys::path::parent_path(Dir);
  const llvm::StringSet<> *Parent = nullptr;
  if ((Up.size() > Root.size() && startsWith(Up, Root) && Up[Root.size()] == '/') ||
      (Up == Root && Only.empty())) {
    Parent = listingOf(Up);
  } else {
    auto P = Listings.find(Up);
    Parent = P == Listings.end() ? nullptr : P->second.get();
  }
  if (!Parent || Parent->count(llvm::sys::path::filename(Dir))) {
    if (Observer)
      Observer(Dir);
    std::error_code EC;
    llvm::sys::fs::directory_iterator D(Dir, EC), End;
    for (; !EC && D != End; D.increment(EC))
      Names->insert(llvm::sys::path::filename(D->path()));
    if (EC && EC != std::errc::no_such_file_or_directory && EC != std::errc::not_a_directory)
      Names.reset(); // cannot be listed (or failed part-way): ask for each file
  }
  return (Listings[Dir] = std::move(Names)).get();
}

bool Project::exists(const std::string &Path) const {
  // Each folder is listed once: an import names many modules that do not exist (every
  // `from pkg import name` asks whether pkg/name is a module), each a failed access().
  const llvm::StringSet<> *Names = listingOf(llvm::sys::path::parent_path(Path));
  if (!Names && Observer)
    Observer(Path);
  return Names ? Names->count(llvm::sys::path::filename(Path)) != 0 : fileExists(Path);
}

const std::pair<std::string, std::string> &Project::foundModule(llvm::StringRef Name,
                                                                llvm::StringRef ImportRoot) const {
  static const std::pair<std::string, std::string> None;
  // In an installation folder only the project's own package: `Only` or `Only.*`.
  if (Name.empty() || (!Only.empty() && (!startsWith(Name, Only) ||
                                         (Name.size() > Only.size() && Name[Only.size()] != '.'))))
    return None;
  llvm::SmallString<256> Key(ImportRoot);
  Key += '\n';
  Key += Name;
  auto Known = [&]() -> const std::pair<std::string, std::string> * {
    std::shared_lock<std::shared_mutex> Lock(FoundMu);
    auto It = Found.find(Key);
    // StringMap entries stay where they are: the reference lasts.
    return It == Found.end() ? nullptr : &It->second;
  };
  if (const auto *K = Known())
    return *K;
  // One search at a time (they share the listings); another thread may have made this one
  // while this thread waited.
  std::lock_guard<std::mutex> Search(SearchMu);
  if (const auto *K = Known())
    return *K;
  std::pair<std::string, std::string> Answer = searchModule(Name, ImportRoot);
  std::unique_lock<std::shared_mutex> Lock(FoundMu);
  return Found.try_emplace(Key, std::move(Answer)).first->second;
}

const std::pair<std::string, std::string> *
Project::resolveModule(llvm::StringRef Name, llvm::StringRef ImportRoot) const {
  struct Memo {
    uint64_t Project = 0;
    std::string ImportRoot;
    llvm::StringMap<const std::pair<std::string, std::string> *> Names;
  };
  thread_local Memo M;
  if (M.Project != Serial || M.ImportRoot != ImportRoot || M.Names.size() >= (1u << 16)) {
    M.Project = Serial;
    M.ImportRoot = ImportRoot.str();
    M.Names.clear();
  }
  auto [It, New] = M.Names.try_emplace(Name, nullptr);
  if (New && !Api->lookupWithPrefixes(Name))
    It->second = &foundModule(Name, ImportRoot); // Found's entries stay where they are
  return It->second;
}

std::pair<std::string, std::string> Project::findModule(llvm::StringRef Name,
                                                        llvm::StringRef ImportRoot) const {
  return foundModule(Name, ImportRoot);
}

std::pair<std::string, std::string> Project::searchModule(llvm::StringRef Name,
                                                          llvm::StringRef ImportRoot) const {
  std::string Rel = Name.str();
  for (char &C : Rel)
    if (C == '.')
      C = '/';
  llvm::SmallVector<llvm::StringRef, 3> Search;
  if (!ImportRoot.empty())
    Search.push_back(ImportRoot);
  for (const std::string &R : Roots)
    if (R != ImportRoot)
      Search.push_back(R);
  for (llvm::StringRef R : Search) {
    std::string File = R.str() + "/" + Rel + ".py";
    if (exists(File))
      return {File, R.str()};
    File = R.str() + "/" + Rel + "/__init__.py";
    if (exists(File))
      return {File, R.str()};
  }
  return {};
}

/// What a module's text tells about processes without its parse (Project::processFacts).
struct Project::ProcessFacts {
  /// Its summary is needed to tell: it names a word of a process effect, imports and names
  /// something of the project that may have one, cannot be read (anything may be in it), or
  /// names no word of a summary at all (then its summary is made without a parse; facts of
  /// its own were tried and cost more, docs/performance.md).
  bool May = true;
  /// Without May: the names its imports bind (what they stand for), and the modules whose
  /// names a star import binds: what a name looked up through it may still reach.
  llvm::StringMap<std::string> Binds;
  std::set<std::string> Stars;
  std::string Digest; ///< of all the above, for the caches' dependencies
  llvm::sys::TimePoint<> Modified;
  uint64_t Size = 0;
  std::chrono::steady_clock::time_point Checked;
};

namespace {
/// The modules whose ProcessFacts this thread is making, one inside another (an import
/// chain), with their projects.
thread_local std::vector<std::pair<const Project *, std::string>> Judging;
} // namespace

/// The name a summary of Module of Kind is recorded by as a dependency ("~pkg.mod" for one
/// of effects on processes).
static std::string dependencyName(llvm::StringRef Module, ProjectEffects Kind) {
  return (Kind == ProjectEffects::Any ? "" : "~") + Module.str();
}

/// The link given to the analysis of one module.
class FileLink : public ProjectLink {
public:
  /// RecordDeps: whether the summaries it hands out are recorded as dependencies, for a
  /// cache entry made from what it answered (none is made from the first pass's questions,
  /// a module's facts, or a summary without a cache).
  /// Answers: the kind of summaries it hands out whatever is asked (Processes for the link
  /// of a summary made for questions about processes).
  FileLink(Project &P, std::string Name, bool Package, std::string ImportRoot,
           std::string Path = "", bool RecordDeps = true,
           ProjectEffects Answers = ProjectEffects::Any)
      : P(P), Name(std::move(Name)), Package(Package), ImportRoot(std::move(ImportRoot)),
        Path(std::move(Path)), RecordDeps(RecordDeps), Answers(Answers) {}
  using ProjectLink::function;
  using ProjectLink::module;
  ProjectEffects answers() const override { return Answers; }

  std::unique_ptr<ParsedModule> takeParse() override {
    return Path.empty() ? nullptr : P.takeParse(Path);
  }
  std::shared_ptr<const TextRecord> ownRecord() override {
    return Path.empty() ? nullptr : P.record(Path);
  }

  const FunctionSummary *function(llvm::StringRef Qualified, ProjectEffects Kind) override {
    return P.function(Qualified, ImportRoot, Deps, Keep, 0,
                      Answers == ProjectEffects::Processes ? Answers : Kind);
  }
  const ModuleSummary *module(llvm::StringRef Module, ProjectEffects Kind) override {
    if (Answers == ProjectEffects::Processes)
      Kind = Answers;
    // Asked again and again of the same module by one file: its first answer, kept (Keep
    // holds it) without the project's locks. A whole summary answers either kind.
    auto Known = Summaries.find(Module);
    if (Known != Summaries.end())
      return Known->second;
    if (Kind == ProjectEffects::Processes) {
      auto Proc = ProcessSummaries.find(Module);
      if (Proc != ProcessSummaries.end())
        return Proc->second;
    }
    const std::pair<std::string, std::string> *Found = resolve(Module);
    if (!Found || Found->first.empty())
      return nullptr;
    const auto &[File, Root] = *Found;
    Kind = P.kindToMake(File, Kind);
    const ModuleSummary *S = P.summaryOf(File, Module, Root, Keep, Kind);
    // Null: the module is being summarised (an import cycle): the answer took nothing of
    // its contents, and recording it would fail the check of every later run.
    if (S) {
      bool Whole = Kind == ProjectEffects::Any;
      if (RecordDeps)
        Deps[dependencyName(Module, Kind)] = P.digest(*S);
      (Whole ? Summaries : ProcessSummaries)[Module] = S;
    }
    return S;
  }
  bool hasModule(llvm::StringRef Module) const override {
    const std::pair<std::string, std::string> *Found = resolve(Module);
    return Found && !Found->first.empty();
  }
  llvm::StringRef moduleName() const override { return Name; }
  bool isPackage() const override { return Package; }
  std::vector<std::pair<std::string, std::string>> dependencies() const override {
    return {Deps.begin(), Deps.end()};
  }
  bool mayTouchProcesses(llvm::StringRef Module) override {
    auto Known = MayTouch.find(Module);
    if (Known != MayTouch.end())
      return Known->second;
    // A summary at hand tells as well, and costs nothing more to ask.
    const std::pair<std::string, std::string> *Found = resolve(Module);
    bool May = Summaries.count(Module) || ProcessSummaries.count(Module) ||
               (Found && !Found->first.empty() && P.anySummaryAtHand(Found->first));
    if (!May) {
      const Project::ProcessFacts *F = facts(Module);
      May = !F || F->May;
    }
    return MayTouch[Module] = May;
  }
  std::vector<std::string> boundBy(llvm::StringRef Module, llvm::StringRef Bound) override;
  std::vector<std::pair<std::string, std::string>> bindingsOf(llvm::StringRef Module) override;
  std::string moduleDigest(llvm::StringRef Module) override {
    if (Module.consume_front("!")) {
      const std::pair<std::string, std::string> *Found = resolve(Module);
      if (!Found || Found->first.empty())
        return "";
      return P.processFacts(Found->first, Module, Found->second)->Digest;
    }
    ProjectEffects Kind = ProjectEffects::Any;
    if (Module.consume_front("~"))
      Kind = ProjectEffects::Processes;
    const std::pair<std::string, std::string> *Found = resolve(Module);
    if (!Found || Found->first.empty())
      return "";
    const auto &[File, Root] = *Found;
    const ModuleSummary *S = P.summaryOf(File, Module, Root, Keep, Kind);
    return S ? P.digest(*S) : std::string();
  }

private:
  /// The project's ProcessFacts of Module, kept by this link (recorded as the dependency
  /// "!Module"); null when it is not a module of the project.
  const Project::ProcessFacts *facts(llvm::StringRef Module) {
    auto Known = KeptFacts.find(Module);
    if (Known != KeptFacts.end())
      return Known->second.get();
    const std::pair<std::string, std::string> *Found = resolve(Module);
    std::shared_ptr<const Project::ProcessFacts> F;
    if (Found && !Found->first.empty()) {
      F = P.processFacts(Found->first, Module, Found->second);
      if (RecordDeps)
        Deps["!" + Module.str()] = F->Digest;
    }
    return (KeptFacts[Module] = std::move(F)).get();
  }
  /// Where module Module of the project is (file and the folder it was found in; an empty
  /// file: it does not exist, which is recorded as a dependency); null for a module of the
  /// API table (not the project's). Asked many times per file (every prefix of every
  /// imported name): answered from this link's memo after the first time, without the
  /// project's lock.
  const std::pair<std::string, std::string> *resolve(llvm::StringRef Module) const {
    auto It = Resolved.find(Module);
    if (It != Resolved.end())
      return It->second;
    const std::pair<std::string, std::string> *Found = P.resolveModule(Module, ImportRoot);
    if (Found && Found->first.empty() && RecordDeps)
      Deps.emplace(Module.str(), ""); // absent: an answer too, until the module is made
    Resolved[Module] = Found;
    return Found;
  }

  Project &P;
  std::string Name;
  bool Package;
  std::string ImportRoot;
  std::string Path; ///< the analysed file, absolute ("" for a summary's own link)
  bool RecordDeps;
  ProjectEffects Answers;
  /// resolve's answers (they point into the project's memo, which outlives the link).
  mutable llvm::StringMap<const std::pair<std::string, std::string> *> Resolved;
  /// module's answers (held by Keep): whole summaries, and summaries of effects on
  /// processes.
  llvm::StringMap<const ModuleSummary *> Summaries, ProcessSummaries;
  /// facts' and mayTouchProcesses' answers.
  llvm::StringMap<std::shared_ptr<const Project::ProcessFacts>> KeptFacts;
  llvm::StringMap<bool> MayTouch;
  /// Module -> digest of its summary ("" for a module asked about that does not exist).
  mutable std::map<std::string, std::string> Deps;
  Project::Keeper Keep; ///< what it handed out stays valid while it lives
};

std::vector<std::string> FileLink::boundBy(llvm::StringRef Module, llvm::StringRef Bound) {
  std::vector<std::string> Out;
  const Project::ProcessFacts *F = facts(Module);
  if (!F || F->May)
    return Out;
  auto It = F->Binds.find(Bound);
  if (It != F->Binds.end())
    Out.push_back(It->second);
  for (const std::string &Star : F->Stars)
    Out.push_back(Star + "." + Bound.str());
  return Out;
}

std::vector<std::pair<std::string, std::string>> FileLink::bindingsOf(llvm::StringRef Module) {
  std::vector<std::pair<std::string, std::string>> Out;
  const Project::ProcessFacts *F = facts(Module);
  if (!F || F->May)
    return Out;
  for (const auto &B : F->Binds)
    Out.emplace_back(B.first().str(), B.second);
  for (const std::string &Star : F->Stars)
    Out.emplace_back("*", Star);
  return Out;
}

std::unique_ptr<ProjectLink> Project::linkFor(llvm::StringRef Path, bool RecordDependencies) {
  return linkFor(layoutOf(Path), RecordDependencies);
}

std::unique_ptr<ProjectLink> Project::linkFor(const Layout &L, bool RecordDependencies) {
  bool IsPackage = false;
  std::string Name = moduleNameIn(L.File, L.ImportRoot, IsPackage);
  return std::make_unique<FileLink>(*this, Name, IsPackage, L.ImportRoot, L.File,
                                    RecordDependencies);
}

namespace {
/// Summaries being computed inside one another on this thread (an import chain).
thread_local unsigned SummaryDepth = 0;
/// A DeferBusySummaries lives on this thread.
thread_local bool DeferIfBusy = false;
} // namespace

DeferBusySummaries::DeferBusySummaries() : Was(DeferIfBusy) { DeferIfBusy = true; }
DeferBusySummaries::~DeferBusySummaries() { DeferIfBusy = Was; }

bool Project::waitsForMe(std::thread::id Owner) const {
  // Follow who waits for whom: a thread that waits for a module summarised by a thread
  // that waits ... for a module this thread summarises would wait for ever.
  std::thread::id Me = std::this_thread::get_id();
  for (size_t Steps = 0; Steps <= Waiting.size(); ++Steps) {
    if (Owner == Me)
      return true;
    auto It = Waiting.find(Owner);
    if (It == Waiting.end() || !It->second->InProgress)
      return false; // Owner is running (or about to wake): it will finish
    Owner = It->second->Owner;
  }
  return true;
}

const ModuleSummary *Project::summaryOf(const std::string &File, llvm::StringRef Name,
                                        llvm::StringRef ImportRoot, Keeper &Keep,
                                        ProjectEffects Kind) {
  const bool Whole = Kind == ProjectEffects::Any;
  // Made or checked within the last second: no wait, no bookkeeping.
  if (std::shared_ptr<const ModuleSummary> Made = summaryIfAtHand(File, Kind)) {
    Keep.push_back(std::move(Made));
    return Keep.back().get();
  }
  std::unique_lock<std::mutex> ModLock(ModulesMu);
  std::unique_ptr<Module> &Owned = modulesOf(Kind)[File];
  if (!Owned)
    Owned = std::make_unique<Module>();
  Module &Mod = *Owned;
  // Each module is summarised by one thread at a time; others that need it wait for it,
  // while other modules are summarised in parallel. A module being summarised by this
  // thread (an import cycle), or by a thread that waits for one this thread summarises (a
  // cycle split between threads), has no answer yet: null, as for any cycle.
  while (Mod.InProgress) {
    if (waitsForMe(Mod.Owner))
      return nullptr;
    // A thread that summarises nothing itself can do other work meanwhile (the first pass
    // over a run's files: another file, maybe of another project).
    if (DeferIfBusy && SummaryDepth == 0)
      throw SummaryBusy();
    std::thread::id Me = std::this_thread::get_id();
    Waiting[Me] = &Mod;
    Finished.wait(ModLock);
    Waiting.erase(Me);
  }
  if (SummaryDepth >= MaxImportDepth)
    return nullptr; // too deep a chain
  // Asked again and again in one run: the file is looked at again at most once a second
  // (an editor session keeps the project, and a saved file is summarised again).
  auto Now = std::chrono::steady_clock::now();
  if (Mod.Summary && Now - Mod.Checked < std::chrono::seconds(1)) {
    Keep.push_back(Mod.Summary);
    return Mod.Summary.get();
  }
  Mod.Checked = Now;
  // A summary made before: kept while its file is as it was. A first one takes the file's
  // time and size from its read.
  if (Mod.Summary) {
    llvm::sys::fs::file_status Status;
    bool Stat = !llvm::sys::fs::status(File, Status);
    if (!Stat || (Status.getLastModificationTime() == Mod.Modified &&
                  Status.getSize() == Mod.Size)) {
      noteAtHand(File, Kind, Mod);
      Keep.push_back(Mod.Summary);
      return Mod.Summary.get();
    }
  }
  Mod.InProgress = true;
  Mod.Owner = std::this_thread::get_id();
  noteAtHand(File, Kind, Mod);
  ModLock.unlock();
  auto Sum = std::make_shared<ModuleSummary>();
  // However the summary ends (an exception from a parse that ran out of memory), the
  // module is released and the threads that wait for it go on.
  ++SummaryDepth;
  ReadStamp Seen;
  auto Release = llvm::make_scope_exit([&] {
    --SummaryDepth;
    std::lock_guard<std::mutex> Lock(ModulesMu);
    Mod.Modified = Seen.Modified;
    Mod.Size = Seen.Size;
    Mod.InProgress = false;
    Mod.Owner = std::thread::id();
    Mod.Summary = Sum;
    Mod.Checked = std::chrono::steady_clock::now();
    noteAtHand(File, Kind, Mod);
    Finished.notify_all();
  });
  if (Observer)
    Observer(File);
  // Read, not mapped: unmapping a file in a process with several threads costs every core a
  // TLB flush, and most modules are read for a glance at their words. Only a regular file is
  // read (a FIFO named mod.py would never end).
  std::string Why;
  std::unique_ptr<llvm::MemoryBuffer> Bytes;
  std::shared_ptr<const TextRecord> R = record(File, &Bytes);
  Seen = {R->Modified, R->Size};
  std::optional<DecodedSource> Text;
  bool IsPackage = false;
  std::string Own = moduleNameIn(File, ImportRoot, IsPackage);
  FileLink Link(*this, Own.empty() ? Name.str() : Own, IsPackage, ImportRoot.str(), "",
                /*RecordDeps=*/Store != nullptr, Kind);
  // A module that names nothing a summary can hold, and imports nothing of the project that
  // does, does nothing worth knowing: it is not parsed. Most modules are such; the words are
  // looked for in the bytes as they are (decoding costs more than the look), unless they may
  // not be ASCII-compatible (UTF-16 has NUL bytes).
  // A module object with effects that the module binds without naming anything of it is
  // still handed on to its importers (`from pkg.mod import helpers`).
  llvm::StringMap<std::string> Unused;
  // For questions about processes, only the words of a process effect count, and what it
  // imports only for its effects on processes (ProcessFacts' reasoning).
  if (R->Read) {
    if (!R->NoNul ||
        TriggerWords::meets(R->Needs, Whole ? RuleNeeds::SummaryEffect : RuleNeeds::ProcessEffect) ||
        importsProjectEffects(*R, File, Link, &Unused, Kind)) {
      // Parsed: its text again, unless the record was made from this read.
      if (!Bytes)
        if (auto Again = readRegularFile(File, MaxSourceBytes, Why))
          Bytes = std::move(*Again);
      if (Bytes)
        Text = decodePythonSource(Bytes->getBuffer(), Why);
    } else {
      for (const auto &U : Unused)
        Sum->Imports[U.first()] = U.second;
    }
  }
  if (Text) {
    // From an earlier run: the entry for these bytes, this configuration, module name and
    // layout, used only while every summary it was made with still has its digest.
    std::string Key;
    if (Store) {
      Key = cacheKey({Whole ? "python-summary" : "python-summary-processes", File, Text->Text,
                      Cfg ? Cfg->Digest : "",
                      Link.moduleName(), ImportRoot, Root, Only});
      if (std::optional<ModuleSummary> Cached = cachedSummary(Key, Link)) {
        *Sum = std::move(*Cached);
        Text.reset();
      }
    }
    if (Text) {
      // Kept for the file's analysis by its summary of the other kind: not parsed again.
      std::unique_ptr<ParsedModule> Borrowed = borrowParse(File, Text->Text);
      std::optional<SyntaxTree> Parsed;
      if (!Borrowed)
        Parsed = SyntaxTree::parse(Text->Text);
      const SyntaxTree &Tree = Borrowed ? Borrowed->Tree : *Parsed;
      if (Tree.valid()) {
        {
          SemanticModel M(Tree, *Api);
          *Sum = summarizeModule(M, File, Cfg.get(), Link);
        }
        if (Store)
          storeSummary(Key, *Sum, Link.dependencies());
      }
      if (Borrowed) {
        returnParse(File, std::move(Borrowed));
      } else if (Parsed->valid()) {
        ++Loaded;
        keepParse(File, std::move(Text->Text), std::move(*Parsed), &Link);
      }
    }
  }
  Keep.push_back(Sum);
  return Sum.get();
}

/// What an import statement (as forEachImport gives it) binds in module OwnName: each name
/// and what it stands for (`import a.b` binds a; `from .x import f as g` binds g to
/// "pkg.x.f"), and the modules whose names `from X import *` binds.
static void bindingsOfImport(llvm::StringRef Line, llvm::StringRef OwnName, bool IsPackage,
                             llvm::StringMap<std::string> &Binds, std::set<std::string> &Stars) {
  std::optional<ImportStatement> S = readImport(Line, OwnName, IsPackage);
  if (!S)
    return;
  for (const auto &[Name, Alias] : S->Items) {
    if (!S->From)
      Binds[Alias.empty() ? Name.split('.').first : Alias] =
          (Alias.empty() ? Name.split('.').first : Name).str();
    else if (Name == "*")
      Stars.insert(S->Base);
    else
      Binds[Alias.empty() ? Name : Alias] = S->Base + "." + Name.str();
  }
}

/// The entry of Memo (guarded by Mu) for Key when it was looked at within the last second
/// (an editor session keeps the project: a file is looked at again at most once a second);
/// otherwise null, with the entry, if any, in Old, to be compared with the file now.
template <typename Entry>
static std::shared_ptr<const Entry>
freshEntry(std::mutex &Mu, const llvm::StringMap<std::shared_ptr<const Entry>> &Memo,
           llvm::StringRef Key, std::chrono::steady_clock::time_point Now,
           std::shared_ptr<const Entry> &Old) {
  std::lock_guard<std::mutex> Lock(Mu);
  auto It = Memo.find(Key);
  if (It == Memo.end())
    return nullptr;
  if (Now - It->second->Checked < std::chrono::seconds(1))
    return It->second;
  Old = It->second;
  return nullptr;
}

/// Whether File still has the modification time and size it had.
static bool unchangedOnDisk(const std::string &File, llvm::sys::TimePoint<> Modified,
                            uint64_t Size) {
  llvm::sys::fs::file_status Status;
  return !llvm::sys::fs::status(File, Status) && Status.getLastModificationTime() == Modified &&
         Status.getSize() == Size;
}

std::shared_ptr<const TextRecord> Project::record(const std::string &File,
                                                  std::unique_ptr<llvm::MemoryBuffer> *Bytes) {
  auto Now = std::chrono::steady_clock::now();
  std::shared_ptr<const TextRecord> Old;
  if (auto Fresh = freshEntry(RecordsMu, Records, File, Now, Old))
    return Fresh;
  if (Old) {
    if (unchangedOnDisk(File, Old->Modified, Old->Size)) {
      auto Same = std::make_shared<TextRecord>(*Old);
      Same->Checked = Now;
      std::lock_guard<std::mutex> Lock(RecordsMu);
      return Records[File] = std::move(Same);
    }
  }
  auto R = std::make_shared<TextRecord>();
  R->Checked = Now;
  std::string Why;
  ReadStamp Seen;
  auto Buf = readRegularFile(File, MaxSourceBytes, Why, &Seen);
  ++RecordsRead;
  if (Buf) {
    R->Read = true;
    R->Modified = Seen.Modified;
    R->Size = Seen.Size;
    llvm::StringRef Raw = (*Buf)->getBuffer();
    // Maybe not ASCII-compatible (UTF-16 has NUL bytes): its bytes tell nothing.
    R->NoNul = !Raw.contains('\0');
    if (R->NoNul) {
      R->Needs = Words->needsIn(Raw);
      R->WordsFingerprint = Words->fingerprint();
      R->HasForksafe = containsText(Raw, "forksafe");
      R->ImportsWhole = importLines(Raw, R->Imports);
      R->Plain = isPlainPythonSource(Raw);
    }
    if (Bytes)
      *Bytes = std::move(*Buf);
  }
  std::lock_guard<std::mutex> Lock(RecordsMu);
  return Records[File] = std::move(R);
}

std::shared_ptr<const Project::ProcessFacts>
Project::processFacts(const std::string &File, llvm::StringRef Name, llvm::StringRef ImportRoot) {
  auto Now = std::chrono::steady_clock::now();
  std::string Key = (ImportRoot + "\n" + File).str();
  std::shared_ptr<const ProcessFacts> Old;
  if (auto Fresh = freshEntry(FactsMu, Facts, Key, Now, Old))
    return Fresh;
  static const auto Unknown = [] {
    auto U = std::make_shared<ProcessFacts>();
    U->Digest = "processes";
    return U;
  }();
  // Inside an import cycle, or too deep a chain: it may (then its summary tells). What is
  // concluded from that is on the safe side, and kept.
  if (Judging.size() >= MaxImportDepth ||
      std::find(Judging.begin(), Judging.end(), std::make_pair((const Project *)this, Key)) !=
          Judging.end())
    return Unknown;

  auto Made = std::make_shared<ProcessFacts>();
  Made->Checked = Now;
  auto Keep = [&] {
    std::lock_guard<std::mutex> Lock(FactsMu);
    Facts[Key] = Made;
  };
  // The file as it was: what it knew holds (as for summaries, what it imports is not
  // looked at again).
  if (Old) {
    if (unchangedOnDisk(File, Old->Modified, Old->Size)) {
      *Made = *Old;
      Made->Checked = Now;
      Keep();
      return Made;
    }
  }
  if (Observer)
    Observer(File);
  std::shared_ptr<const TextRecord> R = record(File);
  Made->Modified = R->Modified;
  Made->Size = R->Size;
  // Unreadable, huge, or maybe not ASCII-compatible (UTF-16 has NUL bytes): it may.
  if (R->NoNul) {
    bool IsPackage = false;
    std::string Own = moduleNameIn(File, ImportRoot, IsPackage);
    if (Own.empty())
      Own = Name.str();
    // Its functions and its import can touch processes only through a word of a fork, a
    // process start, a process API or a start method in its own code, or through something
    // of the project it imports and names that does (what the pre-filter asks of a file).
    // What it gains: a module that starts threads (a summary's word) is not parsed, nor is
    // everything its summary would ask about, for a question about processes.
    uint32_t Needs = R->Needs;
    Made->May = !TriggerWords::meets(Needs, RuleNeeds::SummaryEffect) ||
                TriggerWords::meets(Needs, RuleNeeds::ProcessEffect) || !R->ImportsWhole;
    if (!Made->May)
      forEachImportLine(R->Imports, [&](llvm::StringRef Line) {
        bindingsOfImport(Line, Own, IsPackage, Made->Binds, Made->Stars);
        return false;
      });
    if (!Made->May) {
      Judging.emplace_back(this, Key);
      auto Pop = llvm::make_scope_exit([] { Judging.pop_back(); });
      FileLink Link(*this, Own, IsPackage, ImportRoot.str(), "", /*RecordDeps=*/false);
      Made->May = importsProjectEffects(*R, File, Link, nullptr, ProjectEffects::Processes);
    }
  }
  finishFacts(*Made);
  Keep();
  return Made;
}

/// File's summary in one kind's map of finished summaries, when it was made or checked within
/// the last second; null otherwise. The caller holds AtHandMu.
template <typename MapT>
static const std::shared_ptr<const ModuleSummary> *
freshIn(const MapT &Made, const std::string &File, std::chrono::steady_clock::time_point Now) {
  auto It = Made.find(File);
  if (It == Made.end() || Now - It->second.Checked >= std::chrono::seconds(1))
    return nullptr;
  return &It->second.Summary;
}

std::shared_ptr<const ModuleSummary> Project::summaryIfAtHand(const std::string &File,
                                                              ProjectEffects Kind) {
  auto Now = std::chrono::steady_clock::now();
  std::shared_lock<std::shared_mutex> Lock(AtHandMu);
  auto *S = freshIn(AtHand[static_cast<unsigned>(Kind)], File, Now);
  return S ? *S : nullptr;
}

bool Project::summaryAtHand(const std::string &File, ProjectEffects Kind) {
  return summaryIfAtHand(File, Kind) != nullptr;
}

bool Project::anySummaryAtHand(const std::string &File) {
  auto Now = std::chrono::steady_clock::now();
  std::shared_lock<std::shared_mutex> Lock(AtHandMu);
  for (const auto &Made : AtHand)
    if (freshIn(Made, File, Now))
      return true;
  return false;
}

void Project::noteAtHand(const std::string &File, ProjectEffects Kind, const Module &Mod) {
  std::unique_lock<std::shared_mutex> Lock(AtHandMu);
  auto &Made = AtHand[static_cast<unsigned>(Kind)];
  if (Mod.Summary && !Mod.InProgress)
    Made[File] = {Mod.Checked, Mod.Summary};
  else
    Made.erase(File);
}

void Project::finishFacts(ProcessFacts &F) {
  if (F.May) {
    F.Binds.clear();
    F.Stars.clear();
    F.Digest = "processes";
    return;
  }
  std::vector<std::string> Lines;
  for (const auto &B : F.Binds)
    Lines.push_back(B.first().str() + "=" + B.second);
  for (const std::string &S : F.Stars)
    Lines.push_back("*" + S);
  llvm::sort(Lines);
  std::string All = llvm::join(Lines, "\n");
  std::array<uint8_t, 20> Bytes = llvm::SHA1::hash(llvm::arrayRefFromStringRef(All));
  F.Digest = "none-" + llvm::toHex(llvm::ArrayRef<uint8_t>(Bytes), /*LowerCase=*/true);
}

void Project::keepParse(const std::string &File, std::string &&Text, SyntaxTree &&Tree,
                        ProjectLink *Own) {
  // Short texts could move with their string (small-string storage): not worth keeping.
  constexpr size_t Budget = 8u << 20, Shortest = 256;
  if (!Inputs || Text.size() < Shortest || !Inputs->count(File))
    return;
  // Kept for a file that will be analysed: one with a word of a rule, or one that imports
  // something of the project with effects (a module that calls another's thread starter).
  if (!TriggerWords::meets(Words->needsIn(Text), RuleNeeds::AnyRule) &&
      !(Own && importsProjectEffects(Text, *Own, nullptr, ProjectEffects::Processes)))
    return;
  std::lock_guard<std::mutex> Lock(ModulesMu);
  if (KeptBytes + Text.size() > Budget || ParseTaken.count(File) || KeptParses.count(File))
    return;
  KeptBytes += Text.size();
  // The tree's source points into the string's buffer, which a move leaves where it is.
  KeptParses[File].reset(new ParsedModule{std::move(Text), std::move(Tree)});
}

std::unique_ptr<ParsedModule> Project::borrowParse(const std::string &File,
                                                   llvm::StringRef Text) {
  std::lock_guard<std::mutex> Lock(ModulesMu);
  auto It = KeptParses.find(File);
  if (It == KeptParses.end() || It->second->Text != Text)
    return nullptr;
  std::unique_ptr<ParsedModule> Out = std::move(It->second);
  KeptParses.erase(It);
  KeptBytes -= Out->Text.size();
  return Out;
}

void Project::returnParse(const std::string &File, std::unique_ptr<ParsedModule> Parse) {
  std::lock_guard<std::mutex> Lock(ModulesMu);
  // The analysis asked while it was lent (and parsed for itself): it is not wanted.
  if (ParseTaken.count(File) || KeptParses.count(File))
    return;
  KeptBytes += Parse->Text.size();
  KeptParses[File] = std::move(Parse);
}

std::unique_ptr<ParsedModule> Project::takeParse(const std::string &File) {
  std::lock_guard<std::mutex> Lock(ModulesMu);
  ParseTaken.insert(File);
  auto It = KeptParses.find(File);
  if (It == KeptParses.end())
    return nullptr;
  std::unique_ptr<ParsedModule> Out = std::move(It->second);
  KeptParses.erase(It);
  KeptBytes -= Out->Text.size();
  return Out;
}

// An entry: one line per summary it was made with ("<digest> <module>"; "-" for a module
// that had none), an empty line, then the summary as JSON.
std::optional<ModuleSummary> Project::cachedSummary(const std::string &Key, ProjectLink &Link) {
  std::optional<std::string> Value = Store->get("python-summary", Key);
  if (!Value)
    return std::nullopt;
  llvm::StringRef Rest = *Value;
  while (true) {
    auto [Line, After] = Rest.split('\n');
    if (After.size() == Rest.size())
      return std::nullopt; // no empty line: not an entry
    Rest = After;
    if (Line.empty())
      break;
    auto [Digest, Module] = Line.split(' ');
    if (Module.empty() || Link.moduleDigest(Module) != (Digest == "-" ? "" : Digest))
      return std::nullopt;
  }
  return moduleSummaryFromJson(Rest);
}

void Project::storeSummary(const std::string &Key, const ModuleSummary &S,
                           const std::vector<std::pair<std::string, std::string>> &Deps) {
  std::string Value;
  for (const auto &[Module, Digest] : Deps) {
    if (Module.find_first_of(" \n") != std::string::npos)
      return;
    Value += (Digest.empty() ? std::string("-") : Digest) + " " + Module + "\n";
  }
  Value += "\n" + toJson(S);
  Store->put("python-summary", Key, Value);
}

const std::string &Project::digest(const ModuleSummary &S) {
  std::lock_guard<std::mutex> Lock(DigestMu);
  if (S.Digest.empty())
    S.Digest = digestOf(S);
  return S.Digest;
}

const FunctionSummary *Project::function(llvm::StringRef Qualified, llvm::StringRef ImportRoot,
                                         std::map<std::string, std::string> &Deps,
                                         Keeper &Keep, unsigned Depth, ProjectEffects Kind) {
  if (Depth > MaxReExportDepth || Qualified.empty() || Api->lookupWithPrefixes(Qualified))
    return nullptr;
  llvm::SmallVector<llvm::StringRef, 6> Parts;
  Qualified.split(Parts, '.');
  for (size_t I = Parts.size() - 1; I >= 1; --I) {
    std::string Mod = llvm::join(Parts.begin(), Parts.begin() + I, ".");
    auto [File, Root] = findModule(Mod, ImportRoot);
    if (File.empty()) {
      Deps.emplace(Mod, ""); // absent (see FileLink::hasModule)
      continue;
    }
    ProjectEffects Made = kindToMake(File, Kind);
    const ModuleSummary *S = summaryOf(File, Mod, Root, Keep, Made);
    if (!S)
      return nullptr; // being summarised: see FileLink::module
    Deps[dependencyName(Mod, Made)] = digest(*S);
    std::string Rest = llvm::join(Parts.begin() + I, Parts.end(), ".");
    auto It = S->Functions.find(Rest);
    if (It != S->Functions.end())
      return &It->second;
    auto Re = S->Imports.find(Parts[I]);
    if (Re != S->Imports.end()) {
      std::string Target = Re->second;
      for (size_t J = I + 1; J < Parts.size(); ++J)
        Target += "." + Parts[J].str();
      return function(Target, Root, Deps, Keep, Depth + 1, Kind);
    }
    return nullptr;
  }
  return nullptr;
}

std::shared_ptr<Project> ProjectSet::forFile(llvm::StringRef File,
                                             std::shared_ptr<const Config> Cfg) {
  return forLayout(Project::layoutOf(File), std::move(Cfg));
}

std::unique_ptr<ProjectLink> ProjectSet::linkFor(llvm::StringRef File,
                                                 std::shared_ptr<const Config> Cfg,
                                                 bool RecordDependencies) {
  Project::Layout L = Project::layoutOf(File);
  return forLayout(L, std::move(Cfg))->linkFor(L, RecordDependencies);
}

std::shared_ptr<Project> ProjectSet::forLayout(const Project::Layout &L,
                                               std::shared_ptr<const Config> Cfg) {
  std::lock_guard<std::mutex> Lock(Mu);
  std::string Key = keyOf(L);
  std::shared_ptr<Project> &P = ByRoot[Key];
  if (!P) {
    P = std::make_shared<Project>(L.Root, Cfg, L.Only);
    P->setCache(Store);
    P->setInputs(Inputs);
    if (Observer)
      P->setObserver([O = Observer, Key](llvm::StringRef Path) { O(Key, Path); });
  }
  return P;
}

void ProjectSet::setInputs(const std::vector<std::string> &Files) {
  auto Set = std::make_shared<llvm::StringSet<>>();
  for (const std::string &F : Files)
    Set->insert(absolute(F));
  std::lock_guard<std::mutex> Lock(Mu);
  Inputs = std::move(Set);
}

} // namespace python
} // namespace forksafe
