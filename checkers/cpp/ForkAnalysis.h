//===--- ForkAnalysis.h - Shared analyses of the forksafe checks ----------===//
//
// Written once, used by every check, one file each:
//  - TranslationUnitModel: who calls whom among the functions defined in the translation
//    unit, parents of statements, and control flow (CFG) reachability inside a function;
//  - ChildRegion: the code that runs in the child of a fork, from how its result is tested;
//  - ChildWalk: the operations the child runs, followed into callees defined in the TU, and
//    the async-signal-safety verdict on them;
//  - PrecedingEvents: an event (thread start, CUDA initialisation) that precedes a fork on
//    some path, in the forking function, in what it called before, or in its callers;
//  - HeldLocks: a lock held by the forking function at the fork;
//  - ForkFacts: these, computed once per fork and shared by the checks of one TU.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_FORKANALYSIS_H
#define FORKSAFE_CPP_FORKANALYSIS_H

#include "ChildRegion.h"
#include "ChildWalk.h"
#include "ForkFacts.h"
#include "HeldLocks.h"
#include "PrecedingEvents.h"
#include "TranslationUnitModel.h"

#endif
