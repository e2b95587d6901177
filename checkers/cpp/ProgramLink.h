//===--- ProgramLink.h - The summaries of a compile database, joined -------===//
//
// The linker of the whole-program analysis. Each `main` in the summaries is a program; its
// functions are found by USR (its own unit's definition first). From each main, one walk
// over the events in order tells, for every fork (and every call of a fork wrapper), whether
// a thread start (or a GPU/MPI initialisation) precedes it on some path, and the story for
// the notes. The checks ask about the child through the same summaries: the first
// operation that is not async-signal-safe in a function of another unit, or an exit() it
// reaches. Built from plain values (Summary.h); no clang headers.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_PROGRAMLINK_H
#define FORKSAFE_CPP_PROGRAMLINK_H

#include "Summary.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

namespace clang::tidy::forksafe {

/// One step of a story told in notes: a call ("'bioInit' called here") at Loc.
struct LinkStep {
  SourcePoint Loc;
  std::string Callee; ///< the function called, or the API of the event
};

/// Why a fork runs while a hazard (threads, GPU runtime) is live, on one path of a program.
struct HazardStory {
  std::vector<LinkStep> Before; ///< calls made before the fork that lead to the event
  LinkStep Event;               ///< the thread start or the initialisation
  std::string ThreadBody;       ///< set when the fork runs inside a thread started at Event
  std::vector<LinkStep> Path;   ///< calls from the entry point down to the fork
  LinkStep Entry;               ///< the program's main
};

/// What a function of the program does when a child calls it.
struct ChildEffect {
  std::string Description;    ///< "calls 'printf', which is not async-signal-safe,"
  std::vector<LinkStep> Chain; ///< calls from the function down to Op (the function first)
  LinkStep Op;                 ///< the operation (Callee: its API)
};

class ProgramLink {
public:
  enum Hazard { Threads = 0, Gpu = 1 };
  /// Names that extend the tables (options of the checks): extra thread starters and fork
  /// functions, matched against the callee's plain or qualified name.
  struct Extras {
    llvm::StringSet<> ThreadStarters;
    llvm::StringSet<> ForkFunctions;
  };

  explicit ProgramLink(ProgramSummary Summaries);
  ~ProgramLink();

  /// Reads and links a summary file, once per path and modification time in a process.
  static std::shared_ptr<const ProgramLink> load(const std::string &Path, std::string &Error);
  /// Makes load and wrapperNames answer Link for Path without reading it (null: forgets
  /// Path): the forksafe program links the summaries in its first pass and hands the link
  /// to the checks of the same process, which then parse no JSON.
  static void provide(const std::string &Path, std::shared_ptr<const ProgramLink> Link);
  /// The fork wrappers' names from the first line of a summary file (toJson's index), without
  /// reading the rest; nullopt (Error empty) when the file has no such line, Error set when
  /// it cannot be read or is of another format.
  static std::optional<std::vector<std::string>> wrapperNames(const std::string &Path,
                                                              std::string &Error);

  /// The story of Hazard live at the fork (or fork-wrapper call) at Site on some path from a
  /// main; nullopt if no program reaches Site with it.
  std::optional<HazardStory> hazardAt(Hazard H, const SourcePoint &Site,
                                      const Extras &Options) const;

  /// Functions that return a fork's pid untested (by USR), transitively through wrappers.
  const llvm::StringSet<> &forkWrappers() const { return Wrappers; }
  /// Plain names of the fork wrappers, for the checks' matchers.
  std::vector<std::string> forkWrapperNames() const;
  /// The fork inside wrapper Usr (the first one found through its wrappers).
  std::optional<LinkStep> forkInside(llvm::StringRef Usr) const;
  /// True if the wrapper Usr is called from a unit other than File: the child is judged there.
  bool calledOutside(llvm::StringRef Usr, llvm::StringRef File) const;

  /// True if the program defines Usr.
  bool defines(llvm::StringRef Usr) const { return Definitions.count(Usr); }
  /// The first operation of Usr (and its callees) that IsSafe rejects, before it ends the
  /// process or execs (exec ends it when ExecEnds); nullopt if it only does safe work.
  /// Functions defined in several units are taken from those linked with FromFile (the
  /// forking unit).
  std::optional<ChildEffect> firstUnsafe(llvm::StringRef Usr, llvm::StringRef FromFile,
                                         const std::function<bool(llvm::StringRef)> &IsSafe,
                                         bool ExecEnds) const;
  /// The first exit() Usr reaches, before an _exit: anywhere in Usr itself, and through the
  /// calls and exits that always run in the functions it calls.
  std::optional<ChildEffect> exitReached(llvm::StringRef Usr, llvm::StringRef FromFile) const;

  /// True if no call of Usr returns: its own unit says so, or, with no return statement, it
  /// calls on every path a function that never returns (in any unit linked with FromFile).
  bool neverReturns(llvm::StringRef Usr, llvm::StringRef FromFile) const;

  size_t units() const { return Summaries.Units.size(); }
  /// The summaries it links.
  const ProgramSummary &summaries() const { return Summaries; }
  size_t programs() const;

private:
  struct Walk;
  const FunctionSummary *resolve(llvm::StringRef Usr, size_t PreferUnit) const;
  /// Usr as linked with the unit of FromFile.
  const FunctionSummary *resolveFrom(llvm::StringRef Usr, llvm::StringRef FromFile) const;
  /// The units linked with Start: transitively, the one unit defining each function called
  /// (a function defined in several units pulls none of them in).
  std::set<size_t> unitsFrom(size_t Start) const;
  const std::map<SourcePoint, HazardStory> &stories(Hazard H, const Extras &Options) const;

  ProgramSummary Summaries;
  /// USR -> (unit, function) of each definition.
  llvm::StringMap<std::vector<std::pair<size_t, size_t>>> Definitions;
  /// Function type -> USRs of functions of that type whose address is taken.
  llvm::StringMap<std::vector<std::string>> PointerTargets;
  llvm::StringSet<> Wrappers;
  /// USR -> units calling it.
  llvm::StringMap<llvm::StringSet<>> CallerUnits;

  mutable std::mutex Lock;
  mutable std::map<std::string, std::map<SourcePoint, HazardStory>> Stories;
  mutable llvm::StringMap<std::set<size_t>> LinkedFrom;
};

} // namespace clang::tidy::forksafe

#endif
