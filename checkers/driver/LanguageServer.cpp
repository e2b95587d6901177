//===--- LanguageServer.cpp - forksafe lsp: diagnostics and quick fixes ------===//
//
// A small Language Server Protocol server on stdio: Python documents are analysed on open,
// change and save (the editor's text, never the file on disk), diagnostics are published with
// notes as related information, and fixes are offered as quick-fix code actions.
//
//===----------------------------------------------------------------------===//
#include "LanguageServer.h"

#include "FileWalker.h"
#include "Runner.h"
#include "core/Uri.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <string>

using namespace forksafe;
namespace json = llvm::json;

namespace {

// json::Object getters return llvm::Optional in LLVM 14 and std::optional in 19: these helpers
// read through either.
std::string stringOf(const json::Object *O, llvm::StringRef Key, bool *Found = nullptr) {
  if (O)
    if (auto S = O->getString(Key)) {
      if (Found)
        *Found = true;
      return S->str();
    }
  if (Found)
    *Found = false;
  return "";
}

int64_t integerOf(const json::Object *O, llvm::StringRef Key, int64_t Default) {
  if (O)
    if (auto V = O->getInteger(Key))
      return *V;
  return Default;
}

class Server {
public:
  int run() {
    while (true) {
      std::optional<std::string> Body = readMessage();
      if (!Body)
        return ShutdownRequested ? 0 : 1; // stdin closed
      auto Msg = json::parse(*Body);
      if (!Msg) {
        llvm::errs() << "forksafe lsp: ignoring a message that is not JSON: " << llvm::toString(Msg.takeError())
                     << "\n";
        continue;
      }
      json::Object *O = Msg->getAsObject();
      if (!O)
        continue;
      bool HasMethod;
      std::string Method = stringOf(O, "method", &HasMethod);
      const json::Value *Id = O->get("id");
      const json::Value *Params = O->get("params");
      if (!HasMethod)
        continue; // a response to us: we send no requests
      if (Method == "exit")
        return ShutdownRequested ? 0 : 1;
      handle(Method, Id, Params);
    }
  }

private:
  struct Document {
    std::string Path;
    std::string Text;
    std::vector<Diagnostic> Diags;
  };

  std::optional<std::string> readMessage() {
    size_t Length = 0;
    bool HaveLength = false;
    std::string Line;
    while (std::getline(std::cin, Line)) {
      if (!Line.empty() && Line.back() == '\r')
        Line.pop_back();
      if (Line.empty()) {
        if (!HaveLength)
          continue;
        std::string Body(Length, '\0');
        std::cin.read(&Body[0], Length);
        if ((size_t)std::cin.gcount() != Length)
          return std::nullopt;
        return Body;
      }
      llvm::StringRef L(Line);
      if (L.consume_front("Content-Length:")) {
        HaveLength = !L.trim().getAsInteger(10, Length);
      }
    }
    return std::nullopt;
  }

  void send(const json::Value &V) {
    std::string Body;
    llvm::raw_string_ostream OS(Body);
    OS << V;
    OS.flush();
    std::cout << "Content-Length: " << Body.size() << "\r\n\r\n" << Body;
    std::cout.flush();
  }

  void reply(const json::Value *Id, json::Value Result) {
    if (Id)
      send(json::Object{{"jsonrpc", "2.0"}, {"id", *Id}, {"result", std::move(Result)}});
  }

  void replyError(const json::Value *Id, int Code, llvm::StringRef Message) {
    if (Id)
      send(json::Object{{"jsonrpc", "2.0"},
                        {"id", *Id},
                        {"error", json::Object{{"code", Code}, {"message", Message}}}});
  }

  void notify(llvm::StringRef Method, json::Value Params) {
    send(json::Object{{"jsonrpc", "2.0"}, {"method", Method}, {"params", std::move(Params)}});
  }

