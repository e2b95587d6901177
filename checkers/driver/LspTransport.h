//===--- LspTransport.h - LSP message framing over an untrusted byte stream --===//
//
// The base protocol: `Content-Length: N` headers, a blank line, N bytes of JSON. Everything in
// the stream is untrusted: header values, lengths, nesting depth. The reader never allocates
// more than the bytes that arrived, skips what it cannot read with a message saying why, and
// finds the next frame, so one bad frame never loses the messages after it.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_DRIVER_LSPTRANSPORT_H
#define FORKSAFE_DRIVER_LSPTRANSPORT_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace forksafe {
namespace lsp {

/// The largest message body read (a document of this size is far beyond what the analyzers
/// are for); larger frames are skipped without being stored.
constexpr uint64_t MaxMessageBytes = 64ull << 20;
/// The deepest nesting of arrays and objects accepted in a message (LSP messages nest a
/// dozen levels); deeper messages are rejected before parsing.
constexpr unsigned MaxJsonDepth = 256;
/// The longest header line kept; longer lines are junk.
constexpr size_t MaxHeaderLine = 4096;

/// Where bytes come from: returns how many it wrote to Buf (0 at end of input).
using ReadFn = std::function<size_t(char *Buf, size_t Size)>;

class FrameReader {
public:
  /// Problems with the stream (bad headers, oversized or truncated frames) are reported to
  /// Complain, one sentence each.
  FrameReader(ReadFn Read, std::function<void(const std::string &)> Complain)
      : Read(std::move(Read)), Complain(std::move(Complain)) {}

  /// The next message body, or nullopt at the end of the input.
  std::optional<std::string> next();

private:
  bool fill();                    ///< reads more bytes; false at end of input
  void compact();
  std::optional<std::string> readLine(); ///< one header line without its line break
  /// Where a frame header (`Content-Length: digits` up to a raw line break) starts among the
  /// bytes [From, To) of Buf (starting no earlier than Lower), or npos. No valid JSON body contains one: a raw line break cannot
  /// be inside a string and the header's words are no JSON token.
  size_t findHeader(size_t From, size_t To, size_t Lower) const;
  /// Reads Length body bytes, or fewer when a frame header turns up inside them.
  std::optional<std::string> readBody(uint64_t Length);
  void skipBody(uint64_t Length);

  ReadFn Read;
  std::function<void(const std::string &)> Complain;
  std::string Buf;
  size_t Pos = 0;
  bool Eof = false;
};

/// Whether Body nests arrays and objects at most MaxJsonDepth deep (strings are skipped).
bool jsonDepthWithinLimit(llvm::StringRef Body);

/// `Content-Length: N\r\n\r\n` + Body.
std::string frame(llvm::StringRef Body);

} // namespace lsp
} // namespace forksafe

#endif
