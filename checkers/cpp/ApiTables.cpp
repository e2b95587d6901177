//===--- ApiTables.cpp - The APIs the forksafe checks know about ----------===//

#include "ApiTables.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>

namespace clang::tidy::forksafe {

// POSIX.1-2024 (IEEE Std 1003.1-2024), XSH 2.4.3 "Signal Actions": the functions that shall be
// async-signal-safe. Relative to POSIX.1-2017 it drops fork (atfork handlers need not be safe)
// and the removed posix_trace_event, sigpause, sigset and utime, and adds _Fork, accept4, dup3,
// pipe2 and ppoll. Sorted: looked up with binary search.
static const llvm::StringRef AsyncSignalSafe[] = {
    "_Exit",       "_Fork",        "_exit",        "abort",       "accept",
    "accept4",     "access",       "aio_error",    "aio_return",  "aio_suspend",
    "alarm",       "bind",         "cfgetispeed",  "cfgetospeed", "cfsetispeed",
    "cfsetospeed", "chdir",        "chmod",        "chown",       "clock_gettime",
    "close",       "connect",      "creat",        "dup",         "dup2",
    "dup3",        "execl",        "execle",       "execv",       "execve",
    "faccessat",   "fchdir",       "fchmod",       "fchmodat",    "fchown",
    "fchownat",    "fcntl",        "fdatasync",    "fexecve",     "ffs",
    "fstat",       "fstatat",      "fsync",        "ftruncate",   "futimens",
    "getegid",     "geteuid",      "getgid",       "getgroups",   "getpeername",
    "getpgrp",     "getpid",       "getppid",      "getsockname", "getsockopt",
    "getuid",      "htonl",        "htons",        "kill",        "link",
    "linkat",      "listen",       "longjmp",      "lseek",       "lstat",
    "memccpy",     "memchr",       "memcmp",       "memcpy",      "memmove",
    "memset",      "mkdir",        "mkdirat",      "mkfifo",      "mkfifoat",
    "mknod",       "mknodat",      "ntohl",        "ntohs",       "open",
    "openat",      "pause",        "pipe",         "pipe2",       "poll",
    "ppoll",       "pselect",      "pthread_kill", "pthread_self", "pthread_sigmask",
    "raise",       "read",         "readlink",     "readlinkat",  "recv",
    "recvfrom",    "recvmsg",      "rename",       "renameat",    "rmdir",
    "select",      "sem_post",     "send",         "sendmsg",     "sendto",
    "setgid",      "setpgid",      "setsid",       "setsockopt",  "setuid",
    "shutdown",    "sigaction",    "sigaddset",    "sigdelset",   "sigemptyset",
    "sigfillset",  "sigismember",  "siglongjmp",   "signal",      "sigpending",
    "sigprocmask", "sigqueue",     "sigsuspend",   "sleep",       "sockatmark",
    "socket",      "socketpair",   "stat",         "stpcpy",      "stpncpy",
    "strcat",      "strchr",       "strcmp",       "strcpy",      "strcspn",
    "strlen",      "strncat",      "strncmp",      "strncpy",     "strnlen",
    "strpbrk",     "strrchr",      "strspn",       "strstr",      "strtok_r",
    "symlink",     "symlinkat",    "tcdrain",      "tcflow",      "tcflush",
    "tcgetattr",   "tcgetpgrp",    "tcsendbreak",  "tcsetattr",   "tcsetpgrp",
    "time",        "timer_getoverrun", "timer_gettime", "timer_settime", "times",
    "umask",       "uname",        "unlink",       "unlinkat",    "utimensat",
    "utimes",      "wait",         "waitpid",      "wcpcpy",      "wcpncpy",
    "wcscat",      "wcschr",       "wcscmp",       "wcscpy",      "wcscspn",
    "wcslen",      "wcsncat",      "wcsncmp",      "wcsncpy",     "wcsnlen",
    "wcspbrk",     "wcsrchr",      "wcsspn",       "wcsstr",      "wcstok",
    "wmemchr",     "wmemcmp",      "wmemcpy",      "wmemmove",    "wmemset",
    "write",
};

// POSIX.1-2024 XSH exec: execlp and execvp (and glibc's execvpe) search PATH and may allocate,
// so they are not on the list; in practice they are what children call, hence an option.
static const llvm::StringRef PathSearchingExec[] = {"execlp", "execvp", "execvpe"};

// glibc defines errno as (*__errno_location ()); BSD libcs and macOS as (*__error()).
static const llvm::StringRef RuntimeHelpers[] = {"__errno_location", "__error"};

// ISO C++ [utility], [forward], [specialized.addressof]: casts that generate no call.
static const llvm::StringRef CompileTimeLibraryFunctions[] = {
    "std::addressof", "std::as_const", "std::forward", "std::move", "std::move_if_noexcept",
    "std::to_underlying"};

// POSIX.1-2024 XSH exec (execl ... fexecve); execveat: Linux execveat(2).
static const llvm::StringRef ExecFunctions[] = {"execl",  "execle",  "execlp",  "execv",
                                                "execve", "execveat", "execvp", "execvpe",
                                                "fexecve"};

// POSIX.1-2024 XSH _Exit/_exit, ISO C 7.24.4.5 _Exit.
static const llvm::StringRef ImmediateExit[] = {"_Exit", "_exit"};

// POSIX.1-2024 XSH fork and _Fork; forkpty: BSD/glibc <pty.h>, it forks and returns 0 in the
// child like fork.
static const llvm::StringRef ForkFunctions[] = {"_Fork", "fork", "forkpty"};

// POSIX.1-2024 XSH pthread_create; ISO C11 7.26.5.1 thrd_create; ISO C++ [futures.async]
// std::async (without an explicit std::launch::deferred policy).
static const llvm::StringRef ThreadStarterFunctions[] = {"pthread_create", "std::async",
                                                         "thrd_create"};

// ISO C++ [thread.thread.class], [thread.jthread.class]; Boost.Thread boost::thread.
static const llvm::StringRef ThreadClasses[] = {"boost::thread", "std::jthread", "std::thread"};

// POSIX.1-2024 XSH pthread_mutex_lock, pthread_rwlock_*, pthread_spin_lock, flockfile;
// ISO C11 7.26.4 mtx_lock.
static const LockFunctionPair LockFunctions[] = {
    {"flockfile", "funlockfile"},
    {"mtx_lock", "mtx_unlock"},
    {"mtx_timedlock", "mtx_unlock"},
    {"pthread_mutex_lock", "pthread_mutex_unlock"},
    {"pthread_mutex_timedlock", "pthread_mutex_unlock"},
    {"pthread_rwlock_rdlock", "pthread_rwlock_unlock"},
    {"pthread_rwlock_timedrdlock", "pthread_rwlock_unlock"},
    {"pthread_rwlock_timedwrlock", "pthread_rwlock_unlock"},
    {"pthread_rwlock_wrlock", "pthread_rwlock_unlock"},
    {"pthread_spin_lock", "pthread_spin_unlock"},
};

// ISO C++ [thread.mutex.requirements], [thread.sharedmutex.requirements]: Lockable members.
static const llvm::StringRef MutexLockMethods[] = {"lock", "lock_shared"};
static const llvm::StringRef MutexUnlockMethods[] = {"unlock", "unlock_shared"};

// ISO C++ [thread.lock]: lock_guard, scoped_lock, unique_lock, shared_lock; Boost.Thread twins.
static const llvm::StringRef LockGuardClasses[] = {
    "boost::lock_guard", "boost::shared_lock", "boost::unique_lock", "std::lock_guard",
    "std::scoped_lock",  "std::shared_lock",   "std::unique_lock"};

// CUDA Driver API: cuInit must precede every other driver call. NCCL: communicator
// initialisation (ncclCommInit*, ncclGetUniqueId). MPI-4.1 section 11.2: MPI_Init,
// MPI_Init_thread, MPI_Session_init.
static const llvm::StringRef GpuMpiInitialisers[] = {
    "MPI_Init",         "MPI_Init_thread",     "MPI_Session_init",
    "cuInit",           "ncclCommInitAll",     "ncclCommInitRank",
    "ncclCommInitRankConfig", "ncclCommInitRankScalable", "ncclGetUniqueId"};

// CUDA Runtime API, "Initialization": the runtime initialises itself on the first call that
// needs a context, which is any cuda* call but these (version and error queries).
static const llvm::StringRef CudaRuntimeNonInitialising[] = {
    "cudaDriverGetVersion", "cudaGetErrorName",    "cudaGetErrorString",
    "cudaGetLastError",     "cudaPeekAtLastError", "cudaRuntimeGetVersion"};

static bool contains(llvm::ArrayRef<llvm::StringRef> Sorted, llvm::StringRef Name) {
  assert(std::is_sorted(Sorted.begin(), Sorted.end()) && "table must be sorted");
  return std::binary_search(Sorted.begin(), Sorted.end(), Name);
}

llvm::ArrayRef<llvm::StringRef> asyncSignalSafeFunctions() { return AsyncSignalSafe; }
llvm::ArrayRef<llvm::StringRef> pathSearchingExecFunctions() { return PathSearchingExec; }
llvm::ArrayRef<llvm::StringRef> safeRuntimeHelpers() { return RuntimeHelpers; }
llvm::ArrayRef<llvm::StringRef> compileTimeLibraryFunctions() {
  return CompileTimeLibraryFunctions;
}
bool isExecFunction(llvm::StringRef Name) { return contains(ExecFunctions, Name); }
bool isImmediateExitFunction(llvm::StringRef Name) { return contains(ImmediateExit, Name); }
llvm::ArrayRef<llvm::StringRef> forkFunctions() { return ForkFunctions; }
llvm::ArrayRef<llvm::StringRef> threadStarterFunctions() { return ThreadStarterFunctions; }
llvm::ArrayRef<llvm::StringRef> threadClasses() { return ThreadClasses; }
llvm::ArrayRef<LockFunctionPair> lockFunctions() { return LockFunctions; }
llvm::ArrayRef<llvm::StringRef> mutexLockMethods() { return MutexLockMethods; }
llvm::ArrayRef<llvm::StringRef> mutexUnlockMethods() { return MutexUnlockMethods; }
llvm::ArrayRef<llvm::StringRef> lockGuardClasses() { return LockGuardClasses; }

bool isGpuOrMpiInitialiser(llvm::StringRef Name) {
  if (contains(GpuMpiInitialisers, Name))
    return true;
  // cudaMalloc, cudaSetDevice, ...: "cuda" followed by an upper-case letter.
  return Name.size() > 4 && Name.substr(0, 4) == "cuda" && Name[4] >= 'A' && Name[4] <= 'Z' &&
         !contains(CudaRuntimeNonInitialising, Name);
}

} // namespace clang::tidy::forksafe
