//===--- Uri.h - file paths as URIs (SARIF, LSP) -----------------------------===//
#ifndef FORKSAFE_CORE_URI_H
#define FORKSAFE_CORE_URI_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace forksafe {

/// Percent-encodes every byte of Path but unreserved characters and '/' (RFC 3986).
std::string percentEncodePath(llvm::StringRef Path);

/// "file://" + the percent-encoded absolute path.
std::string fileUri(llvm::StringRef AbsolutePath);

/// The path of a file:// URI, percent-decoded; nullopt for other schemes.
std::optional<std::string> pathOfFileUri(llvm::StringRef Uri);

} // namespace forksafe

#endif
