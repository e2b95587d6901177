#include "InputFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace forksafe {

std::string describeFileType(unsigned Mode) {
  switch (Mode & S_IFMT) {
  case S_IFREG:
    return "";
  case S_IFDIR:
    return "a folder";
  case S_IFIFO:
    return "a FIFO (named pipe)";
  case S_IFCHR:
    return "a character device";
  case S_IFBLK:
    return "a block device";
  case S_IFSOCK:
    return "a socket";
  default:
    return "not a regular file";
  }
}

static std::string sizeText(uint64_t Bytes) {
  if (Bytes >= (1u << 20))
    return std::to_string(Bytes >> 20) + " MiB";
  return std::to_string(Bytes) + " bytes";
}

std::optional<std::unique_ptr<llvm::MemoryBuffer>> readRegularFile(llvm::StringRef Path, uint64_t MaxBytes,
                                                                   std::string &Why, ReadStamp *Seen) {
  std::string P = Path.str();
  auto Refuse = [&](const struct stat &St) -> bool {
    std::string Type = describeFileType(St.st_mode);
    if (!Type.empty()) {
      Why = "is " + Type + ", not a regular file; not read";
      return true;
    }
    if ((uint64_t)St.st_size > MaxBytes) {
      Why = "is " + sizeText(St.st_size) + ", over the limit of " + sizeText(MaxBytes) + "; not read";
      return true;
    }
    return false;
  };
  struct stat St;
  if (::stat(P.c_str(), &St) != 0) {
    Why = std::string("cannot read: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (Refuse(St))
    return std::nullopt;
  int Fd;
  do
    Fd = ::open(P.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  while (Fd < 0 && errno == EINTR);
  if (Fd < 0) {
    Why = std::string("cannot read: ") + std::strerror(errno);
    return std::nullopt;
  }
  struct FdCloser {
    int Fd;
    ~FdCloser() { ::close(Fd); }
  } Closer{Fd};
  if (::fstat(Fd, &St) != 0) {
    Why = std::string("cannot read: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (Refuse(St))
    return std::nullopt;
  if (Seen) {
#if defined(__APPLE__)
    Seen->Modified = llvm::sys::toTimePoint(St.st_mtimespec.tv_sec, St.st_mtimespec.tv_nsec);
#else
    Seen->Modified = llvm::sys::toTimePoint(St.st_mtim.tv_sec, St.st_mtim.tv_nsec);
#endif
    Seen->Size = St.st_size;
  }
  // A regular file: reads do not block. Read what is there now, asking for one byte more than
  // fstat gave, so a file that grew since is caught by the same call (a read that stops
  // short of what was asked is at the end of the file, or was interrupted: read again).
  auto Buf = llvm::WritableMemoryBuffer::getNewUninitMemBuffer(St.st_size + 1, P);
  if (!Buf) {
    Why = "cannot read: out of memory for " + sizeText(St.st_size);
    return std::nullopt;
  }
  size_t Have = 0, Want = St.st_size;
  while (Have <= Want) {
    ssize_t N = ::read(Fd, Buf->getBufferStart() + Have, Want + 1 - Have);
    if (N < 0 && errno == EINTR)
      continue;
    if (N < 0) {
      Why = std::string("cannot read: ") + std::strerror(errno);
      return std::nullopt;
    }
    if (N == 0)
      break; // at the end (or shrank while being read: analyse what was there)
    Have += N;
    if (Have == Want)
      break; // all of it: a regular file gives what is there in one call
  }
  if (Have > Want) {
    Why = "changed size while being read; not read";
    return std::nullopt;
  }
  if (Have + 4096 < Want)
    return std::unique_ptr<llvm::MemoryBuffer>(
        llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(Buf->getBufferStart(), Have), P));
  // The buffer has room for one byte more than the file's: a view of the bytes read, which
  // owns it, null-terminated as a buffer of the file would be.
  Buf->getBufferStart()[Have] = 0;
  struct Owned : llvm::MemoryBuffer {
    std::unique_ptr<llvm::WritableMemoryBuffer> Storage;
    Owned(std::unique_ptr<llvm::WritableMemoryBuffer> B, size_t Size) : Storage(std::move(B)) {
      init(Storage->getBufferStart(), Storage->getBufferStart() + Size, /*RequiresNullTerminator=*/true);
    }
    BufferKind getBufferKind() const override { return MemoryBuffer_Malloc; }
    llvm::StringRef getBufferIdentifier() const override { return Storage->getBufferIdentifier(); }
  };
  return std::unique_ptr<llvm::MemoryBuffer>(std::make_unique<Owned>(std::move(Buf), Have));
}

} // namespace forksafe
