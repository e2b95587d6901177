//===--- LspDocuments.cpp - Open documents of the language server -----------===//
#include "LspDocuments.h"

#include <algorithm>
#include <cstring>

namespace forksafe {
namespace lsp {

void LineIndex::build(llvm::StringRef Text) {
  Starts.clear();
  Starts.push_back(0);
  const char *Begin = Text.data(), *End = Begin + Text.size();
  for (const char *P = Begin; P < End;) {
    const void *NL = std::memchr(P, '\n', End - P);
    if (!NL)
      break;
    P = static_cast<const char *>(NL) + 1;
    Starts.push_back(P - Begin);
  }
}

size_t LineIndex::lineOf(size_t Offset) const {
  return std::upper_bound(Starts.begin(), Starts.end(), Offset) - Starts.begin() - 1;
}

void Document::setText(std::string NewText) {
  Text = std::move(NewText);
  Lines.build(Text);
  MemoLine = SIZE_MAX;
}

/// UTF-16 units of the UTF-8 sequence starting with byte C (continuation bytes count 0).
static unsigned utf16Units(unsigned char C) {
  if ((C & 0xC0) == 0x80)
    return 0;
  return C >= 0xF0 ? 2 : 1;
}

size_t Document::offset(int64_t Line, int64_t Char, bool Utf8) const {
  if (Line < 0)
    return 0;
  if ((uint64_t)Line >= Lines.lines())
    return Text.size();
  size_t Start = Lines.start(Line);
  size_t End = (uint64_t)Line + 1 < Lines.lines() ? Lines.start(Line + 1) - 1 : Text.size();
  if (End > Start && Text[End - 1] == '\r')
    --End;
  if (Char <= 0)
    return Start;
  if (Utf8)
    return std::min<size_t>(Start + Char, End);
  int64_t Units = 0;
  size_t I = Start;
  while (I < End) {
    unsigned char C = Text[I];
    unsigned U = C < 0x80 ? 1 : C >= 0xF0 ? 2 : 1;
    if (Units + U > Char)
      break;
    Units += U;
    // Step over the whole character.
    ++I;
    while (I < End && (static_cast<unsigned char>(Text[I]) & 0xC0) == 0x80)
      ++I;
    if (Units == Char)
      break;
  }
  return I;
}

bool Document::applyChange(int64_t StartLine, int64_t StartChar, int64_t EndLine, int64_t EndChar,
                           llvm::StringRef NewText, bool Utf8) {
  size_t From = offset(StartLine, StartChar, Utf8), To = offset(EndLine, EndChar, Utf8);
  if (To < From)
    return false;
  // The edit in tree-sitter's terms: bytes, and points as (row, byte column).
  TSInputEdit E;
  E.start_byte = From;
  E.old_end_byte = To;
  E.new_end_byte = From + NewText.size();
  size_t SL = Lines.lineOf(From), EL = Lines.lineOf(To);
  E.start_point = {static_cast<uint32_t>(SL), static_cast<uint32_t>(From - Lines.start(SL))};
  E.old_end_point = {static_cast<uint32_t>(EL), static_cast<uint32_t>(To - Lines.start(EL))};
  size_t Breaks = std::count(NewText.begin(), NewText.end(), '\n');
  size_t LastBreak = NewText.rfind('\n');
  E.new_end_point = Breaks ? TSPoint{static_cast<uint32_t>(SL + Breaks),
                                     static_cast<uint32_t>(NewText.size() - LastBreak - 1)}
                           : TSPoint{E.start_point.row, static_cast<uint32_t>(E.start_point.column + NewText.size())};
  if (From + NewText.size() + (Text.size() - To) >= (1ull << 31)) {
    Tree.reset(); // beyond tree-sitter's 32-bit offsets: the analyzer reports the size
  } else {
    Tree.edit(E);
  }
  Text.replace(From, To - From, NewText.data(), NewText.size());
  Lines.build(Text);
  MemoLine = SIZE_MAX;
  return true;
}

unsigned Document::character(unsigned Line, unsigned ByteColumn, bool Utf8) const {
  if (ByteColumn <= 1)
    return 0;
  if (Utf8 || Line == 0 || Line > Lines.lines())
    return ByteColumn - 1;
  size_t L = Line - 1;
  size_t Start = Lines.start(L);
  size_t End = L + 1 < Lines.lines() ? Lines.start(L + 1) : Text.size();
  size_t Target = std::min(Start + ByteColumn - 1, End);
  size_t I = Start;
  unsigned Units = 0;
  if (MemoLine == L && MemoByte <= Target) {
    I = MemoByte;
    Units = MemoUnits;
  }
  for (; I < Target; ++I)
    Units += utf16Units(Text[I]);
  MemoLine = L;
  MemoByte = I;
  MemoUnits = Units;
  return Units;
}

std::pair<unsigned, unsigned> Document::position(size_t Offset, bool Utf8) const {
  Offset = std::min(Offset, Text.size());
  size_t L = Lines.lineOf(Offset);
  return {static_cast<unsigned>(L),
          character(static_cast<unsigned>(L + 1), static_cast<unsigned>(Offset - Lines.start(L) + 1), Utf8)};
}

} // namespace lsp
} // namespace forksafe
