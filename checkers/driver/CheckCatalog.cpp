#include "CheckCatalog.h"

#include "EmbeddedDocs.h"
#include "cpp/CppAnalyzer.h"
#include "python/PythonAnalyzer.h"

#include "core/Config.h"
#include "core/Uri.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <map>

namespace forksafe {

/// The first paragraph after the title, joined into one line.
static std::string summaryOf(llvm::StringRef Markdown) {
  llvm::SmallVector<llvm::StringRef, 16> Lines;
  Markdown.split(Lines, '\n');
  std::string Out;
  bool Started = false;
  for (llvm::StringRef L : Lines) {
    L = L.trim();
    if (!L.empty() && L.front() == '#') {
      if (Started)
        break;
      continue;
    }
    if (L.empty()) {
      if (Started)
        break;
      continue;
    }
    Started = true;
    if (!Out.empty())
      Out += ' ';
    Out += L.str();
  }
  return Out;
}

const std::vector<CatalogEntry> &checkCatalog() {
  static const std::vector<CatalogEntry> Catalog = [] {
    std::map<std::string, CatalogEntry> ById;
    for (const python::RuleInfo &R : python::rules()) {
      CatalogEntry &E = ById[R.Id];
      E.Id = R.Id;
      E.Python = true;
      E.HasFix |= R.HasFix;
    }
    for (const std::string &Name : cpp::checkNames()) {
      CatalogEntry &E = ById[Name];
      E.Id = Name;
      E.Cpp = true;
    }
    for (const std::string &Name : cpp::checksWithFixes())
      ById[Name].HasFix = true;
    // Checks of the driver itself, over the suppression comments of Python files.
    CatalogEntry &Unused = ById["forksafe-unused-suppression"];
    Unused.Id = "forksafe-unused-suppression";
    Unused.Python = true;
    Unused.HasFix = true;
    Unused.OffByDefault = true;
    for (const DocPage &Page : docPages()) {
      auto It = ById.find(Page.Id);
      if (It == ById.end())
        continue; // a page for a check not built in: nothing to list
      It->second.Markdown = Page.Markdown;
      It->second.Summary = summaryOf(Page.Markdown);
    }
    std::vector<CatalogEntry> Out;
    for (auto &KV : ById)
      Out.push_back(std::move(KV.second));
    return Out;
  }();
  return Catalog;
}

const CatalogEntry *findCheck(llvm::StringRef Id) {
  for (const CatalogEntry &E : checkCatalog())
    if (E.Id == Id)
      return &E;
  return nullptr;
}

std::vector<CheckDescription> checkDescriptions() {
  std::vector<CheckDescription> Out;
  for (const CatalogEntry &E : checkCatalog())
    Out.push_back({E.Id, E.Summary, E.Markdown});
  return Out;
}

std::string defaultDocsUrl() {
  if (*FORKSAFE_DOCS_URL)
    return FORKSAFE_DOCS_URL;
  auto AsUrl = [](llvm::StringRef Dir) { return fileUri(Dir) + "/"; };
  static int Anchor;
  std::string Exe = llvm::sys::fs::getMainExecutable(nullptr, &Anchor);
  if (!Exe.empty()) {
    llvm::SmallString<256> Installed(llvm::sys::path::parent_path(llvm::sys::path::parent_path(Exe)));
    llvm::sys::path::append(Installed, "share", "doc", "forksafe", "checks");
    if (llvm::sys::fs::is_directory(Installed))
      return AsUrl(Installed);
  }
  if (llvm::sys::fs::is_directory(FORKSAFE_SOURCE_DOCS))
    return AsUrl(FORKSAFE_SOURCE_DOCS);
  return "";
}

std::string docsUrlFor(const std::string &Option, const std::string &ConfigFile) {
  if (!Option.empty())
    return Option;
  std::vector<InputError> Ignored; // the run reports configuration errors itself
  ConfigFinder Finder(ConfigFile);
  auto Cfg = Finder.forFile("./.forksafe-report", Ignored);
  if (Cfg && Cfg->DocsUrl)
    return *Cfg->DocsUrl;
  return defaultDocsUrl();
}

} // namespace forksafe