  /// LSP positions count UTF-16 code units unless the client agreed to UTF-8 (which is ours).
  unsigned character(const std::string &Text, unsigned Line, unsigned ByteColumn) {
    if (Utf8Positions || ByteColumn <= 1)
      return ByteColumn ? ByteColumn - 1 : 0;
    size_t Start = 0;
    for (unsigned L = 1; L < Line; ++L) {
      size_t NL = Text.find('\n', Start);
      if (NL == std::string::npos)
        return ByteColumn - 1;
      Start = NL + 1;
    }
    unsigned Units = 0;
    for (size_t I = Start; I < Start + ByteColumn - 1 && I < Text.size() && Text[I] != '\n'; ++I) {
      unsigned char C = Text[I];
      if ((C & 0xC0) != 0x80)
        Units += C >= 0xF0 ? 2 : 1;
    }
    return Units;
  }

  json::Object range(const std::string &Text, unsigned Line, unsigned Col, unsigned EndLine, unsigned EndCol) {
    if (!EndLine) {
      EndLine = Line;
      EndCol = Col;
    }
    return json::Object{
        {"start", json::Object{{"line", Line ? Line - 1 : 0}, {"character", character(Text, Line, Col)}}},
        {"end", json::Object{{"line", EndLine ? EndLine - 1 : 0}, {"character", character(Text, EndLine, EndCol)}}}};
  }

  void analyze(const std::string &Uri) {
    Document &Doc = Docs[Uri];
    json::Array Out;
    Doc.Diags.clear();
    if (languageOf(Doc.Path, /*ReadShebang=*/false) == Language::Python) {
      BufferResult R = Engine.analyzePythonBuffer(Doc.Path, Doc.Text, /*ComputeFix=*/false);
      Doc.Diags = std::move(R.Diags);
      for (const Diagnostic &D : Doc.Diags) {
        json::Array Related;
        for (const Note &N : D.Notes)
          Related.push_back(json::Object{
              {"location", json::Object{{"uri", N.Loc.File == Doc.Path ? Uri : fileUri(N.Loc.File)},
                                        {"range", range(Doc.Text, N.Loc.Line, N.Loc.Column, 0, 0)}}},
              {"message", N.Message}});
        json::Object LD{{"range", range(Doc.Text, D.Loc.Line, D.Loc.Column, D.EndLine, D.EndColumn)},
                        {"severity", D.Level == Severity::Error ? 1 : 2},
                        {"code", D.Check},
                        {"source", "forksafe"},
                        {"message", D.Message}};
        if (!Related.empty())
          LD["relatedInformation"] = std::move(Related);
        Out.push_back(std::move(LD));
      }
      for (const InputError &E : R.Errors)
        Out.push_back(json::Object{{"range", range(Doc.Text, 1, 1, 1, 1)},
                                   {"severity", 1},
                                   {"source", "forksafe"},
                                   {"message", E.Message}});
    }
    notify("textDocument/publishDiagnostics", json::Object{{"uri", Uri}, {"diagnostics", std::move(Out)}});
  }

  json::Value codeActions(const json::Object &P) {
    json::Array Actions;
    std::string Uri = stringOf(P.getObject("textDocument"), "uri");
    if (!Docs.count(Uri))
      return Actions;
    Document &Doc = Docs[Uri];
    const json::Object *Range = P.getObject("range");
    int64_t FirstLine = integerOf(Range ? Range->getObject("start") : nullptr, "line", 0);
    int64_t LastLine = integerOf(Range ? Range->getObject("end") : nullptr, "line", INT64_MAX);
    for (const Diagnostic &D : Doc.Diags) {
      if (!D.FixIt)
        continue;
      int64_t Line = D.Loc.Line - 1, End = (D.EndLine ? D.EndLine : D.Loc.Line) - 1;
      if (End < FirstLine || Line > LastLine)
        continue;
      json::Array Edits;
      for (const Edit &E : D.FixIt->Edits)
        Edits.push_back(json::Object{{"range", range(Doc.Text, E.Line, E.Column, E.EndLine, E.EndColumn)},
                                     {"newText", E.Replacement}});
      std::string Title = D.FixIt->Description.empty() ? "Fix " + D.Check : D.FixIt->Description;
      if (D.FixIt->Kind == Applicability::Unsafe)
        Title += " (changes behaviour: review)";
      Actions.push_back(json::Object{
          {"title", Title},
          {"kind", "quickfix"},
          {"isPreferred", D.FixIt->Kind == Applicability::Safe},
          {"edit", json::Object{{"changes", json::Object{{Uri, std::move(Edits)}}}}}});
    }
    return Actions;
  }

