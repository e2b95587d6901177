//===--- InputFile.h - Reading an input file without trusting it ------------===//
//
// Every file forksafe reads because it was found on disk (sources, configuration, .gitignore)
// goes through readRegularFile: only regular files are read, never FIFOs, devices or sockets
// (which could block forever or never end), and only up to a size limit.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CORE_INPUTFILE_H
#define FORKSAFE_CORE_INPUTFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Chrono.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace forksafe {

/// Source files larger than this are not analysed (an error says so): 64 MiB, four times the
/// largest generated Python module seen in practice, and within the memory budget of 20 bytes
/// per input byte on a machine with 2 GB.
constexpr uint64_t MaxSourceBytes = 64u << 20;

/// Reads Path (following symbolic links) if it is a regular file of at most MaxBytes. A FIFO,
/// device or socket is never opened for reading: the path is checked with stat() first, then
/// opened with O_NONBLOCK and checked again with fstat() on the open descriptor (it may have
/// been replaced in between). On failure returns nullopt and sets Why to a sentence for the
/// user, e.g. "is a FIFO (named pipe), not a regular file; not read".
/// Seen (when given) receives the modification time and size of what was read (from the open
/// descriptor: no other stat() is needed to tell whether the file changed since).
struct ReadStamp {
  llvm::sys::TimePoint<> Modified;
  uint64_t Size = 0;
};
std::optional<std::unique_ptr<llvm::MemoryBuffer>> readRegularFile(llvm::StringRef Path, uint64_t MaxBytes,
                                                                   std::string &Why,
                                                                   ReadStamp *Seen = nullptr);

/// A phrase for a file type that is not a regular file: "a FIFO (named pipe)", "a character
/// device", ...; empty for regular files.
std::string describeFileType(unsigned Mode);

} // namespace forksafe

#endif
