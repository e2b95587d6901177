//===--- CheckCatalog.h - Every check of both analyzers, with its docs ------===//
#ifndef FORKSAFE_DRIVER_CHECKCATALOG_H
#define FORKSAFE_DRIVER_CHECKCATALOG_H

#include "core/Reporters.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace forksafe {

struct CatalogEntry {
  std::string Id;
  bool Python = false, Cpp = false;
  bool HasFix = false;
  bool OffByDefault = false; ///< not in DefaultChecks: only an explicit selection runs it
  std::string Summary;  ///< the docs page's first paragraph
  std::string Markdown; ///< the whole docs page ("" if it has none)
};

/// The Python rules and the clang-tidy module's checks, merged by id, sorted.
const std::vector<CatalogEntry> &checkCatalog();
const CatalogEntry *findCheck(llvm::StringRef Id);
std::vector<CheckDescription> checkDescriptions();

/// The check pages' URL when neither --docs-url nor `docs-url` says: the build's
/// FORKSAFE_DOCS_URL if set, else the installed pages (<prefix>/share/doc/forksafe/checks/
/// beside bin/forksafe), else the source tree's docs/checks/ (a build tree); "" if none exists.
std::string defaultDocsUrl();

/// The docs URL for a run: Option (--docs-url) if given, else `docs-url` of the configuration
/// that applies to the working directory (ConfigFile: --config), else defaultDocsUrl().
std::string docsUrlFor(const std::string &Option, const std::string &ConfigFile);

} // namespace forksafe

#endif
