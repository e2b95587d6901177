#include "CheckGlobs.h"

#include "llvm/ADT/SmallVector.h"

namespace forksafe {

static bool globMatch(llvm::StringRef Pattern, llvm::StringRef Text) {
  // Iterative '*' matching with backtracking to the last star: linear in practice.
  size_t P = 0, T = 0, Star = llvm::StringRef::npos, Mark = 0;
  while (T < Text.size()) {
    if (P < Pattern.size() && Pattern[P] == '*') {
      Star = P++;
      Mark = T;
    } else if (P < Pattern.size() && Pattern[P] == Text[T]) {
      ++P;
      ++T;
    } else if (Star != llvm::StringRef::npos) {
      P = Star + 1;
      T = ++Mark;
    } else {
      return false;
    }
  }
  while (P < Pattern.size() && Pattern[P] == '*')
    ++P;
  return P == Pattern.size();
}

void CheckGlobs::append(llvm::StringRef Spec) {
  llvm::SmallVector<llvm::StringRef, 8> Parts;
  Spec.split(Parts, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (llvm::StringRef Part : Parts) {
    Part = Part.trim(" \t\r\n");
    if (Part.empty())
      continue;
    bool Positive = !Part.consume_front("-");
    Part = Part.trim(" \t");
    if (!Part.empty())
      Items.push_back({Positive, Part.str()});
  }
}

bool CheckGlobs::matches(llvm::StringRef Name, bool &Enabled) const {
  for (auto It = Items.rbegin(); It != Items.rend(); ++It)
    if (globMatch(It->Pattern, Name)) {
      Enabled = It->Positive;
      return true;
    }
  return false;
}

bool CheckGlobs::contains(llvm::StringRef Name) const {
  bool Enabled = false;
  return matches(Name, Enabled) && Enabled;
}

const char DefaultChecks[] = "forksafe-*,-forksafe-unused-suppression";

static std::vector<std::string> &knownChecksStorage() {
  static std::vector<std::string> Ids;
  return Ids;
}

void setKnownChecks(std::vector<std::string> Ids) { knownChecksStorage() = std::move(Ids); }
const std::vector<std::string> &knownChecks() { return knownChecksStorage(); }

std::string closestCheck(llvm::StringRef Name) {
  std::string Best;
  unsigned BestDistance = ~0u;
  for (const std::string &Id : knownChecks()) {
    if (llvm::StringRef(Id).equals_insensitive(Name))
      return Id;
    // Globs are compared without their stars: "forksafe-prexec*" is nearest to preexec-fn.
    unsigned D = llvm::StringRef(Id).edit_distance(llvm::StringRef(Name).trim("*"), /*AllowReplacements=*/true);
    if (D < BestDistance) {
      BestDistance = D;
      Best = Id;
    }
  }
  return Best;
}

bool matchesKnownCheck(llvm::StringRef Pattern) {
  for (const std::string &Id : knownChecks())
    if (globMatch(Pattern, Id))
      return true;
  return false;
}

std::string checkListProblem(llvm::StringRef Spec) {
  if (knownChecks().empty())
    return "";
  CheckGlobs Parsed(Spec);
  for (const CheckGlobs::Item &I : Parsed.items()) {
    if (matchesKnownCheck(I.Pattern))
      continue;
    std::string What = I.Pattern.find('*') == std::string::npos ? "unknown check '" + I.Pattern + "'"
                                                                 : "'" + I.Pattern + "' matches no check";
    std::string Near = closestCheck(I.Pattern);
    if (!Near.empty())
      What += " (did you mean '" + Near + "'?)";
    return What;
  }
  return "";
}

} // namespace forksafe
