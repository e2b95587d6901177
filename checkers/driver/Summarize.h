//===--- Summarize.h - forksafe summarize ---------------------------------===//
#ifndef FORKSAFE_DRIVER_SUMMARIZE_H
#define FORKSAFE_DRIVER_SUMMARIZE_H

namespace forksafe {
/// `forksafe summarize -p BUILD -o FILE`: writes the whole-program summaries of a compile
/// database for clang-tidy's option SummaryFile. Argv[0] is "summarize".
int runSummarize(int Argc, const char **Argv);
} // namespace forksafe

#endif
