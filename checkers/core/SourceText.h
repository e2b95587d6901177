//===--- SourceText.h - From a file's bytes to analysable UTF-8 text --------===//
#ifndef FORKSAFE_CORE_SOURCETEXT_H
#define FORKSAFE_CORE_SOURCETEXT_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace forksafe {

struct DecodedSource {
  std::string Text;          ///< UTF-8, without a byte order mark
  unsigned BomBytes = 0;     ///< bytes of a UTF-8 BOM removed from the front (line 1 shifts)
  bool Transcoded = false;   ///< converted from a PEP 263 encoding: byte offsets differ from the file
  /// [begin, end) byte ranges of Text whose data literals were blanked (blankLongDataLiterals):
  /// a fix that edits them would be built from spaces, so the driver drops it.
  std::vector<std::pair<size_t, size_t>> Blanked;
};

/// Data literals (list, tuple, set and dict displays of numbers, strings, True/False/None)
/// at least this long have their inside blanked before parsing (DataLiterals.cpp).
constexpr size_t MinBlankedLiteralBytes = 4096;

/// Replaces the inside of each well-formed data literal of at least MinBytes by spaces
/// (newlines and comments kept: offsets, lines and columns do not move), so a generated table
/// costs the parser and the semantic model nothing. No rule can fire inside such a literal.
/// Returns the blanked ranges.
std::vector<std::pair<size_t, size_t>> blankLongDataLiterals(std::string &Text,
                                                             size_t MinBytes = MinBlankedLiteralBytes);

/// Turns the bytes of a Python file into UTF-8 text as the interpreter would read it:
/// UTF-8 (with or without BOM), or the encoding of a PEP 263 declaration on line 1 or 2.
/// On failure returns nullopt and sets Error to a sentence fit for the user. With Blank, long
/// data literals are blanked (blankLongDataLiterals); a caller that may not parse the text at all
/// passes false and blanks only when it does.
std::optional<DecodedSource> decodePythonSource(llvm::StringRef Bytes, std::string &Error, bool Blank = true);

/// Whether decodePythonSource(Bytes, Error, /*Blank=*/false) would give Bytes themselves:
/// no NUL byte, no byte order mark, no PEP 263 declaration of another encoding than UTF-8,
/// valid UTF-8 and no lone carriage return. Answered without a copy of the text.
bool isPlainPythonSource(llvm::StringRef Bytes);

/// Returns the byte offset of the first invalid UTF-8 sequence, or npos.
size_t findInvalidUTF8(llvm::StringRef Bytes);

/// Bytes as valid UTF-8 for JSON and SARIF: each byte of an invalid sequence (a non-UTF-8
/// file name, an excerpt cut inside a character) becomes U+FFFD. Valid text is unchanged.
std::string replaceInvalidUTF8(llvm::StringRef Bytes);

/// Bytes as valid UTF-8 for text output: each byte of an invalid sequence is written as the
/// four characters \xNN, so the reader can still tell which name was meant.
std::string escapeInvalidUTF8(llvm::StringRef Bytes);

/// Turns each lone CR (a line ending CPython accepts, as old Mac files use) into LF, in place.
/// One byte for one byte: offsets, lines and columns stay those of the file, where a lone CR
/// ends a line as it does for Python.
void normalizeLoneCR(std::string &Text);

} // namespace forksafe

#endif