  void handle(llvm::StringRef Method, const json::Value *Id, const json::Value *Params) {
    const json::Object *P = Params ? Params->getAsObject() : nullptr;
    if (Method == "initialize") {
      // Prefer UTF-8 positions (our columns are bytes) when the client offers them (LSP 3.17).
      if (P)
        if (auto *Caps = P->getObject("capabilities"))
          if (auto *General = Caps->getObject("general"))
            if (auto *Encodings = General->getArray("positionEncodings"))
              for (const json::Value &E : *Encodings)
                if (auto S = E.getAsString())
                  if (*S == "utf-8")
                  Utf8Positions = true;
      json::Object Caps{
          {"textDocumentSync", json::Object{{"openClose", true}, {"change", 1}, {"save", json::Object{{"includeText", true}}}}},
          {"codeActionProvider", json::Object{{"codeActionKinds", json::Array{"quickfix"}}}}};
      if (Utf8Positions)
        Caps["positionEncoding"] = "utf-8";
      reply(Id, json::Object{{"capabilities", std::move(Caps)},
                             {"serverInfo", json::Object{{"name", "forksafe"}, {"version", FORKSAFE_VERSION}}}});
      return;
    }
    if (Method == "shutdown") {
      ShutdownRequested = true;
      reply(Id, nullptr);
      return;
    }
    if (Method == "initialized" || Method == "$/cancelRequest" || Method == "$/setTrace" ||
        Method == "workspace/didChangeConfiguration")
      return;
    if (!P) {
      replyError(Id, -32602, "missing params");
      return;
    }
    const json::Object *TD = P->getObject("textDocument");
    bool HasUri;
    std::string Uri = stringOf(TD, "uri", &HasUri);
    if (Method == "textDocument/didOpen" && HasUri) {
      auto Path = pathOfFileUri(Uri);
      Document &Doc = Docs[Uri];
      Doc.Path = Path ? *Path : Uri;
      Doc.Text = stringOf(TD, "text");
      analyze(Uri);
      return;
    }
    if (Method == "textDocument/didChange" && Docs.count(Uri)) {
      // Full synchronisation: the last change holds the whole text.
      if (const json::Array *Changes = P->getArray("contentChanges"))
        if (!Changes->empty()) {
          bool HasText;
          std::string Text = stringOf(Changes->back().getAsObject(), "text", &HasText);
          if (HasText)
            Docs[Uri].Text = std::move(Text);
        }
      analyze(Uri);
      return;
    }
    if (Method == "textDocument/didSave" && Docs.count(Uri)) {
      bool HasText;
      std::string Text = stringOf(P, "text", &HasText);
      if (HasText)
        Docs[Uri].Text = std::move(Text);
      analyze(Uri);
      return;
    }
    if (Method == "textDocument/didClose" && HasUri) {
      Docs.erase(Uri);
      notify("textDocument/publishDiagnostics", json::Object{{"uri", Uri}, {"diagnostics", json::Array{}}});
      return;
    }
    if (Method == "textDocument/codeAction") {
      reply(Id, codeActions(*P));
      return;
    }
    if (Id)
      replyError(Id, -32601, ("method not found: " + Method).str());
  }

  Runner Engine{RunOptions{}};
  std::map<std::string, Document> Docs;
  bool Utf8Positions = false;
  bool ShutdownRequested = false;
};

} // namespace

int runLanguageServer(int Argc, const char **Argv) {
  if (Argc > 1 && llvm::StringRef(Argv[1]) != "--stdio") {
    llvm::errs() << "usage: forksafe lsp [--stdio]\n";
    return 2;
  }
  std::ios::sync_with_stdio(false);
  return Server().run();
}
