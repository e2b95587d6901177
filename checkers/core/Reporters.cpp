#include "Reporters.h"
#include "SourceText.h"

#include "Uri.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <map>
#include <memory>

namespace forksafe {

std::optional<OutputFormat> parseOutputFormat(llvm::StringRef Name) {
  if (Name == "text")
    return OutputFormat::Text;
  if (Name == "json")
    return OutputFormat::Json;
  if (Name == "sarif")
    return OutputFormat::Sarif;
  if (Name == "github")
    return OutputFormat::Github;
  return std::nullopt;
}

unsigned utf16ColumnOf(llvm::StringRef Text, unsigned Col) {
  if (Col == 0)
    return 0;
  unsigned Units = 0;
  for (size_t I = 0; I + 1 < Col && I < Text.size(); ++I) {
    unsigned char C = Text[I];
    if ((C & 0xC0) == 0x80)
      continue; // continuation byte
    Units += (C >= 0xF0) ? 2 : 1;
  }
  if (Col - 1 > Text.size())
    Units += Col - 1 - Text.size();
  return Units + 1;
}

std::string checkDocsUrl(llvm::StringRef DocsUrl, llvm::StringRef Id) {
  if (DocsUrl.empty())
    return "";
  size_t At = DocsUrl.find("{id}");
  if (At != llvm::StringRef::npos)
    return (DocsUrl.take_front(At) + Id + DocsUrl.drop_front(At + 4)).str();
  return (DocsUrl + (DocsUrl.back() == '/' ? "" : "/") + Id + ".md").str();
}

std::string docsHome(llvm::StringRef DocsUrl) {
  if (DocsUrl.empty())
    return "";
  size_t At = DocsUrl.find("{id}");
  if (At == llvm::StringRef::npos)
    return DocsUrl.back() == '/' ? DocsUrl.str() : (DocsUrl + "/").str();
  return DocsUrl.take_front(DocsUrl.take_front(At).rfind('/') + 1).str();
}

std::string absoluteDocsLinks(llvm::StringRef Markdown, llvm::StringRef DocsUrl) {
  std::string Out;
  while (true) {
    size_t Open = Markdown.find("](");
    if (Open == llvm::StringRef::npos)
      break;
    size_t Close = Markdown.find(')', Open + 2);
    size_t Bracket = Markdown.take_front(Open).rfind('[');
    if (Close == llvm::StringRef::npos || Bracket == llvm::StringRef::npos)
      break;
    llvm::StringRef Target = Markdown.slice(Open + 2, Close);
    bool Relative = !Target.contains("://") && Target.take_front(1) != "#" && Target.take_front(1) != "/" &&
                    Target.take_front(7) != "mailto:" && !Target.contains(' ');
    if (!Relative) {
      Out += Markdown.take_front(Close + 1).str();
    } else if (DocsUrl.empty()) {
      // [text](page.md) -> text: a relative link would point nowhere where the report is read.
      Out += Markdown.take_front(Bracket).str();
      Out += Markdown.slice(Bracket + 1, Open).str();
    } else {
      llvm::StringRef Page = Target;
      std::string Url = Page.consume_back(".md") && !Page.contains('/') ? checkDocsUrl(DocsUrl, Page)
                                                                          : docsHome(DocsUrl) + Target.str();
      Out += Markdown.take_front(Open + 2).str() + Url + ")";
    }
    Markdown = Markdown.drop_front(Close + 1);
  }
  return Out + Markdown.str();
}

std::string checkDisplayName(llvm::StringRef Id) {
  llvm::StringRef Rest = Id;
  Rest.consume_front("forksafe-");
  std::string Out;
  bool Upper = true;
  for (char C : Rest) {
    if (C == '-' || C == '_') {
      Upper = true;
      continue;
    }
    Out += Upper ? llvm::toUpper(C) : C;
    Upper = false;
  }
  return Out;
}

static const char *severityName(Severity S) { return S == Severity::Error ? "error" : "warning"; }

void writeTextDiagnostic(llvm::raw_ostream &OS, const Diagnostic &D) {
  OS << D.Loc.File << ':' << D.Loc.Line << ':' << D.Loc.Column << ": " << severityName(D.Level)
     << ": " << D.Message << " [" << D.Check << "]\n";
  for (const Note &N : D.Notes)
    OS << N.Loc.File << ':' << N.Loc.Line << ':' << N.Loc.Column << ": note: " << N.Message << '\n';
}

namespace {

/// Source lines on demand, for converting byte columns (ours) to UTF-16 columns (SARIF's).
class LineCache {
public:
  explicit LineCache(const std::map<std::string, std::string> &InMemory) : InMemory(InMemory) {}

