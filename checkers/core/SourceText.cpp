#include "SourceText.h"
#include "StringCompat.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iconv.h>

namespace forksafe {

size_t findInvalidUTF8(llvm::StringRef Bytes) {
  const auto *S = reinterpret_cast<const unsigned char *>(Bytes.data());
  size_t N = Bytes.size(), I = 0;
  while (I < N) {
    // ASCII, eight bytes at a time: most source files are all ASCII.
    while (I + 8 <= N) {
      uint64_t Word;
      std::memcpy(&Word, S + I, 8);
      if (Word & 0x8080808080808080ull)
        break;
      I += 8;
    }
    if (I >= N)
      break;
    unsigned char C = S[I];
    if (C < 0x80) {
      ++I;
      continue;
    }
    size_t Len;
    unsigned Min;
    if ((C & 0xE0) == 0xC0) {
      Len = 2;
      Min = 0x80;
    } else if ((C & 0xF0) == 0xE0) {
      Len = 3;
      Min = 0x800;
    } else if ((C & 0xF8) == 0xF0) {
      Len = 4;
      Min = 0x10000;
    } else {
      return I;
    }
    if (I + Len > N)
      return I;
    unsigned CodePoint = C & (0x7F >> Len);
    for (size_t K = 1; K < Len; ++K) {
      if ((S[I + K] & 0xC0) != 0x80)
        return I;
      CodePoint = (CodePoint << 6) | (S[I + K] & 0x3F);
    }
    if (CodePoint < Min || CodePoint > 0x10FFFF || (CodePoint >= 0xD800 && CodePoint <= 0xDFFF))
      return I;
    I += Len;
  }
  return llvm::StringRef::npos;
}

/// Length of the valid UTF-8 sequence at Bytes[I], or 0 when it is not one.
static size_t validSequenceAt(llvm::StringRef Bytes, size_t I) {
  unsigned char C = Bytes[I];
  size_t Len = C < 0x80 ? 1 : (C & 0xE0) == 0xC0 ? 2 : (C & 0xF0) == 0xE0 ? 3 : 4;
  if (I + Len > Bytes.size() || findInvalidUTF8(Bytes.substr(I, Len)) != llvm::StringRef::npos)
    return 0;
  return Len;
}

template <typename OnBad> static std::string repairUTF8(llvm::StringRef Bytes, OnBad Bad) {
  size_t First = findInvalidUTF8(Bytes);
  if (First == llvm::StringRef::npos)
    return Bytes.str();
  std::string Out = Bytes.take_front(First).str();
  for (size_t I = First; I < Bytes.size();) {
    if (size_t Len = validSequenceAt(Bytes, I)) {
      Out.append(Bytes.data() + I, Len);
      I += Len;
    } else {
      Bad(Out, (unsigned char)Bytes[I]);
      ++I;
    }
  }
  return Out;
}

std::string replaceInvalidUTF8(llvm::StringRef Bytes) {
  return repairUTF8(Bytes, [](std::string &Out, unsigned char) { Out += "\xEF\xBF\xBD"; });
}

std::string escapeInvalidUTF8(llvm::StringRef Bytes) {
  return repairUTF8(Bytes, [](std::string &Out, unsigned char C) {
    Out += "\\x";
    Out += llvm::utohexstr(C, /*LowerCase=*/false, 2);
  });
}

void normalizeLoneCR(std::string &Text) {
  // Most files hold no CR at all: one memchr answers for them.
  const void *First = std::memchr(Text.data(), '\r', Text.size());
  if (!First)
    return;
  for (size_t I = static_cast<const char *>(First) - Text.data(); I < Text.size(); ++I)
    if (Text[I] == '\r' && (I + 1 == Text.size() || Text[I + 1] != '\n'))
      Text[I] = '\n';
}

/// The encoding named by a PEP 263 declaration on line 1 or 2, or "".
static std::string codingDeclaration(llvm::StringRef Bytes) {
  llvm::StringRef Rest = Bytes;
  for (int LineNo = 0; LineNo < 2 && !Rest.empty(); ++LineNo) {
    size_t Eol = Rest.find_first_of("\r\n"); // a lone CR ends a line too
    llvm::StringRef Line = Rest.take_front(Eol);
    Rest = Rest.drop_front(Line.size());
    if (!Rest.consume_front("\r\n") && !Rest.consume_front("\n"))
      Rest.consume_front("\r");
    llvm::StringRef L = Line.ltrim(" \t\f");
    if (!L.consume_front("#"))
      continue; // a line 1 that is code ends the search only for line 2's sake; keep looking
    size_t At = L.find("coding");
    if (At == llvm::StringRef::npos)
      continue;
    L = L.drop_front(At + 6);
    if (!L.consume_front(":") && !L.consume_front("="))
      continue;
    L = L.ltrim(" \t");
    size_t End = L.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");
    return L.take_front(End).lower();
  }
  return "";
}

static bool isUTF8Name(llvm::StringRef Name) {
  return Name == "utf-8" || Name == "utf8" || Name == "utf_8" || Name == "utf-8-sig" ||
         Name == "utf_8_sig" || Name == "u8";
}

/// Line and column (1-based, bytes) of Offset, for error messages.
static std::string position(llvm::StringRef Bytes, size_t Offset) {
  llvm::StringRef Before = Bytes.take_front(Offset);
  size_t Line = Before.count('\n') + 1;
  size_t LastNL = Before.rfind('\n');
  size_t Col = LastNL == llvm::StringRef::npos ? Offset + 1 : Offset - LastNL;
  return "line " + std::to_string(Line) + ", column " + std::to_string(Col);
}

bool isPlainPythonSource(llvm::StringRef Bytes) {
  if (Bytes.find('\0') != llvm::StringRef::npos || startsWith(Bytes, "\xEF\xBB\xBF"))
    return false;
  std::string Coding = codingDeclaration(Bytes);
  if (!Coding.empty() && !isUTF8Name(Coding))
    return false;
  if (findInvalidUTF8(Bytes) != llvm::StringRef::npos)
    return false;
  // normalizeLoneCR would turn a lone CR into a newline.
  for (size_t At = Bytes.find('\r'); At != llvm::StringRef::npos; At = Bytes.find('\r', At + 1))
    if (At + 1 == Bytes.size() || Bytes[At + 1] != '\n')
      return false;
  return true;
}

std::optional<DecodedSource> decodePythonSource(llvm::StringRef Bytes, std::string &Error, bool Blank) {
  DecodedSource Out;
  size_t Nul = Bytes.find('\0');
  if (Nul != llvm::StringRef::npos) {
    Error = "contains a NUL byte at " + position(Bytes, Nul) +
            ": a binary file, or source Python would refuse; not analysed";
    return std::nullopt;
  }
  if (Bytes.consume_front("\xEF\xBB\xBF"))
    Out.BomBytes = 3;
  std::string Coding = codingDeclaration(Bytes);
  if (Coding.empty() || isUTF8Name(Coding)) {
    size_t Bad = findInvalidUTF8(Bytes);
    if (Bad != llvm::StringRef::npos) {
      Error = "not valid UTF-8 (byte 0x" + llvm::utohexstr((unsigned char)Bytes[Bad], /*LowerCase=*/false, 2) + " at " +
              position(Bytes, Bad) + ")" +
              (Coding.empty() ? " and no PEP 263 coding declaration names another encoding"
                              : " although its coding declaration says UTF-8") +
              "; not analysed";
      return std::nullopt;
    }
    Out.Text = Bytes.str();
    normalizeLoneCR(Out.Text);
    if (Blank)
      Out.Blanked = blankLongDataLiterals(Out.Text);
    return Out;
  }
  if (Out.BomBytes) {
    Error = "has a UTF-8 byte order mark but declares the encoding '" + Coding + "'; not analysed";
    return std::nullopt;
  }
  // Python's codec names (latin-1, iso_8859_15, cp1252) in the spellings iconv knows.
  iconv_t Conv = (iconv_t)-1;
  std::string Dashed = Coding, Bare;
  std::replace(Dashed.begin(), Dashed.end(), '_', '-');
  for (char C : Dashed)
    if (C != '-')
      Bare += C;
  for (const std::string &Name : {Coding, Dashed, Bare})
    if ((Conv = iconv_open("UTF-8", Name.c_str())) != (iconv_t)-1)
      break;
  if (Conv == (iconv_t)-1) {
    Error = "declares the encoding '" + Coding + "', which this system cannot decode; not analysed";
    return std::nullopt;
  }
  Out.Text.resize(Bytes.size() * 4 + 16);
  char *In = const_cast<char *>(Bytes.data());
  size_t InLeft = Bytes.size();
  char *Dst = &Out.Text[0];
  size_t DstLeft = Out.Text.size();
  size_t R = iconv(Conv, &In, &InLeft, &Dst, &DstLeft);
  iconv_close(Conv);
  if (R == (size_t)-1) {
    Error = "is not valid '" + Coding + "' (as its coding declaration says) at " +
            position(Bytes, Bytes.size() - InLeft) + "; not analysed";
    return std::nullopt;
  }
  Out.Text.resize(Out.Text.size() - DstLeft);
  normalizeLoneCR(Out.Text);
  if (Blank)
    Out.Blanked = blankLongDataLiterals(Out.Text);
  Out.Transcoded = true;
  return Out;
}

} // namespace forksafe
