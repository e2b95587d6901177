//===--- DataLiterals.cpp - Blanking the inside of long data literals -------===//
//
// A Python file that is mostly one data literal (a generated table: `DATA = [1, 2, ...]`) costs
// tree-sitter and the semantic model a node or more per element, ~280 bytes per input byte in
// all. Such a literal can hold no call, import or name, so no rule can fire inside it: its
// inside is replaced by spaces (newlines and comments kept, so every offset, line and column
// is unchanged) before parsing. Only literals that are well formed (values separated by
// commas, `key: value` in braces) and stand where a display can (not a call's arguments or a
// subscript) are blanked, so no syntax error is hidden and no argument disappears.
//
//===----------------------------------------------------------------------===//
#include "SourceText.h"

#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace forksafe {

namespace {

bool isIdentStart(unsigned char C) { return C == '_' || ((C | 0x20) >= 'a' && (C | 0x20) <= 'z') || C >= 0x80; }
bool isIdentChar(unsigned char C) { return isIdentStart(C) || (C >= '0' && C <= '9'); }

/// What a byte can start, for the pass over every byte of a text (blankLongDataLiterals): one
/// table look instead of a chain of comparisons, and the string-prefix test only for the
/// bytes that can begin a string.
enum ByteClass : uint8_t {
  Skipped = 1,      ///< white space and a backslash
  Word = 2,         ///< isIdentChar
  StringStart = 4,  ///< a quote, or a letter of a string prefix (r, b, u, f, t)
};
struct ByteClasses {
  uint8_t Of[256] = {};
  ByteClasses() {
    for (unsigned C = 0; C < 256; ++C) {
      if (isIdentChar(C))
        Of[C] |= Word;
      if (C == '\'' || C == '"' || llvm::StringRef("rbuftRBUFT").contains(static_cast<char>(C)))
        Of[C] |= StringStart;
    }
    for (char C : {' ', '\t', '\n', '\f', '\r', '\\'})
      Of[static_cast<unsigned char>(C)] |= Skipped;
  }
};
const ByteClasses Classes;

/// If a string literal starts at I (after an optional prefix), returns its prefix length and
/// sets Formatted for f/t-strings; otherwise returns npos.
size_t stringPrefixAt(llvm::StringRef T, size_t I, bool &Formatted) {
  size_t J = I;
  while (J < T.size() && J - I < 3 && isIdentChar(T[J]) && T[J] != '_')
    ++J;
  if (J >= T.size() || (T[J] != '\'' && T[J] != '"'))
    return llvm::StringRef::npos;
  Formatted = false;
  for (size_t K = I; K < J; ++K) {
    char C = T[K] | 0x20;
    if (C == 'f' || C == 't')
      Formatted = true;
    else if (C != 'r' && C != 'b' && C != 'u')
      return llvm::StringRef::npos;
  }
  return J - I;
}

/// Index just past the string literal whose opening quote is at Q (f-strings with their
/// replacement fields, nested strings included); T.size() if it never ends.
size_t skipString(llvm::StringRef T, size_t Q, bool Formatted) {
  if (!Formatted) {
    // Most strings: no replacement fields, so nothing nests. A triple-quoted one (a
    // docstring) is crossed by the C library's memchr from quote to quote.
    const char Quote = T[Q];
    const bool Triple = Q + 2 < T.size() && T[Q + 1] == Quote && T[Q + 2] == Quote;
    if (Triple) {
      for (size_t I = Q + 3; I < T.size();) {
        const void *Hit = std::memchr(T.data() + I, Quote, T.size() - I);
        if (!Hit)
          return T.size();
        size_t At = static_cast<const char *>(Hit) - T.data();
        size_t Slashes = 0;
        while (At - Slashes > Q + 3 && T[At - Slashes - 1] == '\\')
          ++Slashes;
        if (Slashes % 2 == 0 && At + 2 < T.size() && T[At + 1] == Quote && T[At + 2] == Quote)
          return At + 3;
        I = At + 1;
      }
      return T.size();
    }
    for (size_t I = Q + 1; I < T.size(); ++I) {
      char Ch = T[I];
      if (Ch == '\\')
        ++I;
      else if (Ch == Quote || Ch == '\n')
        return I + 1; // (unterminated at the line's end: Python reports it; stop there)
    }
    return T.size();
  }
  struct Ctx {
    char Quote;
    bool Triple, Formatted;
    int Depth; // brackets open in a replacement field; -1: in the string's text
    bool Spec; // in a format spec (after ':'), which ends at '}'
  };
  std::vector<Ctx> Stack;
  auto Open = [&](size_t At, bool F) {
    char Qc = T[At];
    bool Triple = T.substr(At, 3) == llvm::StringRef(std::string(3, Qc));
    Stack.push_back({Qc, Triple, F, -1, false});
    return At + (Triple ? 3 : 1);
  };
  size_t I = Open(Q, Formatted);
  while (I < T.size() && !Stack.empty()) {
    Ctx &C = Stack.back();
    char Ch = T[I];
    if (C.Depth < 0) { // string text (or a format spec)
      if (Ch == '\\') {
        I += 2;
        continue;
      }
      if (Ch == '\n' && !C.Triple && !C.Spec) {
        Stack.pop_back(); // unterminated: Python reports it; stop here
        ++I;
        continue;
      }
      if (!C.Spec && Ch == C.Quote &&
          (!C.Triple || T.substr(I, 3) == llvm::StringRef(std::string(3, C.Quote)))) {
        I += C.Triple ? 3 : 1;
        Stack.pop_back();
        continue;
      }
      if (C.Formatted && Ch == '{') {
        if (!C.Spec && I + 1 < T.size() && T[I + 1] == '{') {
          I += 2;
          continue;
        }
        C.Depth = 0;
        ++I;
        continue;
      }
      if (C.Spec && Ch == '}') {
        C.Spec = false; // the replacement field ends with its spec
        ++I;
        continue;
      }
      ++I;
      continue;
    }
    // Inside a replacement field: code.
    bool F;
    if (size_t P = stringPrefixAt(T, I, F); P != llvm::StringRef::npos) {
      I = Open(I + P, F);
      continue;
    }
    if (Ch == '(' || Ch == '[' || Ch == '{')
      ++C.Depth;
    else if ((Ch == ')' || Ch == ']') && C.Depth > 0)
      --C.Depth;
    else if (Ch == '}') {
      if (C.Depth > 0)
        --C.Depth;
      else
        C.Depth = -1;
    } else if (Ch == ':' && C.Depth == 0) {
      C.Depth = -1;
      C.Spec = true;
    }
    ++I;
  }
  return std::min(I, T.size());
}

struct Span {
  size_t Begin, End; // the opener and one past the closer
};

/// Tries to read a well-formed data literal whose opener is at Start. Returns its end, or
/// npos with Failed set to where it stopped; complete literals inside it go to Inner either way.
size_t readLiteral(llvm::StringRef T, size_t Start, size_t &Failed, std::vector<Span> &Inner) {
  struct Level {
    size_t Begin;
    char Closer;
    bool Braces;
    bool AfterValue = false;
    bool InDictValue = false;
    bool LastWasString = false;
    bool PendingUnary = false;
  };
  std::vector<Level> Stack;
  auto Push = [&](size_t At) {
    char C = T[At];
    Stack.push_back({At, C == '(' ? ')' : C == '[' ? ']' : '}', C == '{'});
  };
  Push(Start);
  size_t I = Start + 1;
  while (I < T.size()) {
    Level &L = Stack.back();
    unsigned char Ch = T[I];
    if (Ch == ' ' || Ch == '\t' || Ch == '\n' || Ch == '\f' || Ch == '\r') {
      ++I;
      continue;
    }
    if (Ch == '\\' && I + 1 < T.size() && T[I + 1] == '\n') {
      I += 2;
      continue;
    }
    if (Ch == '#') {
      size_t Nl = T.find('\n', I);
      I = Nl == llvm::StringRef::npos ? T.size() : Nl;
      continue;
    }
    bool Formatted;
    size_t Prefix = stringPrefixAt(T, I, Formatted);
    if (Prefix != llvm::StringRef::npos) {
      if (Formatted || L.PendingUnary || (L.AfterValue && !L.LastWasString))
        break;
      size_t End = skipString(T, I + Prefix, false);
      if (End >= T.size())
        break;
      I = End;
      L.AfterValue = L.LastWasString = true;
      continue;
    }
    if (!L.AfterValue) {
      if (Ch == '-' || Ch == '+' || Ch == '~') {
        L.PendingUnary = true;
        ++I;
        continue;
      }
      if ((Ch >= '0' && Ch <= '9') || (Ch == '.' && I + 1 < T.size() && T[I + 1] >= '0' && T[I + 1] <= '9')) {
        bool Hex = Ch == '0' && I + 1 < T.size() && (T[I + 1] | 0x20) == 'x';
        size_t J = I + 1;
        while (J < T.size()) {
          char C = T[J];
          if (isIdentChar(C) || C == '.' ||
              ((C == '-' || C == '+') && !Hex && (T[J - 1] | 0x20) == 'e'))
            ++J;
          else
            break;
        }
        I = J;
        L.AfterValue = true;
        L.LastWasString = L.PendingUnary = false;
        continue;
      }
      if (isIdentStart(Ch)) {
        size_t J = I;
        while (J < T.size() && isIdentChar(T[J]))
          ++J;
        llvm::StringRef Word = T.slice(I, J);
        if (Word != "True" && Word != "False" && Word != "None")
          break;
        I = J;
        L.AfterValue = true;
        L.LastWasString = L.PendingUnary = false;
        continue;
      }
      if (Ch == '(' || Ch == '[' || Ch == '{') {
        L.PendingUnary = false;
        Push(I);
        ++I;
        continue;
      }
    } else {
      if (Ch == ',') {
        L.AfterValue = L.InDictValue = L.LastWasString = false;
        ++I;
        continue;
      }
      if (Ch == ':' && L.Braces && !L.InDictValue) {
        L.AfterValue = L.LastWasString = false;
        L.InDictValue = true;
        ++I;
        continue;
      }
    }
    if (Ch == L.Closer && !L.PendingUnary && (L.AfterValue || !L.InDictValue)) {
      Span Done{L.Begin, I + 1};
      Stack.pop_back();
      // Keep only the outermost complete literals.
      while (!Inner.empty() && Inner.back().Begin > Done.Begin)
        Inner.pop_back();
      if (Stack.empty())
        return I + 1;
      Inner.push_back(Done);
      Stack.back().AfterValue = true;
      Stack.back().LastWasString = false;
      ++I;
      continue;
    }
    break;
  }
  Failed = I;
  return llvm::StringRef::npos;
}

/// Spaces over the tokens of the literal's inside; newlines and comments stay.
void blank(std::string &Text, Span S) {
  llvm::StringRef T(Text);
  size_t I = S.Begin + 1, End = S.End - 1;
  while (I < End) {
    char Ch = Text[I];
    if (Ch == '#') {
      size_t Nl = T.find('\n', I);
      I = std::min(Nl == llvm::StringRef::npos ? End : Nl, End);
      continue;
    }
    bool Formatted;
    size_t Prefix = stringPrefixAt(T, I, Formatted);
    if (Prefix != llvm::StringRef::npos) {
      size_t StrEnd = std::min(skipString(T, I + Prefix, false), End);
      for (; I < StrEnd; ++I)
        if (Text[I] != '\n')
          Text[I] = ' ';
      continue;
    }
    if (Ch != '\n')
      Text[I] = ' ';
    ++I;
  }
}

bool isKeywordBeforeDisplay(llvm::StringRef Word) {
  static constexpr llvm::StringLiteral Keywords[] = {
      "return", "yield", "in",     "and",    "or",   "not", "is",
      "if",     "else",  "await",  "assert", "lambda", "from", "del"};
  if (Word.size() < 2 || Word.size() > 6)
    return false;
  for (llvm::StringRef K : Keywords)
    if (Word == K)
      return true;
  return false;
}

} // namespace

