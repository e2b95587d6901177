//===--- ApiTables.h - The APIs the forksafe checks know about ------------===//
//
// Knowledge is data: every table the C and C++ checks consult lives here, each with its
// source. The checks never spell an API name themselves.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_APITABLES_H
#define FORKSAFE_CPP_APITABLES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace clang::tidy::forksafe {

/// Functions POSIX.1-2024 requires to be async-signal-safe (sorted).
llvm::ArrayRef<llvm::StringRef> asyncSignalSafeFunctions();
/// The exec* functions that search PATH (sorted); safe unless the option StrictExec is set.
llvm::ArrayRef<llvm::StringRef> pathSearchingExecFunctions();
/// Runtime helpers that C library macros expand to and that are safe (errno).
llvm::ArrayRef<llvm::StringRef> safeRuntimeHelpers();
/// C++ library functions that are casts and compile to no code (std::move), by qualified name.
llvm::ArrayRef<llvm::StringRef> compileTimeLibraryFunctions();

/// Every exec* function: after a call the child runs another program (or the call failed).
bool isExecFunction(llvm::StringRef Name);
/// Functions that end the process without running atexit handlers or flushing stdio.
bool isImmediateExitFunction(llvm::StringRef Name);
/// The functions that create a child process that starts running the caller's code.
llvm::ArrayRef<llvm::StringRef> forkFunctions();

/// Thread starters called as functions, by qualified name ("pthread_create", "std::async").
llvm::ArrayRef<llvm::StringRef> threadStarterFunctions();
/// Classes whose construction (other than default or move) starts a thread.
llvm::ArrayRef<llvm::StringRef> threadClasses();

/// C lock functions: acquire and the release that undoes it.
struct LockFunctionPair {
  llvm::StringRef Acquire;
  llvm::StringRef Release;
};
llvm::ArrayRef<LockFunctionPair> lockFunctions();
/// Mutex member functions that acquire and release (std::mutex and its kin).
llvm::ArrayRef<llvm::StringRef> mutexLockMethods();
llvm::ArrayRef<llvm::StringRef> mutexUnlockMethods();
/// RAII classes that lock a mutex for their lifetime.
llvm::ArrayRef<llvm::StringRef> lockGuardClasses();

/// True if calling Name initialises CUDA (runtime or driver API), NCCL or MPI.
bool isGpuOrMpiInitialiser(llvm::StringRef Name);

} // namespace clang::tidy::forksafe

#endif
