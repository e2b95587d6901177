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
  std::string Summary;  ///< the docs page's first paragraph
  std::string Markdown; ///< the whole docs page ("" if it has none)
};

/// The Python rules and the clang-tidy module's checks, merged by id, sorted.
const std::vector<CatalogEntry> &checkCatalog();
const CatalogEntry *findCheck(llvm::StringRef Id);
std::vector<CheckDescription> checkDescriptions();

} // namespace forksafe

#endif
