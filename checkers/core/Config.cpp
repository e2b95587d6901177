#include "Config.h"

#include "Cache.h"
#include "CheckGlobs.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "InputFile.h"

#include <toml++/toml.h>

namespace forksafe {

std::optional<PythonVersion> parsePythonVersion(llvm::StringRef Text) {
  Text = Text.trim();
  // Ruff's spelling: py38, py312 (also py3.12).
  if (Text.consume_front("py") && !Text.contains('.') && Text.size() >= 2) {
    unsigned Minor;
    if (Text.front() != '3' || Text.drop_front().getAsInteger(10, Minor))
      return std::nullopt;
    return PythonVersion{3, Minor};
  }
  auto [MajorText, Rest] = Text.split('.');
  llvm::StringRef MinorText = Rest.split('.').first;
  unsigned Major, Minor;
  if (MajorText.getAsInteger(10, Major) || MinorText.getAsInteger(10, Minor))
    return std::nullopt;
  return PythonVersion{Major, Minor};
}

std::optional<PythonVersion> lowerBoundOfRequiresPython(llvm::StringRef Spec) {
  // The lowest feature version the specifier admits: from `>=X.Y`, `~=X.Y`, `==X.Y.*`, `>X.Y`.
  std::optional<PythonVersion> Best;
  llvm::SmallVector<llvm::StringRef, 4> Clauses;
  Spec.split(Clauses, ',');
  for (llvm::StringRef Clause : Clauses) {
    Clause = Clause.trim();
    bool Strict = false;
    if (!Clause.consume_front(">=") && !Clause.consume_front("~=") && !Clause.consume_front("==")) {
      if (!Clause.consume_front(">"))
        continue; // `<`, `!=`: no lower bound
      Strict = true;
    }
    Clause = Clause.trim();
    Clause.consume_back(".*");
    auto V = parsePythonVersion(Clause);
    if (!V)
      continue;
    if (Strict && Clause.count('.') == 1)
      ++V->Minor; // >3.8 admits 3.8.1, but as a feature level it means 3.9 onwards
    if (!Best || V->atLeast(Best->Major, Best->Minor))
      Best = V;
  }
  return Best;
}

bool Config::ignores(llvm::StringRef File, llvm::StringRef Check) const {
  if (PerFileIgnores.empty())
    return false;
  llvm::SmallString<256> Abs(File);
  llvm::sys::fs::make_absolute(Abs);
  llvm::sys::path::remove_dots(Abs, /*remove_dot_dot=*/true);
  llvm::StringRef Rel = Abs;
  if (!Root.empty() && Rel.consume_front(Root))
    Rel.consume_front("/");
  llvm::StringRef Base = llvm::sys::path::filename(Abs);
  for (const PerFileIgnore &Entry : PerFileIgnores) {
    auto Pattern = llvm::GlobPattern::create(Entry.Glob);
    if (!Pattern) {
      llvm::consumeError(Pattern.takeError());
      continue;
    }
    bool Hit = Pattern->match(Rel) || (!llvm::StringRef(Entry.Glob).contains('/') && Pattern->match(Base));
    if (!Hit)
      continue;
    for (const std::string &C : Entry.Checks) {
      auto CheckPattern = llvm::GlobPattern::create(C);
      if (CheckPattern && CheckPattern->match(Check))
        return true;
      if (!CheckPattern)
        llvm::consumeError(CheckPattern.takeError());
    }
  }
  return false;
}

namespace {

class Reader {
public:
  Reader(std::string File, std::string Section, std::vector<InputError> &Errors)
      : File(std::move(File)), Section(std::move(Section)), Errors(Errors) {}

  void error(const std::string &Key, const std::string &What, const toml::node *Node = nullptr) {
    std::string Where = File;
    if (Node && Node->source().begin.line)
      Where += ":" + std::to_string(Node->source().begin.line);
    Errors.push_back({File, Where + ": " + Section + "." + Key + ": " + What});
  }

  std::optional<std::vector<std::string>> strings(const std::string &Key, const toml::node &Node) {
    std::vector<std::string> Out;
    if (auto S = Node.value<std::string>()) {
      Out.push_back(*S);
      return Out;
    }
    const toml::array *A = Node.as_array();
    if (!A) {
      error(Key, "expected a string or an array of strings", &Node);
      return std::nullopt;
    }
    for (const toml::node &Item : *A) {
      auto S = Item.value<std::string>();
      if (!S) {
        error(Key, "expected an array of strings", &Item);
        return std::nullopt;
      }
      Out.push_back(*S);
    }
    return Out;
  }

