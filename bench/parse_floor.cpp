// The parse floor for bench/run.py: reads every file named on standard input (one per line) and
// parses it with tree-sitter and forksafe's pinned grammar, on N threads, and nothing else. With
// --words, a file is parsed only when it holds one of the words whole (the floor of forksafe's
// design: read everything, parse what the pre-filter passes). Prints files read and parsed.
//
// Built by bench/run.py: c++ -O2 parse_floor.cpp parser.c scanner.c -ltree-sitter -lpthread
#include <tree_sitter/api.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern "C" const TSLanguage *tree_sitter_python(void);

static bool isWordChar(char C) {
  return (C >= 'a' && C <= 'z') || (C >= 'A' && C <= 'Z') || (C >= '0' && C <= '9') || C == '_';
}

static bool containsWord(const std::string &S, const std::string &W) {
  for (size_t At = S.find(W); At != std::string::npos; At = S.find(W, At + 1)) {
    size_t End = At + W.size();
    if ((At == 0 || !isWordChar(S[At - 1])) && (End == S.size() || !isWordChar(S[End])))
      return true;
  }
  return false;
}

int main(int Argc, char **Argv) {
  unsigned Jobs = std::thread::hardware_concurrency();
  std::vector<std::string> Words;
  for (int I = 1; I < Argc; ++I) {
    if (!std::strcmp(Argv[I], "-j") && I + 1 < Argc) {
      Jobs = unsigned(std::atoi(Argv[++I]));
    } else if (!std::strcmp(Argv[I], "--words") && I + 1 < Argc) {
      std::stringstream SS(Argv[++I]);
      for (std::string W; std::getline(SS, W, ',');)
        Words.push_back(W);
    }
  }
  std::vector<std::string> Files;
  for (std::string L; std::getline(std::cin, L);)
    if (!L.empty())
      Files.push_back(L);
  std::atomic<size_t> Next{0}, Parsed{0}, Nodes{0};
  auto Work = [&] {
    TSParser *P = ts_parser_new();
    ts_parser_set_language(P, tree_sitter_python());
    for (size_t I; (I = Next++) < Files.size();) {
      std::ifstream In(Files[I], std::ios::binary);
      std::string Text((std::istreambuf_iterator<char>(In)), std::istreambuf_iterator<char>());
      if (!Words.empty()) {
        bool Any = false;
        for (const std::string &W : Words)
          if ((Any = containsWord(Text, W)))
            break;
        if (!Any)
          continue;
      }
      TSTree *T = ts_parser_parse_string(P, nullptr, Text.data(), uint32_t(Text.size()));
      if (T) {
        Nodes += ts_node_child_count(ts_tree_root_node(T));
        ts_tree_delete(T);
      }
      ++Parsed;
    }
    ts_parser_delete(P);
  };
  std::vector<std::thread> Threads;
  for (unsigned J = 0; J < std::max(1u, Jobs); ++J)
    Threads.emplace_back(Work);
  for (std::thread &T : Threads)
    T.join();
  std::printf("read %zu files, parsed %zu\n", Files.size(), Parsed.load());
  return 0;
}
