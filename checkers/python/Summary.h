//===--- Summary.h - What running a module or calling a function does --------===//
//
// The whole-program analysis passes these plain values between modules. A module's summary
// is what importing it does; a function's summary is what calling it does. They name places
// by file, line and column (never by syntax nodes), so they outlive the parse they came
// from, can be cached, and can be hashed into the digest of what an analysis consumed.
//
// A story is the list of notes that explains an effect to the user: each call on the way
// ("'setup' called here"), then the effect itself ("thread started here").
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_PYTHON_SUMMARY_H
#define FORKSAFE_PYTHON_SUMMARY_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace forksafe {
namespace python {

/// A place in a file and what a note there says.
struct Step {
  std::string File;
  unsigned Line = 0, Column = 0, EndLine = 0, EndColumn = 0;
  std::string Text;
  bool operator==(const Step &O) const {
    return File == O.File && Line == O.Line && Column == O.Column && Text == O.Text;
  }
};
using Story = std::vector<Step>;

/// A thread start, a threaded library, a CUDA initialisation or use, a start-method set:
/// the story that ends at it. Kind is FlowEvent::KindT's value for thread events.
struct Effect {
  int Kind = 0;
  Story Notes;
  /// The thread is what the function returns (`t = start_worker()` holds it).
  bool Returned = false;
};
using EffectRef = std::shared_ptr<const Effect>;

/// A fork or a fork-based process start inside a function, whose verdict depends on what
/// ran before the call.
struct ForkEffect {
  Story Path;           ///< the calls from the function to the fork (the fork not included)
  Step At;              ///< the fork itself (where a finding is reported)
  std::string Describe; ///< how messages name it: "'os.fork()'", or "" for a process start
  bool OsFork = false;
  bool DataLoader = false; ///< DataLoader workers forked when it is iterated
  std::string Method;   ///< "fork", or "" when the default start method applies
  std::vector<EffectRef> Threads; ///< threads the function started before it, still running
  EffectRef Cuda;                 ///< CUDA initialised by the function before it
  bool ChildMayUseCuda = true;
  EffectRef ChildCudaUse;         ///< where the child uses CUDA, when known
};
using ForkRef = std::shared_ptr<const ForkEffect>;

/// A parameter that a function hands to a process API as the callable it pickles.
struct Handoff {
  int Position = -1; ///< among the positional parameters (self not counted), -1 keyword-only
  std::string Name;
  Story Notes;       ///< the calls on the way, then the process API call
  std::string Api;   ///< "'pool.map()'" for messages
};

struct FunctionSummary {
  std::vector<EffectRef> ExitThreads; ///< threads still running when it returns
  EffectRef Cuda;                     ///< CUDA initialised (the parent cannot fork after it)
  EffectRef CudaUse;                  ///< CUDA used (as a process target it needs CUDA)
  std::string Method;                 ///< start method it sets: "" none, "?" unknown
  EffectRef SetsMethod;               ///< where it sets it (set_start_method without force)
  EffectRef Starts;                   ///< a process start that is not fork-based
  std::vector<ForkRef> Forks;
  std::vector<Handoff> Handoffs;
  bool empty() const {
    return ExitThreads.empty() && !Cuda && !CudaUse && Method.empty() && !SetsMethod &&
           !Starts && Forks.empty() && Handoffs.empty();
  }
  /// It forks or starts processes, hands a callable to a process API or sets the start
  /// method: what a rule can judge in a file that calls it and names no fork, process or
  /// start method itself (threads and CUDA are judged only at a fork).
  bool touchesProcesses() const {
    return !Forks.empty() || Starts || !Handoffs.empty() || !Method.empty() || SetsMethod;
  }
};

/// What importing a module does (its top level up to the `__main__` guard), and the
/// summaries of its functions and methods ("f", "Class.method"; a class's own name stands
/// for its __init__).
struct ModuleSummary {
  FunctionSummary Import;
  llvm::StringMap<FunctionSummary> Functions;
  /// Names the module binds by importing them: name -> qualified name (re-exports).
  llvm::StringMap<std::string> Imports;
  /// Its digest, once computed (by the project, under its lock).
  mutable std::string Digest;
  /// Importing it, calling its functions and names imported from it do nothing a rule
  /// judges.
  bool empty() const { return Import.empty() && Functions.empty() && Imports.empty(); }
};

/// A stable text form of a summary, for digests and caches.
std::string serialize(const FunctionSummary &S);

/// The whole of a module summary as JSON (keys sorted: the same summary gives the same
/// text), and back. nullopt when Text is not what toJson writes.
std::string toJson(const ModuleSummary &S);
std::optional<ModuleSummary> moduleSummaryFromJson(llvm::StringRef Text);

} // namespace python
} // namespace forksafe

#endif
