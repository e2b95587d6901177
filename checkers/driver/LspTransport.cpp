//===--- LspTransport.cpp - LSP message framing ------------------------------===//
#include "LspTransport.h"

#include "core/StringCompat.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>

namespace forksafe {
namespace lsp {

namespace {
constexpr size_t ReadChunk = 64 * 1024;
/// Bytes kept before the read position, so a header split across reads is still recognised.
constexpr size_t History = 64;
constexpr llvm::StringLiteral HeaderName = "content-length";

/// At most 40 characters of junk, with line breaks and other control bytes escaped.
std::string quote(llvm::StringRef S) {
  std::string Out = "\"";
  for (char C : S.take_front(40)) {
    if ((unsigned char)C < 0x20 || C == '"' || C == '\\' || (unsigned char)C >= 0x7f) {
      Out += "\\x";
      Out += llvm::hexdigit(((unsigned char)C) >> 4, true);
      Out += llvm::hexdigit(((unsigned char)C) & 15, true);
    } else {
      Out += C;
    }
  }
  Out += S.size() > 40 ? "\"..." : "\"";
  return Out;
}

/// Whether Name is a header field name (RFC 7230 token characters; letters, digits, '-' suffice
/// for LSP).
bool isHeaderName(llvm::StringRef Name) {
  return !Name.empty() &&
         llvm::all_of(Name, [](char C) { return llvm::isAlnum(C) || C == '-' || C == '_'; });
}

/// The byte count of a Content-Length value: decimal digits only (no sign, no exponent).
std::optional<uint64_t> parseLength(llvm::StringRef Value, std::string &Why) {
  Value = Value.trim(" \t");
  if (Value.empty()) {
    Why = "it is empty";
    return std::nullopt;
  }
  if (!llvm::all_of(Value, llvm::isDigit)) {
    Why = "it is not a decimal byte count";
    return std::nullopt;
  }
  if (Value.size() > 19) {
    Why = "it is too large";
    return std::nullopt;
  }
  uint64_t N = 0;
  for (char C : Value)
    N = N * 10 + (C - '0');
  return N;
}
} // namespace

bool FrameReader::fill() {
  if (Eof)
    return false;
  compact();
  size_t Old = Buf.size();
  Buf.resize(Old + ReadChunk);
  size_t N = Read(&Buf[Old], ReadChunk);
  Buf.resize(Old + N);
  if (!N)
    Eof = true;
  return N != 0;
}

void FrameReader::compact() {
  if (Pos > History && Pos - History >= ReadChunk && Pos - History >= Buf.size() / 2) {
    Buf.erase(0, Pos - History);
    Pos = History;
  }
}

size_t FrameReader::findHeader(size_t From, size_t To, size_t Lower) const {
  llvm::StringRef B(Buf);
  for (size_t NL = B.find('\n', From); NL != llvm::StringRef::npos && NL < To; NL = B.find('\n', NL + 1)) {
    // Walk back over: '\r'?, blanks, digits, blanks, ':', "content-length".
    size_t I = NL;
    if (I > Lower && B[I - 1] == '\r')
      --I;
    while (I > Lower && (B[I - 1] == ' ' || B[I - 1] == '\t'))
      --I;
    size_t DigitsEnd = I;
    while (I > Lower && llvm::isDigit(B[I - 1]) && DigitsEnd - I < 20)
      --I;
    if (I == DigitsEnd)
      continue;
    while (I > Lower && (B[I - 1] == ' ' || B[I - 1] == '\t'))
      --I;
    if (I == Lower || B[I - 1] != ':')
      continue;
    --I;
    if (I < Lower + HeaderName.size() || !B.substr(I - HeaderName.size(), HeaderName.size()).equals_insensitive(HeaderName))
      continue;
    return I - HeaderName.size();
  }
  return std::string::npos;
}

std::optional<std::string> FrameReader::readLine() {
  size_t Dropped = 0;
  while (true) {
    size_t NL = Buf.find('\n', Pos);
    if (NL != std::string::npos) {
      std::string Line = Buf.substr(Pos, NL - Pos);
      Pos = NL + 1;
      if (!Line.empty() && Line.back() == '\r')
        Line.pop_back();
      if (Dropped)
        Complain("skipped " + std::to_string(Dropped) + " bytes without a line break where a header was expected");
      return Line;
    }
    if (Buf.size() - Pos > MaxHeaderLine) {
      // A header line does not get this long: drop all but a tail that may begin a header.
      size_t Keep = Buf.size() - History;
      Dropped += Keep - Pos;
      Pos = Keep;
    }
    if (!fill()) {
      if (Dropped)
        Complain("skipped " + std::to_string(Dropped) + " bytes without a line break at the end of the input");
      if (Pos == Buf.size())
        return std::nullopt;
      std::string Line = Buf.substr(Pos);
      Pos = Buf.size();
      return Line;
    }
  }
}

std::optional<std::string> FrameReader::readBody(uint64_t Length) {
  size_t Start = Pos, Scanned = Pos;
  while (true) {
    size_t End = std::min<uint64_t>(Buf.size(), Start + Length);
    size_t Header = findHeader(Scanned, End, Start);
    if (Header != std::string::npos) {
      Complain("a message was shorter than its Content-Length of " + std::to_string(Length) +
               ": a new header began after " + std::to_string(Header - Start) + " bytes");
      Pos = Header;
      return Buf.substr(Start, Header - Start);
    }
    Scanned = End;
    if (Buf.size() - Start >= Length) {
      Pos = Start + Length;
      return Buf.substr(Start, Length);
    }
    // compact() may move the buffer: keep offsets relative to the body's start.
    size_t ScannedRel = Scanned - Start;
    Pos = Start;
    if (!fill()) {
      Complain("the input ended inside a message: " + std::to_string(Buf.size() - Start) + " of its " +
               std::to_string(Length) + " bytes arrived");
      Pos = Buf.size();
      return std::nullopt;
    }
    Start = Pos;
    Scanned = Start + ScannedRel;
  }
}

void FrameReader::skipBody(uint64_t Length) {
  uint64_t Remaining = Length;
  while (Remaining) {
    if (Pos == Buf.size() && !fill()) {
      Complain("the input ended inside the skipped message");
      return;
    }
    size_t N = std::min<uint64_t>(Buf.size() - Pos, Remaining);
    size_t Header = findHeader(Pos, Pos + N, 0);
    if (Header != std::string::npos) {
      Complain("a new header began inside the skipped message; reading resumes there");
      Pos = Header;
      return;
    }
    Pos += N;
    Remaining -= N;
  }
}

std::optional<std::string> FrameReader::next() {
  while (true) {
    std::optional<uint64_t> Length;
    bool AnyHeader = false, Reported = false;
    while (true) {
      std::optional<std::string> Line = readLine();
      if (!Line) {
        if (AnyHeader)
          Complain("the input ended inside a message's headers");
        return std::nullopt;
      }
      llvm::StringRef L(*Line);
      if (L.trim().empty()) {
        if (AnyHeader)
          break;
        continue; // blank lines between messages
      }
      size_t Colon = L.find(':');
      llvm::StringRef Name = Colon == llvm::StringRef::npos ? "" : L.take_front(Colon).trim();
      if (!isHeaderName(Name)) {
        // Junk, often the rest of a body cut short by a wrong length, with the next header
        // right behind it on the same line.
        size_t At = L.lower().find(HeaderName.str());
        Complain("skipped " + std::to_string(At == std::string::npos ? L.size() : At) +
                 " bytes that are not a message header: " + quote(L));
        if (At == std::string::npos)
          continue;
        L = L.drop_front(At);
        Colon = L.find(':');
        if (Colon == llvm::StringRef::npos)
          continue;
        Name = L.take_front(Colon).trim();
      }
      // A previous frame's length a few bytes too long ate the front of this header:
      // `ontent-Length: 52` still announces the next message.
      bool Cut = !AnyHeader && Name.size() >= 2 && Name.size() < HeaderName.size() &&
                 endsWith(HeaderName, Name.lower());
      AnyHeader = true;
      if (Cut)
        Complain("a header missing its first " + std::to_string(HeaderName.size() - Name.size()) +
                 " bytes (read as part of the message before it) is taken as Content-Length");
      else if (!Name.equals_insensitive(HeaderName))
        continue; // Content-Type and the like
      std::string Why;
      Length = parseLength(L.drop_front(Colon + 1), Why);
      if (!Length) {
        Complain("bad Content-Length header " + quote(L) + ": " + Why + "; the message is skipped");
        Reported = true;
      }
    }
    if (!Length) {
      if (!Reported)
        Complain("a message without a Content-Length header is skipped");
      continue;
    }
    if (*Length > MaxMessageBytes) {
      Complain("a message of " + std::to_string(*Length) + " bytes is over the limit of " +
               std::to_string(MaxMessageBytes) + " bytes; it is skipped");
      skipBody(*Length);
      continue;
    }
    std::optional<std::string> Body = readBody(*Length);
    if (!Body)
      return std::nullopt;
    if (llvm::StringRef(*Body).trim().empty())
      continue;
    return Body;
  }
}

bool jsonDepthWithinLimit(llvm::StringRef Body) {
  unsigned Depth = 0;
  bool InString = false;
  for (size_t I = 0; I < Body.size(); ++I) {
    char C = Body[I];
    if (InString) {
      if (C == '\\')
        ++I;
      else if (C == '"')
        InString = false;
      continue;
    }
    if (C == '"')
      InString = true;
    else if (C == '[' || C == '{') {
      if (++Depth > MaxJsonDepth)
        return false;
    } else if ((C == ']' || C == '}') && Depth)
      --Depth;
  }
  return true;
}

std::string frame(llvm::StringRef Body) {
  return "Content-Length: " + std::to_string(Body.size()) + "\r\n\r\n" + Body.str();
}

} // namespace lsp
} // namespace forksafe