std::vector<std::pair<size_t, size_t>> blankLongDataLiterals(std::string &Text, size_t MinBytes) {
  llvm::StringRef T(Text);
  std::vector<Span> ToBlank;
  // What precedes an opener decides whether it is a display (`= [`, `, (`, `return {`) or a
  // call or subscript (`f(`, `a[`, `)(`).
  bool DisplayMayStart = true;
  // The word just read, when it is what precedes: whether it is a keyword that a display may
  // follow is asked only when an opener comes next (most words are followed by anything else).
  llvm::StringRef LastWord;
  size_t I = 0;
  const size_t Size = T.size();
  while (I < Size) {
    unsigned char Ch = T[I];
    uint8_t Class = Classes.Of[Ch];
    if (Class & Skipped) {
      ++I;
      continue;
    }
    if (Ch == '#') {
      size_t Nl = T.find('\n', I);
      I = Nl == llvm::StringRef::npos ? Size : Nl;
      continue;
    }
    bool Formatted = false;
    if (size_t Prefix = (Class & StringStart) ? stringPrefixAt(T, I, Formatted) : llvm::StringRef::npos;
        Prefix != llvm::StringRef::npos) {
      I = skipString(T, I + Prefix, Formatted);
      DisplayMayStart = false;
      LastWord = llvm::StringRef();
      continue;
    }
    if (Class & Word) {
      size_t J = I + 1;
      while (J < Size && (Classes.Of[static_cast<unsigned char>(T[J])] & Word))
        ++J;
      LastWord = T.slice(I, J);
      DisplayMayStart = false;
      I = J;
      continue;
    }
    if (!LastWord.empty()) {
      if (Ch == '(' || Ch == '[' || Ch == '{')
        DisplayMayStart = isKeywordBeforeDisplay(LastWord);
      LastWord = llvm::StringRef();
    }
    if ((Ch == '(' || Ch == '[' || Ch == '{') && DisplayMayStart) {
      size_t Failed = 0;
      std::vector<Span> Inner;
      size_t End = readLiteral(T, I, Failed, Inner);
      for (const Span &S : Inner)
        if (S.End - S.Begin >= MinBytes)
          ToBlank.push_back(S);
      if (End != llvm::StringRef::npos) {
        if (End - I >= MinBytes)
          ToBlank.push_back({I, End});
        I = End;
        DisplayMayStart = false;
      } else {
        I = Failed; // everything before it was read: resume at the token that stopped it
        DisplayMayStart = true;
      }
      continue;
    }
    DisplayMayStart = !(Ch == ')' || Ch == ']' || Ch == '}');
    ++I;
  }
  std::vector<std::pair<size_t, size_t>> Blanked;
  for (const Span &S : ToBlank) {
    blank(Text, S);
    Blanked.push_back({S.Begin + 1, S.End - 1});
  }
  return Blanked;
}

} // namespace forksafe
