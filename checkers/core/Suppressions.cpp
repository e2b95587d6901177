#include "Suppressions.h"

#include "CheckGlobs.h"
#include "StringCompat.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <map>

namespace forksafe {

/// The comments of a Python text as [offset of '#', end of line) ranges. A small tokenizer
/// that knows string literals (single, double, triple quoted, with escapes) is enough: a '#'
/// inside a string is not a comment, and suppressions there must neither act nor be reported.
static std::vector<std::pair<size_t, size_t>> pythonComments(llvm::StringRef S) {
  std::vector<std::pair<size_t, size_t>> Out;
  size_t I = 0, N = S.size();
  while (I < N) {
    char C = S[I];
    if (C == '#') {
      size_t End = S.find_first_of("\r\n", I);
      if (End == llvm::StringRef::npos)
        End = N;
      Out.push_back({I, End});
      I = End;
    } else if (C == '\'' || C == '"') {
      bool Triple = I + 2 < N && S[I + 1] == C && S[I + 2] == C;
      I += Triple ? 3 : 1;
      while (I < N) {
        if (S[I] == '\\') {
          I += 2;
        } else if (Triple ? (I + 2 < N && S[I] == C && S[I + 1] == C && S[I + 2] == C) : S[I] == C) {
          I += Triple ? 3 : 1;
          break;
        } else if (!Triple && S[I] == '\n') {
          break; // unterminated: the tokenizer would stop here too
        } else {
          ++I;
        }
      }
    } else {
      ++I;
    }
  }
  return Out;
}

static bool isForksafeCode(llvm::StringRef Code) {
  return Code.size() >= 8 && Code.take_front(8).equals_insensitive("forksafe");
}

/// The codes of List (starting at byte Base of the file): separated by commas and/or spaces.
static void readCodes(llvm::StringRef List, size_t Base, bool AllOurs, SuppressionDirective &D) {
  size_t I = 0;
  while (I < List.size()) {
    if (List[I] == ',' || List[I] == ' ' || List[I] == '\t') {
      ++I;
      continue;
    }
    size_t J = I;
    while (J < List.size() && List[J] != ',' && List[J] != ' ' && List[J] != '\t')
      ++J;
    SuppressionDirective::Code C;
    C.Text = List.slice(I, J).str();
    C.Offset = Base + I;
    C.Ours = AllOurs || isForksafeCode(C.Text);
    D.Codes.push_back(std::move(C));
    I = J;
  }
}

std::vector<SuppressionDirective> findPythonSuppressions(llvm::StringRef Source) {
  std::vector<SuppressionDirective> Out;
  if (!containsText(Source, "noqa") && !containsText(Source, "NOQA") &&
      !containsText(Source, "forksafe:") && !containsText(Source, "Noqa"))
    return Out;
  unsigned Line = 1;
  size_t Counted = 0;
  for (auto [Begin, End] : pythonComments(Source)) {
    Line += Source.slice(Counted, Begin).count('\n');
    Counted = Begin;
    // Every '#' of the comment may start a directive: `# type: ignore  # noqa: X`.
    for (size_t Hash = Begin; Hash < End && Hash != llvm::StringRef::npos;
         Hash = Source.slice(0, End).find('#', Hash + 1)) {
      // A later '#' starts a directive only after a space (`# type: ignore  # noqa`), not when
      // it is quoted in prose (`# write \`# noqa: X\` here`).
      if (Hash != Begin && Source[Hash - 1] != ' ' && Source[Hash - 1] != '\t')
        continue;
      llvm::StringRef Rest = Source.slice(Hash + 1, End);
      size_t Lead = Rest.size() - Rest.ltrim().size();
      Rest = Rest.ltrim();
      size_t At = Hash + 1 + Lead; // offset of Rest in Source
      SuppressionDirective D;
      D.Line = Line;
      D.Offset = Hash;
      if (Rest.consume_front("forksafe:")) {
        llvm::StringRef Tail = Rest.ltrim();
        if (!Tail.consume_front("ignore"))
          continue;
        D.Kind = SuppressionDirective::ForksafeIgnore;
        size_t AfterIgnore = End - Tail.size();
        llvm::StringRef Br = Tail.ltrim();
        if (!Br.consume_front("[")) {
          D.Blanket = true;
          D.End = AfterIgnore;
        } else {
          size_t ListStart = End - Br.size();
          size_t Close = Br.find(']');
          llvm::StringRef List = Close == llvm::StringRef::npos ? Br : Br.take_front(Close);
          readCodes(List, ListStart, /*AllOurs=*/true, D);
          D.End = Close == llvm::StringRef::npos ? End : ListStart + Close + 1;
        }
      } else if (Rest.size() >= 4 && Rest.take_front(4).equals_insensitive("noqa") &&
                 (Rest.size() == 4 || Rest[4] == ':' || Rest[4] == ' ' || Rest[4] == '\t')) {
        D.Kind = SuppressionDirective::Noqa;
        llvm::StringRef Tail = Rest.drop_front(4);
        if (!Tail.consume_front(":")) {
          D.Blanket = true;
          D.End = At + 4;
        } else {
          size_t ListStart = At + 5;
          // The codes run up to the next comment marker.
          llvm::StringRef List = Tail.split('#').first.rtrim();
          readCodes(List, ListStart, /*AllOurs=*/false, D);
          D.End = ListStart + List.size();
          if (D.Codes.empty())
            D.Blanket = true; // `# noqa:` with nothing after it acts as a bare noqa
        }
      } else {
        continue;
      }
      Out.push_back(std::move(D));
    }
  }
  return Out;
}

bool pythonLineSuppresses(llvm::StringRef Line, llvm::StringRef Check) {
  for (const SuppressionDirective &D : findPythonSuppressions(Line)) {
    if (D.Blanket)
      return true;
    for (const SuppressionDirective::Code &C : D.Codes)
      if (CheckGlobs(C.Text).contains(Check))
        return true;
  }
  return false;
}

namespace {

/// Line starts of a text, for turning offsets into line/column.
struct LineIndex {
  std::vector<size_t> Starts{0};
  explicit LineIndex(llvm::StringRef S) {
    for (size_t I = 0; I < S.size(); ++I)
      if (S[I] == '\n')
        Starts.push_back(I + 1);
  }
  void at(size_t Offset, unsigned &Line, unsigned &Col) const {
    size_t L = std::upper_bound(Starts.begin(), Starts.end(), Offset) - Starts.begin();
    Line = L;
    Col = Offset - Starts[L - 1] + 1;
  }
};

Edit makeEdit(llvm::StringRef Path, const LineIndex &Lines, size_t Begin, size_t End, std::string Replacement) {
  Edit E;
  E.File = Path.str();
  E.Offset = Begin;
  E.Length = End - Begin;
  Lines.at(Begin, E.Line, E.Column);
  Lines.at(End, E.EndLine, E.EndColumn);
  E.Replacement = std::move(Replacement);
  return E;
}

} // namespace

void applyPythonSuppressions(llvm::StringRef Path, llvm::StringRef Source, std::vector<Diagnostic> &Diags,
                             std::vector<InputError> &Errors, const SuppressionOptions &Opts) {
  std::vector<SuppressionDirective> Directives = findPythonSuppressions(Source);
  if (Directives.empty())
    return;
  std::multimap<unsigned, SuppressionDirective *> ByLine;
  for (SuppressionDirective &D : Directives)
    ByLine.insert({D.Line, &D});
  // Marks what suppresses Check on Line; true if something does.
  auto SuppressOn = [&](unsigned Line, llvm::StringRef Check) {
    bool Any = false;
    auto Range = ByLine.equal_range(Line);
    for (auto It = Range.first; It != Range.second; ++It) {
      SuppressionDirective &D = *It->second;
      if (D.Blanket) {
        D.BlanketUsed = true;
        Any = true;
        continue;
      }
      for (SuppressionDirective::Code &C : D.Codes)
        if (CheckGlobs(C.Text).contains(Check)) {
          C.Used = true;
          Any = true;
        }
    }
    return Any;
  };
  Diags.erase(std::remove_if(Diags.begin(), Diags.end(),
                             [&](const Diagnostic &D) {
                               return SuppressOn(D.Loc.Line, D.Check) ||
                                      (D.EndLine > D.Loc.Line && SuppressOn(D.EndLine, D.Check));
                             }),
              Diags.end());

  bool Validate = Opts.ValidateNames && !knownChecks().empty();
  LineIndex Lines(Source);
  for (SuppressionDirective &D : Directives) {
    const char *Form = D.Kind == SuppressionDirective::Noqa ? "'# noqa'" : "'# forksafe: ignore'";
    std::vector<std::string> Unknown, NonEnabled, Unused;
    bool NamesItself = false;
    for (const SuppressionDirective::Code &C : D.Codes) {
      if (!C.Ours)
        continue;
      bool Known = knownChecks().empty() || matchesKnownCheck(C.Text);
      if (!Known && Validate)
        Errors.push_back({Path.str(), "line " + std::to_string(D.Line) + ": unknown check '" + C.Text +
                                          "' in " + Form + " (did you mean '" + closestCheck(C.Text) + "'?)"});
      NamesItself |= C.Text == UnusedSuppressionCheck;
      if (C.Used)
        continue;
      if (!Known) {
        Unknown.push_back(C.Text);
        continue;
      }
      bool AnyRuns = false;
      for (const std::string &Id : knownChecks())
        if (CheckGlobs(C.Text).contains(Id) && (!Opts.Runs || Opts.Runs(Id)))
          AnyRuns = true;
      (AnyRuns ? Unused : NonEnabled).push_back(C.Text);
    }
    if (!Opts.ReportUnused || NamesItself)
      continue;
    bool BlanketUnused = D.Blanket && D.Kind == SuppressionDirective::ForksafeIgnore && !D.BlanketUsed;
    if (!BlanketUnused && Unknown.empty() && NonEnabled.empty() && Unused.empty())
      continue;

    Diagnostic U;
    U.Check = UnusedSuppressionCheck;
    U.Loc.File = Path.str();
    Lines.at(D.Offset, U.Loc.Line, U.Loc.Column);
    Lines.at(D.End, U.EndLine, U.EndColumn);
    if (BlanketUnused) {
      U.Message = "unused suppression: '# forksafe: ignore' suppresses nothing on this line";
    } else {
      std::string What;
      auto Add = [&](const char *Label, const std::vector<std::string> &Codes) {
        if (Codes.empty())
          return;
        What += What.empty() ? "" : "; ";
        What += Label;
        What += ": " + llvm::join(Codes, ", ");
      };
      Add("unused", Unused);
      Add("non-enabled", NonEnabled);
      Add("unknown", Unknown);
      U.Message = std::string("unused suppression in ") + Form + " (" + What + ")";
    }
    // The fix removes what is unused: the codes, or the whole comment when nothing is left.
    std::vector<std::string> Kept;
    for (const SuppressionDirective::Code &C : D.Codes)
      if (!C.Ours || C.Used)
        Kept.push_back(C.Text);
    Fix F;
    F.Kind = Applicability::Safe;
    if (D.Blanket || Kept.empty()) {
      F.Description = "remove the suppression comment";
      size_t Begin = D.Offset;
      while (Begin > 0 && (Source[Begin - 1] == ' ' || Source[Begin - 1] == '\t'))
        --Begin;
      size_t LineEnd = Source.find('\n', D.End);
      if (LineEnd == llvm::StringRef::npos)
        LineEnd = Source.size();
      bool AloneOnLine = (Begin == 0 || Source[Begin - 1] == '\n') && Source.slice(D.End, LineEnd).trim().empty();
      if (AloneOnLine) // a comment line of its own: the line goes
        F.Edits.push_back(makeEdit(Path, Lines, Begin, std::min(Source.size(), LineEnd + 1), ""));
      else
        F.Edits.push_back(makeEdit(Path, Lines, Begin, D.End, ""));
    } else {
      F.Description = "remove the unused codes";
      const SuppressionDirective::Code &Last = D.Codes.back();
      F.Edits.push_back(
          makeEdit(Path, Lines, D.Codes.front().Offset, Last.Offset + Last.Text.size(), llvm::join(Kept, ", ")));
    }
    U.FixIt = std::move(F);
    Diags.push_back(std::move(U));
  }
}

void applyPythonSuppressions(llvm::StringRef Source, std::vector<Diagnostic> &Diags) {
  std::vector<InputError> Ignored;
  SuppressionOptions Opts;
  Opts.ValidateNames = false;
  applyPythonSuppressions("", Source, Diags, Ignored, Opts);
}

} // namespace forksafe