  std::vector<std::string> dottedNames(const std::string &Key, const toml::node &Node) {
    std::vector<std::string> Out;
    auto Names = strings(Key, Node);
    if (!Names)
      return Out;
    for (const std::string &N : *Names) {
      llvm::StringRef R(N);
      bool Ok = !R.empty() && R.front() != '.' && R.back() != '.' &&
                R.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") ==
                    llvm::StringRef::npos &&
                !R.contains("..");
      if (Ok)
        Out.push_back(N);
      else
        error(Key, "'" + N + "' is not a dotted name such as 'package.module.function'", &Node);
    }
    return Out;
  }

  std::string File, Section;
  std::vector<InputError> &Errors;
};

/// `cpp-options = { "forksafe-fork-after-thread.AssumeMultithreaded" = true, ... }`: the C/C++
/// checks' options as a .clang-tidy's CheckOptions names them ("check.Option", or a bare
/// "Option" for every check that reads it); values are strings, booleans or integers.
void readCppOptions(const std::string &Key, const toml::node &Value, Config &C, Reader &R) {
  const toml::table *Map = Value.as_table();
  if (!Map) {
    R.error(Key, "expected a table of \"forksafe-check.Option\" = value", &Value);
    return;
  }
  for (auto &&[NameNode, V] : *Map) {
    std::string Name(NameNode.str());
    llvm::StringRef N(Name);
    if (N.contains('.') && N.substr(0, 9) != "forksafe-") {
      R.error(Key, "'" + Name + "' is not an option of a forksafe check (\"forksafe-<check>.<Option>\")", &V);
      continue;
    }
    if (auto S = V.value<std::string>())
      C.CppCheckOptions[Name] = *S;
    else if (V.is_boolean())
      C.CppCheckOptions[Name] = *V.value<bool>() ? "true" : "false";
    else if (V.is_integer())
      C.CppCheckOptions[Name] = std::to_string(*V.value<int64_t>());
    else
      R.error(Key + "." + Name, "expected a string, a boolean or an integer", &V);
  }
}

void readForksafeTable(const toml::table &T, Config &C, Reader &R) {
  for (auto &&[KeyNode, Value] : T) {
    std::string Key(KeyNode.str());
    if (Key == "checks") {
      if (auto L = R.strings(Key, Value)) {
        std::string Joined;
        for (const std::string &S : *L)
          Joined += (Joined.empty() ? "" : ",") + S;
        C.Checks = Joined;
        // A misspelt check would silently select or ignore nothing.
        std::string Why = checkListProblem(Joined);
        if (!Why.empty())
          R.error(Key, Why, &Value);
      }
    } else if (Key == "target-version") {
      auto S = Value.value<std::string>();
      std::optional<PythonVersion> V;
      if (S)
        V = parsePythonVersion(*S);
      if (!V || V->Major != 3)
        R.error(Key, "expected a Python version such as \"py312\" or \"3.12\"", &Value);
      else
        C.TargetVersion = V;
    } else if (Key == "per-file-ignores") {
      const toml::table *Map = Value.as_table();
      if (!Map) {
        R.error(Key, "expected a table of glob = [check ids]", &Value);
        continue;
      }
      for (auto &&[Glob, Checks] : *Map) {
        auto L = R.strings(Key + "." + std::string(Glob.str()), Checks);
        if (!L)
          continue;
        auto Pattern = llvm::GlobPattern::create(Glob.str());
        if (!Pattern) {
          R.error(Key, "bad glob '" + std::string(Glob.str()) + "': " + llvm::toString(Pattern.takeError()),
                  &Checks);
          continue;
        }
        for (const std::string &Check : *L) {
          std::string Why = checkListProblem(Check);
          if (!Why.empty())
            R.error(Key + "." + std::string(Glob.str()), Why, &Checks);
        }
        C.PerFileIgnores.push_back({std::string(Glob.str()), *L});
      }
    } else if (Key == "docs-url") {
      if (auto S = Value.value<std::string>())
        C.DocsUrl = *S;
      else
        R.error(Key, "expected a URL string", &Value);
    } else if (Key == "extend-process-starters") {
      C.ProcessStarters = R.dottedNames(Key, Value);
    } else if (Key == "extend-thread-starters") {
      C.ThreadStarters = R.dottedNames(Key, Value);
    } else if (Key == "extend-cuda-initializers") {
      C.CudaInitializers = R.dottedNames(Key, Value);
    } else if (Key == "cpp-options") {
      readCppOptions(Key, Value, C, R);
    } else if (Key == "exclude") {
      if (auto L = R.strings(Key, Value))
        C.Exclude = *L;
    } else if (Key == "extend-exclude") {
      if (auto L = R.strings(Key, Value))
        C.ExtendExclude = *L;
    } else {
      R.error(Key, "unknown key (known: checks, target-version, per-file-ignores, exclude, extend-exclude, "
                   "extend-process-starters, extend-thread-starters, extend-cuda-initializers, cpp-options, docs-url)",
              &Value);
    }
  }
}

std::optional<toml::table> parseTomlText(llvm::StringRef Path, llvm::StringRef Text,
                                         std::vector<InputError> &Errors) {
  try {
    return toml::parse(std::string_view(Text.data(), Text.size()), std::string_view(Path.data(), Path.size()));
  } catch (const toml::parse_error &E) {
    Errors.push_back({Path.str(), Path.str() + ":" + std::to_string(E.source().begin.line) + ":" +
                                      std::to_string(E.source().begin.column) +
                                      ": invalid TOML: " + std::string(E.description())});
    return std::nullopt;
  }
}

std::optional<toml::table> parseToml(llvm::StringRef Path, std::vector<InputError> &Errors) {
  std::string Why;
  auto Buf = readRegularFile(Path, MaxConfigBytes, Why);
  if (!Buf) {
    Errors.push_back({Path.str(), Why});
    return std::nullopt;
  }
  return parseTomlText(Path, (*Buf)->getBuffer(), Errors);
}

std::optional<PythonVersion> requiresPython(const toml::table &Pyproject) {
  if (auto S = Pyproject["project"]["requires-python"].value<std::string>())
    return lowerBoundOfRequiresPython(*S);
  return std::nullopt;
}

} // namespace

static std::shared_ptr<const Config> loadConfig(llvm::StringRef Path, const llvm::StringRef *Text,
                                               std::vector<InputError> &Errors) {
  auto C = std::make_shared<Config>();
  llvm::SmallString<256> Abs(Path);
  llvm::sys::fs::make_absolute(Abs);
  llvm::sys::path::remove_dots(Abs, true);
  C->Path = std::string(Abs);
  C->Root = std::string(llvm::sys::path::parent_path(Abs));
  {
    // What follows reads at most this file and the pyproject.toml beside it (requires-python).
    llvm::SmallString<256> Sibling(C->Root);
    llvm::sys::path::append(Sibling, "pyproject.toml");
    std::string Read = C->Path;
    for (llvm::StringRef F : {llvm::StringRef(C->Path), llvm::StringRef(Sibling)}) {
      Read += '\0';
      if (Text && F == C->Path) {
        Read += *Text;
        continue;
      }
      std::string Why; // regular files only: a FIFO or /dev/zero is never read
      if (auto Buf = readRegularFile(F, MaxConfigBytes, Why))
        Read += (*Buf)->getBuffer();
    }
    C->Digest = contentDigest(Read);
  }
  auto Doc = Text ? parseTomlText(Path, *Text, Errors) : parseToml(Path, Errors);
  if (!Doc)
    return C;
  bool IsPyproject = llvm::sys::path::filename(Abs) == "pyproject.toml";
  if (IsPyproject) {
    Reader R(Path.str(), "tool.forksafe", Errors);
    if (const toml::table *T = (*Doc)["tool"]["forksafe"].as_table())
      readForksafeTable(*T, *C, R);
    if (!C->TargetVersion)
      C->TargetVersion = requiresPython(*Doc);
  } else {
    Reader R(Path.str(), "forksafe", Errors);
    readForksafeTable(*Doc, *C, R);
    if (!C->TargetVersion) {
      // A .forksafe.toml beside a pyproject.toml still honours its requires-python.
      llvm::SmallString<256> Sibling(C->Root);
      llvm::sys::path::append(Sibling, "pyproject.toml");
      std::vector<InputError> Ignored; // that file is reported where it is used as config
      if (!Text && llvm::sys::fs::exists(Sibling))
        if (auto P = parseToml(Sibling, Ignored))
          C->TargetVersion = requiresPython(*P);
    }
  }
  return C;
}

std::shared_ptr<const Config> loadConfigFile(llvm::StringRef Path, std::vector<InputError> &Errors) {
  return loadConfig(Path, nullptr, Errors);
}

std::shared_ptr<const Config> loadConfigText(llvm::StringRef Path, llvm::StringRef Text,
                                             std::vector<InputError> &Errors) {
  return loadConfig(Path, &Text, Errors);
}

static bool pyprojectConcernsUs(llvm::StringRef Path) {
  // A pyproject.toml counts only when it has [tool.forksafe] or requires-python; a cheap
  // textual look avoids parsing every pyproject on the way up.
  std::string Why;
  auto Buf = readRegularFile(Path, MaxConfigBytes, Why);
  if (!Buf)
    return true; // not readable as configuration: loading it reports why
  llvm::StringRef Text = (*Buf)->getBuffer();
  return Text.contains("tool.forksafe") || Text.contains("requires-python");
}

std::shared_ptr<const Config> ConfigFinder::forDirectory(const std::string &Start,
                                                         std::vector<InputError> &Errors) {
  // Upward, one folder at a time (a loop, not recursion: a path may have any number of
  // components), until a folder whose configuration is known or that holds one.
  std::vector<std::string> Walked;
  std::shared_ptr<const Config> Found;
  std::string Dir = Start;
  // No file can be opened at a path longer than PATH_MAX: start below it (a name of 20,000
  // components would otherwise cost 20,000 lookups and cache entries of 20 KB each).
  if (Dir.size() >= 4096) {
    size_t Cut = llvm::StringRef(Dir).rfind('/', 4095);
    Dir = Cut == llvm::StringRef::npos || Cut == 0 ? "/" : Dir.substr(0, Cut);
  }
  while (true) {
    {
      std::lock_guard<std::mutex> Lock(Mutex);
      auto It = ByDirectory.find(Dir);
      if (It != ByDirectory.end()) {
        Found = It->second;
        break;
      }
    }
    llvm::SmallString<256> Candidate(Dir);
    llvm::sys::path::append(Candidate, ".forksafe.toml");
    if (llvm::sys::fs::exists(Candidate)) {
      Found = loadConfigFile(Candidate, Errors);
    } else {
      Candidate = Dir;
      llvm::sys::path::append(Candidate, "pyproject.toml");
      if (llvm::sys::fs::exists(Candidate) && pyprojectConcernsUs(Candidate))
        Found = loadConfigFile(Candidate, Errors);
    }
    if (Walked.size() > 256)
      Walked.resize(1);
    Walked.push_back(Dir);
    if (Found)
      break;
    llvm::StringRef Parent = llvm::sys::path::parent_path(Dir);
    if (Parent.empty() || Parent == Dir) {
      Found = std::make_shared<Config>();
      break;
    }
    Dir = Parent.str();
  }
  // Every folder on the way shares the answer; on an absurdly deep path only some are
  // remembered, so neither the walk nor the cache holds the square of the path's length.
  std::lock_guard<std::mutex> Lock(Mutex);
  for (const std::string &D : Walked)
    ByDirectory.emplace(D, Found);
  if (Start.size() >= 4096)
    return Found;
  return ByDirectory.emplace(Start, Found).first->second;
}

std::shared_ptr<const Config> ConfigFinder::forFile(llvm::StringRef File, std::vector<InputError> &Errors) {
  if (!Explicit.empty()) {
    std::lock_guard<std::mutex> Lock(Mutex);
    if (!ExplicitConfig)
      ExplicitConfig = loadConfigFile(Explicit, Errors);
    return ExplicitConfig;
  }
  llvm::SmallString<256> Abs(File);
  llvm::sys::fs::make_absolute(Abs);
  llvm::sys::path::remove_dots(Abs, true);
  return forDirectory(std::string(llvm::sys::path::parent_path(Abs)), Errors);
}

} // namespace forksafe
