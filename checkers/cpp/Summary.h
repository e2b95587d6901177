//===--- Summary.h - What a translation unit's functions do, as plain data -===//
//
// The whole-program analysis reads no AST across translation units: each unit is reduced to
// a summary (per function, keyed by USR: the calls it makes in source order, thread starts,
// forks, exits, exec*, locks, GPU/MPI initialisation, whether it returns a fork's pid), and
// ProgramLink joins the summaries of a compile database. Values only, no clang headers, so
// the driver, the checks and the tests share them; serialised as JSON.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_SUMMARY_H
#define FORKSAFE_CPP_SUMMARY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::forksafe {

/// A place in a source file: absolute path, 1-based line and column (bytes).
struct SourcePoint {
  std::string File;
  unsigned Line = 0;
  unsigned Column = 0;

  bool operator==(const SourcePoint &O) const {
    return Line == O.Line && Column == O.Column && File == O.File;
  }
  bool operator<(const SourcePoint &O) const {
    if (File != O.File)
      return File < O.File;
    return Line != O.Line ? Line < O.Line : Column < O.Column;
  }
  std::string str() const;
};

/// One thing a function does. Events are kept in source order, which stands in for the order
/// on paths (branches are not told apart; loops are, through Loop).
struct SummaryEvent {
  enum Kind {
    Call,          ///< a call of a function of the project: Target is its USR
    IndirectCall,  ///< a call through a pointer: Target is the pointee's canonical type
    LibraryCall,   ///< a library function not on the POSIX async-signal-safe list: Name
    Unsafe,        ///< other unsafe work in a child (new, delete, throw): Name describes it
    Exit,          ///< exit(): atexit handlers and stdio flushing run
    ImmediateExit, ///< _exit, _Exit, abort, quick_exit
    Exec,          ///< exec*: Name
    Fork,          ///< fork, _Fork, forkpty, vfork: Name
    ThreadStart,   ///< a thread start; Target: USR of the thread's body, if known
    GpuInit,       ///< CUDA, NCCL or MPI initialised: Name
    Lock,          ///< a lock taken: Name is the mutex's spelling
  };
  Kind K = Call;
  std::string Name;   ///< the callee as written in notes ("pthread_create", "fatal")
  std::string Target; ///< USR (Call, ThreadStart) or function type (IndirectCall)
  SourcePoint Loc;
  /// 1-based index of the outermost loop of the function holding the event; 0: none. Events
  /// of one loop may run after one another in either order.
  unsigned Loop = 0;
  /// Runs on every path through the function that gets this far (not inside a branch): only
  /// such an exit or exec ends what a walk of the events sees.
  bool Unconditional = false;
};

struct FunctionSummary {
  std::string Usr;
  std::string Name; ///< qualified name, for notes
  SourcePoint Loc;
  bool IsMain = false;
  /// Returns the pid of a fork it makes without testing it for the child itself: the child is
  /// at its callers (a fork wrapper).
  bool ReturnsForkResult = false;
  /// USRs of functions whose result this function returns (a wrapper of a wrapper).
  std::vector<std::string> ReturnsResultOf;
  /// No call of it returns, as its own unit sees it: every path ends the process (exit,
  /// _exit, abort; a failed exec does not end it) or loops forever.
  bool NeverReturns = false;
  /// Its body holds a return statement: then a call that never returns, made on every path
  /// that gets that far, does not make the function itself never return.
  bool HasReturn = false;
  std::vector<SummaryEvent> Events;
};

/// A function whose address is taken: a possible target of indirect calls of its type.
struct AddressTaken {
  std::string Usr;
  std::string Type;
};

struct UnitSummary {
  std::string File; ///< the main file, absolute
  std::vector<FunctionSummary> Functions;
  std::vector<AddressTaken> Pointers;

  /// True if the unit calls a fork function or a function named in Wrappers (USRs).
  bool mayFork(llvm::ArrayRef<std::string> WrapperUsrs) const;
};

/// The summaries of a compile database, as `forksafe summarize` writes them.
struct ProgramSummary {
  std::vector<UnitSummary> Units;
};

/// JSON text of one unit / of a whole program, and back. Parsing fails with a message on
/// malformed input or a summary written by another format version.
std::string toJson(const UnitSummary &U);
llvm::Expected<UnitSummary> unitFromJson(llvm::StringRef Text);
/// With ForkWrappers (the program's fork wrappers, ProgramLink::forkWrapperNames), the first
/// line is an index, `{"format":N,"fork_wrappers":[...],`, that forkWrapperIndex reads without
/// parsing the rest.
std::string toJson(const ProgramSummary &P,
                   const std::vector<std::string> *ForkWrappers = nullptr);
/// The fork wrappers' names from the index line; nullopt if Text has none; an error for
/// another format version.
llvm::Expected<std::optional<std::vector<std::string>>> forkWrapperIndex(llvm::StringRef Text);
llvm::Expected<ProgramSummary> programFromJson(llvm::StringRef Text);

} // namespace clang::tidy::forksafe

#endif