  llvm::StringRef line(const std::string &File, unsigned Line) {
    auto &Entry = Files[File];
    if (!Entry.Loaded) {
      Entry.Loaded = true;
      auto It = InMemory.find(File);
      if (It != InMemory.end()) {
        Entry.Text = It->second;
      } else if (auto Buf = llvm::MemoryBuffer::getFile(File)) {
        Entry.Text = (*Buf)->getBuffer().str();
      }
      llvm::StringRef T = Entry.Text;
      size_t Start = 0;
      while (Start <= T.size()) {
        size_t NL = T.find('\n', Start);
        if (NL == llvm::StringRef::npos) {
          Entry.Lines.push_back(T.drop_front(Start));
          break;
        }
        Entry.Lines.push_back(T.slice(Start, NL));
        Start = NL + 1;
      }
    }
    if (Line == 0 || Line > Entry.Lines.size())
      return {};
    return Entry.Lines[Line - 1];
  }

  /// UTF-16 code units before byte column Col (1-based) on Line, plus one.
  unsigned utf16Column(const std::string &File, unsigned Line, unsigned Col) {
    return utf16ColumnOf(line(File, Line), Col);
  }

private:
  struct FileLines {
    bool Loaded = false;
    std::string Text;
    std::vector<llvm::StringRef> Lines;
  };
  const std::map<std::string, std::string> &InMemory;
  std::map<std::string, FileLines> Files;
};

llvm::json::Value editsToJSON(const Fix &F) {
  llvm::json::Array Edits;
  for (const Edit &E : F.Edits)
    Edits.push_back(llvm::json::Object{{"file", E.File},
                                       {"line", E.Line},
                                       {"column", E.Column},
                                       {"end_line", E.EndLine},
                                       {"end_column", E.EndColumn},
                                       {"content", E.Replacement}});
  return llvm::json::Object{{"applicability", F.Kind == Applicability::Safe ? "safe" : "unsafe"},
                            {"message", F.Description},
                            {"edits", std::move(Edits)}};
}

void writeJSON(llvm::raw_ostream &OS, const RunResult &R, llvm::StringRef Version) {
  llvm::json::Array Diags;
  for (const Diagnostic &D : R.Diags) {
    llvm::json::Array Notes;
    for (const Note &N : D.Notes)
      Notes.push_back(llvm::json::Object{
          {"file", N.Loc.File}, {"line", N.Loc.Line}, {"column", N.Loc.Column}, {"message", N.Message}});
    llvm::json::Object O{{"check", D.Check},
                         {"severity", severityName(D.Level)},
                         {"file", D.Loc.File},
                         {"line", D.Loc.Line},
                         {"column", D.Loc.Column},
                         {"end_line", D.EndLine ? D.EndLine : D.Loc.Line},
                         {"end_column", D.EndColumn ? D.EndColumn : D.Loc.Column},
                         {"message", D.Message},
                         {"notes", std::move(Notes)}};
    O["fix"] = D.FixIt ? editsToJSON(*D.FixIt) : llvm::json::Value(nullptr);
    Diags.push_back(std::move(O));
  }
  llvm::json::Array Errors;
  for (const InputError &E : R.Errors)
    Errors.push_back(llvm::json::Object{{"file", E.File}, {"message", E.Message}});
  llvm::json::Value Doc =
      llvm::json::Object{{"version", Version}, {"diagnostics", std::move(Diags)}, {"errors", std::move(Errors)}};
  OS << llvm::formatv("{0:2}", Doc) << '\n';
}

/// A URI reference for File: relative (to %SRCROOT%, the working directory) when File is
/// below it, else an absolute file:// URI.
std::string artifactUri(llvm::StringRef File, bool &Relative) {
  llvm::SmallString<256> Abs(File);
  llvm::sys::fs::make_absolute(Abs);
  llvm::sys::path::remove_dots(Abs, true);
  llvm::SmallString<256> Cwd;
  llvm::sys::fs::current_path(Cwd);
  llvm::StringRef Path = Abs;
  Relative = Path.consume_front(Cwd) && Path.consume_front("/");
  return Relative ? percentEncodePath(Path) : fileUri(Path);
}

/// A stable fingerprint (FNV-1a 64) of what identifies a finding across line moves.
std::string fingerprint(llvm::StringRef Check, llvm::StringRef Uri, llvm::StringRef LineText,
                        unsigned Occurrence) {
  uint64_t H = 1469598103934665603ULL;
  auto Mix = [&H](llvm::StringRef S) {
    for (unsigned char C : S) {
      H ^= C;
      H *= 1099511628211ULL;
    }
    H ^= 0xff;
    H *= 1099511628211ULL;
  };
  Mix(Check);
  Mix(Uri);
  Mix(LineText.trim());
  Mix(std::to_string(Occurrence));
  return llvm::utohexstr(H, true, 16);
}

void writeSARIF(llvm::raw_ostream &OS, const RunResult &R, llvm::ArrayRef<CheckDescription> Checks,
                const ReportOptions &Opts) {
  llvm::StringRef Version = Opts.Version;
  LineCache Lines(R.InMemorySources);
  std::map<std::string, unsigned> RuleIndex;
  llvm::json::Array Rules;
  for (const CheckDescription &C : Checks) {
    RuleIndex[C.Id] = Rules.size();
    std::string Help = absoluteDocsLinks(C.HelpMarkdown, Opts.DocsUrl);
    std::string Summary = absoluteDocsLinks(C.Summary, "");
    llvm::json::Object Rule{
        {"id", C.Id},
        {"name", checkDisplayName(C.Id)},
        {"shortDescription", llvm::json::Object{{"text", Summary}}},
        {"fullDescription", llvm::json::Object{{"text", Summary}}},
        {"help", llvm::json::Object{{"text", Help}, {"markdown", Help}}},
        {"defaultConfiguration", llvm::json::Object{{"level", "warning"}}},
        {"properties", llvm::json::Object{{"tags", llvm::json::Array{"correctness", "concurrency"}}}}};
    std::string HelpUri = checkDocsUrl(Opts.DocsUrl, C.Id);
    if (!HelpUri.empty())
      Rule["helpUri"] = HelpUri;
    Rules.push_back(std::move(Rule));
  }
  auto Physical = [&](const Location &L, unsigned EndLine, unsigned EndCol) {
    bool Relative = false;
    std::string Uri = artifactUri(L.File, Relative);
    llvm::json::Object Artifact{{"uri", Uri}};
    if (Relative)
      Artifact["uriBaseId"] = "%SRCROOT%";
    llvm::json::Object Region{{"startLine", L.Line},
                              {"startColumn", Lines.utf16Column(L.File, L.Line, L.Column)}};
    if (EndLine) {
      Region["endLine"] = EndLine;
      Region["endColumn"] = Lines.utf16Column(L.File, EndLine, EndCol);
    }
    return llvm::json::Object{{"artifactLocation", std::move(Artifact)}, {"region", std::move(Region)}};
  };
  llvm::json::Array Results;
  std::map<std::string, unsigned> Seen;
  for (const Diagnostic &D : R.Diags) {
    bool Relative;
    std::string Uri = artifactUri(D.Loc.File, Relative);
    std::string LineText = Lines.line(D.Loc.File, D.Loc.Line).str();
    unsigned Occurrence = Seen[D.Check + '\0' + Uri + '\0' + LineText]++;
    llvm::json::Object Result{
        {"ruleId", D.Check},
        {"level", D.Level == Severity::Error ? "error" : "warning"},
        {"message", llvm::json::Object{{"text", D.Message}}},
        {"locations", llvm::json::Array{llvm::json::Object{
                          {"physicalLocation", Physical(D.Loc, D.EndLine, D.EndColumn)}}}},
        {"partialFingerprints",
         llvm::json::Object{{"forksafeFingerprint/v1", fingerprint(D.Check, Uri, LineText, Occurrence)}}}};
    auto It = RuleIndex.find(D.Check);
    if (It != RuleIndex.end())
      Result["ruleIndex"] = It->second;
    if (!D.Notes.empty()) {
      llvm::json::Array Related;
      unsigned Id = 1;
      for (const Note &N : D.Notes)
        Related.push_back(llvm::json::Object{{"id", Id++},
                                             {"physicalLocation", Physical(N.Loc, 0, 0)},
                                             {"message", llvm::json::Object{{"text", N.Message}}}});
      Result["relatedLocations"] = std::move(Related);
    }
    Results.push_back(std::move(Result));
  }
  llvm::json::Array Notifications;
  for (const InputError &E : R.Errors) {
    bool Relative;
    std::string Uri = artifactUri(E.File, Relative);
    llvm::json::Object Artifact{{"uri", Uri}};
    if (Relative)
      Artifact["uriBaseId"] = "%SRCROOT%";
    Notifications.push_back(llvm::json::Object{
        {"level", "error"},
        {"message", llvm::json::Object{{"text", E.Message}}},
        {"locations", llvm::json::Array{llvm::json::Object{
                          {"physicalLocation", llvm::json::Object{{"artifactLocation", std::move(Artifact)}}}}}}});
  }
  llvm::SmallString<256> Cwd;
  llvm::sys::fs::current_path(Cwd);
  // An absolute file URI with the trailing slash that makes it a folder relative URIs resolve in.
  std::string Root = fileUri(Cwd);
  if (Root.back() != '/')
    Root += '/';
  llvm::json::Object Driver{{"name", "forksafe"},
                            {"version", Version},
                            {"semanticVersion", Version},
                            {"rules", std::move(Rules)}};
  std::string Home = docsHome(Opts.DocsUrl);
  if (!Home.empty())
    Driver["informationUri"] = Home;
  llvm::json::Object Run{
      {"tool", llvm::json::Object{{"driver", std::move(Driver)}}},
      {"columnKind", "utf16CodeUnits"},
      {"originalUriBaseIds", llvm::json::Object{{"%SRCROOT%", llvm::json::Object{{"uri", Root}}}}},
      {"results", std::move(Results)},
      {"invocations", llvm::json::Array{llvm::json::Object{
                          {"executionSuccessful", R.Errors.empty()},
                          {"toolExecutionNotifications", std::move(Notifications)}}}}};
  llvm::json::Value Doc = llvm::json::Object{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", llvm::json::Array{std::move(Run)}}};
  OS << llvm::formatv("{0:2}", Doc) << '\n';
}

/// GitHub workflow command escaping: data escapes %, CR, LF; properties also ':' and ','.
std::string githubEscape(llvm::StringRef S, bool Property) {
  std::string Out;
  for (char C : S) {
    if (C == '%')
      Out += "%25";
    else if (C == '\r')
      Out += "%0D";
    else if (C == '\n')
      Out += "%0A";
    else if (Property && C == ':')
      Out += "%3A";
    else if (Property && C == ',')
      Out += "%2C";
    else
      Out += C;
  }
  return Out;
}

/// A path as GitHub annotations want it: relative to the workspace (the working directory)
/// when below it, without "./" or "..".
std::string githubPath(llvm::StringRef File) {
  bool Relative = false;
  artifactUri(File, Relative);
  if (!Relative)
    return File.str();
  llvm::SmallString<256> P(File);
  llvm::sys::fs::make_absolute(P);
  llvm::sys::path::remove_dots(P, true);
  llvm::SmallString<256> Cwd;
  llvm::sys::fs::current_path(Cwd);
  llvm::StringRef Rel = P;
  Rel.consume_front(Cwd);
  Rel.consume_front("/");
  return Rel.str();
}

void writeGithub(llvm::raw_ostream &OS, const RunResult &R) {
  // Columns in UTF-16 code units, as in SARIF and as GitHub counts characters in its views.
  LineCache Lines(R.InMemorySources);
  for (const Diagnostic &D : R.Diags) {
    std::string Message = D.Message;
    for (const Note &N : D.Notes)
      Message += "\n" + githubPath(N.Loc.File) + ":" + std::to_string(N.Loc.Line) + ":" +
                 std::to_string(Lines.utf16Column(N.Loc.File, N.Loc.Line, N.Loc.Column)) + ": note: " + N.Message;
    OS << (D.Level == Severity::Error ? "::error " : "::warning ") << "file=" << githubEscape(githubPath(D.Loc.File), true)
       << ",line=" << D.Loc.Line << ",col=" << Lines.utf16Column(D.Loc.File, D.Loc.Line, D.Loc.Column);
    if (D.EndLine)
      OS << ",endLine=" << D.EndLine << ",endColumn=" << Lines.utf16Column(D.Loc.File, D.EndLine, D.EndColumn);
    OS << ",title=" << githubEscape(D.Check, true) << "::" << githubEscape(Message, false) << '\n';
  }
  for (const InputError &E : R.Errors)
    OS << "::error file=" << githubEscape(githubPath(E.File), true) << ",title=forksafe::"
       << githubEscape(E.Message, false) << '\n';
}

} // namespace

/// A copy of R whose every string is valid UTF-8, by Repair: file names need not be UTF-8 and
/// messages may quote a cut excerpt, but JSON and SARIF must be UTF-8 and text should be.
static RunResult repairedUTF8(const RunResult &R, std::string (*Repair)(llvm::StringRef)) {
  RunResult Out = R;
  auto Loc = [&](Location &L) { L.File = Repair(L.File); };
  for (Diagnostic &D : Out.Diags) {
    Loc(D.Loc);
    D.Message = Repair(D.Message);
    for (Note &N : D.Notes) {
      Loc(N.Loc);
      N.Message = Repair(N.Message);
    }
    if (D.FixIt) {
      D.FixIt->Description = Repair(D.FixIt->Description);
      for (Edit &E : D.FixIt->Edits) {
        E.File = Repair(E.File);
        E.Replacement = Repair(E.Replacement);
      }
    }
  }
  for (InputError &E : Out.Errors) {
    E.File = Repair(E.File);
    E.Message = Repair(E.Message);
  }
  Out.InMemorySources.clear();
  for (auto &[Name, Text] : R.InMemorySources)
    Out.InMemorySources[Repair(Name)] = Text;
  return Out;
}

static bool allUTF8(const RunResult &R) {
  auto Ok = [](llvm::StringRef S) { return findInvalidUTF8(S) == llvm::StringRef::npos; };
  for (const Diagnostic &D : R.Diags) {
    if (!Ok(D.Loc.File) || !Ok(D.Message))
      return false;
    for (const Note &N : D.Notes)
      if (!Ok(N.Loc.File) || !Ok(N.Message))
        return false;
    if (D.FixIt) {
      if (!Ok(D.FixIt->Description))
        return false;
      for (const Edit &E : D.FixIt->Edits)
        if (!Ok(E.File) || !Ok(E.Replacement))
          return false;
    }
  }
  for (const InputError &E : R.Errors)
    if (!Ok(E.File) || !Ok(E.Message))
      return false;
  for (const auto &Entry : R.InMemorySources)
    if (!Ok(Entry.first))
      return false;
  return true;
}

void writeReport(llvm::raw_ostream &OS, OutputFormat Format, const RunResult &Input,
                 llvm::ArrayRef<CheckDescription> Checks, const ReportOptions &Opts) {
  std::optional<RunResult> Repaired;
  if (!allUTF8(Input))
    Repaired = repairedUTF8(Input, Format == OutputFormat::Json || Format == OutputFormat::Sarif
                                       ? replaceInvalidUTF8
                                       : escapeInvalidUTF8);
  const RunResult &Result = Repaired ? *Repaired : Input;
  switch (Format) {
  case OutputFormat::Text:
    for (const Diagnostic &D : Result.Diags)
      writeTextDiagnostic(OS, D);
    break;
  case OutputFormat::Json:
    writeJSON(OS, Result, Opts.Version);
    break;
  case OutputFormat::Sarif:
    writeSARIF(OS, Result, Checks, Opts);
    break;
  case OutputFormat::Github:
    writeGithub(OS, Result);
    break;
  }
}

} // namespace forksafe
