//===--- LspDocuments.h - Open documents of the language server -------------===//
//
// The editor's text of each open document, with a line index so that every LSP position
// (UTF-16 or UTF-8 units, 0-based) converts to a byte offset and back in time proportional to
// its line, never to the document: publishing 100,000 findings stays linear.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_DRIVER_LSPDOCUMENTS_H
#define FORKSAFE_DRIVER_LSPDOCUMENTS_H

#include "core/Diagnostic.h"
#include "python/SyntaxTree.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace forksafe {
namespace lsp {

/// Byte offsets of line starts in a text (lines end at '\n'; a '\r' before it is part of the line).
class LineIndex {
public:
  void build(llvm::StringRef Text);
  size_t lines() const { return Starts.size(); }
  size_t start(size_t Line) const { return Starts[Line]; }
  /// The 0-based line holding byte Offset.
  size_t lineOf(size_t Offset) const;

private:
  std::vector<size_t> Starts{0};
};

class Document {
public:
  std::string Uri;
  std::string Path;       ///< the file's path; for other schemes a name inside the workspace
  std::string LanguageId; ///< as the editor gave it ("python", "c", "cpp", ...)
  int64_t Version = 0;
  python::KeptTree Tree;  ///< the last parse (Python), edited along with the text
  std::vector<Diagnostic> Diags; ///< the last findings published
  bool Published = false; ///< the last publication was not empty
  bool Unsaved = false;   ///< edited since opened or saved

  const std::string &text() const { return Text; }
  void setText(std::string NewText);

  /// Applies one incremental change (0-based positions in the agreed units). Positions past a
  /// line's end or the document's end are clamped, as the protocol asks. Returns false when the
  /// range is backwards (the change is ignored).
  bool applyChange(int64_t StartLine, int64_t StartChar, int64_t EndLine, int64_t EndChar,
                   llvm::StringRef NewText, bool Utf8);

  /// The LSP character of a 1-based line and 1-based byte column of the analyzers.
  /// Conversions along one line in increasing column order cost the line's length once.
  unsigned character(unsigned Line, unsigned ByteColumn, bool Utf8) const;
  /// The 0-based LSP line and character of a byte offset.
  std::pair<unsigned, unsigned> position(size_t Offset, bool Utf8) const;
  /// The byte offset of a 0-based LSP position.
  size_t offset(int64_t Line, int64_t Char, bool Utf8) const;

private:
  std::string Text;
  LineIndex Lines;
  // The last conversion of character(): continuing along the same line resumes from it.
  mutable size_t MemoLine = SIZE_MAX, MemoByte = 0;
  mutable unsigned MemoUnits = 0;
};

} // namespace lsp
} // namespace forksafe

#endif
