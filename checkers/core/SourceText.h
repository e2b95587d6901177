//===--- SourceText.h - From a file's bytes to analysable UTF-8 text --------===//
#ifndef FORKSAFE_CORE_SOURCETEXT_H
#define FORKSAFE_CORE_SOURCETEXT_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace forksafe {

struct DecodedSource {
  std::string Text;          ///< UTF-8, without a byte order mark
  unsigned BomBytes = 0;     ///< bytes of a UTF-8 BOM removed from the front (line 1 shifts)
  bool Transcoded = false;   ///< converted from a PEP 263 encoding: byte offsets differ from the file
};

/// Turns the bytes of a Python file into UTF-8 text as the interpreter would read it:
/// UTF-8 (with or without BOM), or the encoding of a PEP 263 declaration on line 1 or 2.
/// On failure returns nullopt and sets Error to a sentence fit for the user.
std::optional<DecodedSource> decodePythonSource(llvm::StringRef Bytes, std::string &Error);

/// Returns the byte offset of the first invalid UTF-8 sequence, or npos.
size_t findInvalidUTF8(llvm::StringRef Bytes);

} // namespace forksafe

#endif
