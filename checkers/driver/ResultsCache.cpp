#include "ResultsCache.h"

#include "llvm/Support/JSON.h"

#include "core/DiagnosticJson.h"

namespace forksafe {

namespace {
constexpr llvm::StringLiteral Kind = "python-results";
}

std::string ResultsCache::pythonKey(llvm::StringRef Path, llvm::StringRef Bytes, const Config &Cfg,
                                    llvm::StringRef Checks) {
  return cacheKey({Kind, Path, Bytes, Cfg.Digest, Checks});
}

// An entry: one line per dependency ("<digest> <name>"), an empty line, then the findings as JSON.
bool ResultsCache::get(llvm::StringRef Key, llvm::function_ref<std::string(llvm::StringRef)> CurrentDigest,
                       std::vector<Diagnostic> &Diags) {
  std::optional<std::string> Value = Store->get(Kind, Key);
  if (!Value)
    return false;
  llvm::StringRef Rest = *Value;
  while (true) {
    auto [Line, After] = Rest.split('\n');
    if (Line.empty() && After.size() < Rest.size()) {
      Rest = After;
      break;
    }
    auto [Digest, Name] = Line.split(' ');
    if (Name.empty() || After.size() == Rest.size() || CurrentDigest(Name) != (Digest == "-" ? "" : Digest))
      return false;
    Rest = After;
  }
  std::vector<InputError> Errors;
  std::vector<Diagnostic> Found;
  if (!diagnosticsFromJson(Rest, Found, Errors) || !Errors.empty())
    return false;
  Diags = std::move(Found);
  return true;
}

void ResultsCache::put(llvm::StringRef Key, const std::vector<Dependency> &Deps,
                       const std::vector<Diagnostic> &Diags) {
  std::string Value;
  for (const Dependency &D : Deps) {
    if (D.first.find_first_of(" \n") != std::string::npos || D.second.find_first_of(" \n") != std::string::npos ||
        D.first.empty() || D.second == "-")
      return; // not representable: do not cache rather than cache wrongly
    // "-": a module asked about that did not exist (its digest is "" while it does not).
    Value += (D.second.empty() ? std::string("-") : D.second) + " " + D.first + "\n";
  }
  // JSON holds UTF-8 only: a file name or text that is not would come back changed.
  auto Utf8 = [](const std::string &S) { return llvm::json::isUTF8(S); };
  for (const Diagnostic &D : Diags) {
    if (!Utf8(D.Loc.File) || !Utf8(D.Message))
      return;
    for (const Note &N : D.Notes)
      if (!Utf8(N.Loc.File) || !Utf8(N.Message))
        return;
  }
  Value += "\n";
  Value += diagnosticsToJson(Diags, {});
  Store->put(Kind, Key, Value);
}

} // namespace forksafe
