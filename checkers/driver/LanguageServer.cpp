//===--- LanguageServer.cpp - forksafe lsp: diagnostics and quick fixes ------===//
//
// A Language Server Protocol server on stdio. Python documents are analysed from the editor's
// text (incremental sync; each document keeps its parse, which tree-sitter re-parses where it
// was edited), C/C++ documents by the clang-tidy checks on a worker thread over the unsaved
// buffer. Messages are read by their own thread: the main loop handles everything that has
// arrived before it analyses, so a burst of edits is analysed and published once.
//
// Threads: the reader (frames from stdin into the queue), the main loop (documents, analysis
// of Python, all output) and the C/C++ worker (one translation unit at a time; its results go
// back through the queue, and a result for a version the editor has since changed is dropped).
//
//===----------------------------------------------------------------------===//
#include "LanguageServer.h"
#include "CheckCatalog.h"

#include "LspDocuments.h"
#include "LspTransport.h"
#include "FileWalker.h"
#include "Runner.h"
#include "core/StringCompat.h"
#include "core/Uri.h"
#include "cpp/CppAnalyzer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif


using namespace forksafe;
using namespace forksafe::lsp;
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

/// cpp::CppOptions gains an overlay of unsaved buffers (path -> text); until it has one, C/C++
/// documents are analysed as saved on disk, on open and save only.
template <typename T, typename = void> struct HasOverlay : std::false_type {};
template <typename T>
struct HasOverlay<T, std::void_t<decltype(std::declval<T &>().Overlay)>> : std::true_type {};
constexpr bool CppOverlay = HasOverlay<cpp::CppOptions>::value;
template <typename T> void setOverlay(T &Opts, const std::string &Path, const std::string &Text) {
  if constexpr (HasOverlay<T>::value)
    Opts.Overlay[Path] = Text;
}

/// What the main loop works on, in arrival order.
struct Item {
  enum Kind { Message, Complaint, CppDone, End } K;
  explicit Item(Kind K = End, std::string Text = "") : K(K), Text(std::move(Text)) {}
  std::string Text; ///< a message's body or a complaint
  // CppDone:
  std::string Uri;
  int64_t Version = 0;
  std::vector<Diagnostic> Diags;
  std::vector<InputError> Errors;
};

class Queue {
public:
  void push(Item I) {
    {
      std::lock_guard<std::mutex> L(M);
      Items.push_back(std::move(I));
    }
    CV.notify_one();
  }
  /// Makes Batch visible at once: the main loop sees every message of one read together.
  void pushAll(std::vector<Item> &Batch) {
    if (Batch.empty())
      return;
    {
      std::lock_guard<std::mutex> L(M);
      for (Item &I : Batch)
        Items.push_back(std::move(I));
    }
    Batch.clear();
    CV.notify_one();
  }
  /// The next item; when none is waiting, blocks only if Block (else returns false).
  bool pop(Item &Out, bool Block) {
    std::unique_lock<std::mutex> L(M);
    if (Block)
      CV.wait(L, [&] { return !Items.empty(); });
    if (Items.empty())
      return false;
    Out = std::move(Items.front());
    Items.pop_front();
    return true;
  }

private:
  std::mutex M;
  std::condition_variable CV;
  std::deque<Item> Items;
};

/// One C/C++ analysis at a time, newest text per document: a job waiting for the worker is
/// replaced by a newer edit, so stale runs never start.
class CppWorker {
public:
  struct Job {
    std::string Uri, Path, Text;
    int64_t Version = 0;
    bool Unsaved = false; ///< the text differs from the file on disk
    std::shared_ptr<ConfigFinder> Configs;
  };
  explicit CppWorker(Queue &Results) : Results(Results) {}
  ~CppWorker() { stop(); }

  void submit(Job J) {
    {
      std::lock_guard<std::mutex> L(M);
      if (!Thread.joinable())
        Thread = std::thread([this] { loop(); });
      std::string Uri = J.Uri;
      Pending[Uri] = std::move(J);
    }
    CV.notify_one();
  }
  void cancel(const std::string &Uri) {
    std::lock_guard<std::mutex> L(M);
    Pending.erase(Uri);
  }
  void stop() {
    {
      std::lock_guard<std::mutex> L(M);
      Stopping = true;
      Pending.clear();
    }
    CV.notify_one();
    if (Thread.joinable())
      Thread.join();
  }
  /// Runs J on the calling thread (the stream entry point has no worker).
  static Item run(const Job &J);

private:
  void loop() {
    while (true) {
      Job J;
      {
        std::unique_lock<std::mutex> L(M);
        CV.wait(L, [&] { return Stopping || !Pending.empty(); });
        if (Stopping)
          return;
        J = std::move(Pending.begin()->second);
        Pending.erase(Pending.begin());
      }
      Results.push(run(J));
    }
  }

  Queue &Results;
  std::mutex M;
  std::condition_variable CV;
  std::map<std::string, Job> Pending;
  bool Stopping = false;
  std::thread Thread;
};

Item CppWorker::run(const Job &J) {
  Item Out;
  Out.K = Item::CppDone;
  Out.Uri = J.Uri;
  Out.Version = J.Version;
  cpp::CppOptions CO;
  if (J.Unsaved)
    setOverlay(CO, J.Path, J.Text);
  std::vector<Diagnostic> Diags;
  cpp::analyze({J.Path}, CO, Diags, Out.Errors);
  // The project's configuration selects and ignores checks as it does on the command line.
  for (Diagnostic &D : Diags) {
    std::vector<InputError> ConfigErrors;
    auto Cfg = J.Configs->forFile(D.Loc.File, ConfigErrors);
    // As Runner::checksFor: all checks, then the configuration's selection.
    CheckGlobs Enabled("forksafe-*");
    if (Cfg->Checks)
      Enabled.append(*Cfg->Checks);
    if (Enabled.contains(D.Check) && !Cfg->ignores(D.Loc.File, D.Check))
      Out.Diags.push_back(std::move(D));
  }
  return Out;
}

enum class DocKind { Python, Cpp, Other };

class Server {
public:
  using WriteFn = std::function<void(const std::string &)>;
  Server(WriteFn Write, Queue &Q, bool Threaded, bool AnalyseCpp, std::string DocsUrl)
      : Write(std::move(Write)), Q(Q), Threaded(Threaded), AnalyseCpp(AnalyseCpp),
        DocsUrl(std::move(DocsUrl)), Worker(Q) {}

  /// Handles items until `exit` or the end of input; returns the exit code.
  int run() {
    while (true) {
      Item I;
      if (!Q.pop(I, /*Block=*/!Threaded || (DirtyPython.empty() && DirtyCpp.empty()))) {
        analyseDirty(); // everything that arrived is handled: now analyse, once
        continue;
      }
      if (std::optional<int> Exit = handleItem(I)) {
        Worker.stop();
        return *Exit;
      }
      if (!Threaded)
        analyseDirty();
    }
  }

private:
  std::optional<int> handleItem(Item &I) {
    switch (I.K) {
    case Item::End:
      return ShutdownRequested ? 0 : 1; // the client went away
    case Item::Complaint:
      complain(I.Text);
      return std::nullopt;
    case Item::CppDone:
      publishCpp(I);
      return std::nullopt;
    case Item::Message:
      return handleMessage(I.Text);
    }
    return std::nullopt;
  }

  void complain(const std::string &Why) { llvm::errs() << "forksafe lsp: " << Why << "\n"; }

  std::optional<int> handleMessage(const std::string &Body) {
    if (!jsonDepthWithinLimit(Body)) {
      complain("a message nested deeper than " + std::to_string(MaxJsonDepth) + " levels is skipped");
      return std::nullopt;
    }
    auto Msg = json::parse(Body);
    if (!Msg) {
      complain("a message that is not JSON is skipped: " + llvm::toString(Msg.takeError()));
      return std::nullopt;
    }
    json::Object *O = Msg->getAsObject();
    if (!O) {
      complain("a message that is not a JSON object is skipped");
      return std::nullopt;
    }
    bool HasMethod;
    std::string Method = stringOf(O, "method", &HasMethod);
    const json::Value *Id = O->get("id");
    if (!HasMethod)
      return std::nullopt; // a response to one of our requests
    if (Method == "exit")
      return ShutdownRequested ? 0 : 1;
    handle(Method, Id, O->get("params"));
    return std::nullopt;
  }

  void send(const json::Value &V) {
    std::string Body;
    llvm::raw_string_ostream OS(Body);
    OS << V;
    OS.flush();
    Write(frame(Body));
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

  //===--- Documents ------------------------------------------------------===//

  /// Python by the editor's language id, else by extension, else by a `#!...python` first line
  /// (scripts without `.py`); C/C++ by language id or extension.
  DocKind kindOf(const Document &Doc) const {
    llvm::StringRef Id = Doc.LanguageId;
    if (Id == "python")
      return DocKind::Python;
    if (Id == "c" || Id == "cpp" || Id == "objective-c" || Id == "objective-cpp" || Id == "cuda" ||
        Id == "cuda-cpp")
      return DocKind::Cpp;
    switch (languageOf(Doc.Path, /*ReadShebang=*/false)) {
    case Language::Python:
      return DocKind::Python;
    case Language::Cpp:
      return DocKind::Cpp;
    case Language::Unknown:
      break;
    }
    llvm::StringRef FirstLine = llvm::StringRef(Doc.text()).take_until([](char C) { return C == '\n'; });
    if (startsWith(FirstLine, "#!") && FirstLine.contains("python"))
      return DocKind::Python;
    return DocKind::Other;
  }

  /// The path a document is analysed as: a file URI's path; for other schemes (`untitled:`), a
  /// name in the workspace root, so that the project's configuration applies.
  std::string pathFor(llvm::StringRef Uri) const {
    if (auto Path = pathOfFileUri(Uri))
      return *Path;
    std::string Name = Uri.substr(Uri.find(':') + 1).str();
    for (char &C : Name)
      if (C == '/' || C == '\\')
        C = '_';
    if (Name.empty() || Name == "." || Name == "..")
      Name = "untitled";
    llvm::SmallString<256> P(Root);
    if (P.empty())
      llvm::sys::fs::current_path(P);
    llvm::sys::path::append(P, Name);
    return std::string(P);
  }

  static bool isConfigFile(llvm::StringRef Path) {
    llvm::StringRef Name = llvm::sys::path::filename(Path);
    return Name == "pyproject.toml" || Name == ".forksafe.toml";
  }

  /// The configuration changed: forget every cached configuration and analyse again.
  void reloadConfiguration() {
    Engine = std::make_shared<Runner>(RunOptions{});
    Configs = std::make_shared<ConfigFinder>();
    for (auto &[Uri, Doc] : Docs)
      markDirty(Doc);
  }

  void markDirty(const Document &Doc) {
    switch (kindOf(Doc)) {
    case DocKind::Python:
      DirtyPython.insert(Doc.Uri);
      break;
    case DocKind::Cpp:
      if (AnalyseCpp)
        DirtyCpp.insert(Doc.Uri);
      break;
    case DocKind::Other:
      // Published empty: it may have been Python before an edit of its first line.
      DirtyPython.insert(Doc.Uri);
      break;
    }
  }

  //===--- Analysis and publication ---------------------------------------===//

  void analyseDirty() {
    for (const std::string &Uri : DirtyPython) {
      auto It = Docs.find(Uri);
      if (It != Docs.end())
        analysePython(It->second);
    }
    DirtyPython.clear();
    for (const std::string &Uri : DirtyCpp) {
      auto It = Docs.find(Uri);
      if (It == Docs.end())
        continue;
      Document &Doc = It->second;
      CppWorker::Job J{Doc.Uri, Doc.Path, Doc.text(), Doc.Version, Doc.Unsaved, Configs};
      if (J.Unsaved && !CppOverlay)
        continue; // the analyzer would read the file on disk, not this text
      if (Threaded)
        Worker.submit(std::move(J));
      else {
        Item I = CppWorker::run(J);
        publishCpp(I);
      }
    }
    DirtyCpp.clear();
  }

  void analysePython(Document &Doc) {
    Doc.Diags.clear();
    std::vector<InputError> Errors;
    if (kindOf(Doc) == DocKind::Python) {
      BufferResult R = Engine->analyzePythonBuffer(Doc.Path, Doc.text(), /*ComputeFix=*/false,
                                                   /*UseCache=*/false, &Doc.Tree);
      Doc.Diags = std::move(R.Diags);
      Errors = std::move(R.Errors);
    }
    publish(Doc, Errors);
  }

  void publishCpp(Item &I) {
    auto It = Docs.find(I.Uri);
    if (It == Docs.end() || It->second.Version != I.Version)
      return; // closed or edited since: a newer run will publish
    Document &Doc = It->second;
    Doc.Diags.clear();
    for (Diagnostic &D : I.Diags)
      if (D.Loc.File == Doc.Path)
        Doc.Diags.push_back(std::move(D));
    std::vector<InputError> Errors;
    for (InputError &E : I.Errors)
      if (E.File == Doc.Path || E.File.empty())
        Errors.push_back(std::move(E));
    publish(Doc, Errors);
  }

  json::Object range(const Document &Doc, unsigned Line, unsigned Col, unsigned EndLine, unsigned EndCol) const {
    if (!EndLine) {
      EndLine = Line;
      EndCol = Col;
    }
    return json::Object{
        {"start", json::Object{{"line", Line ? Line - 1 : 0}, {"character", Doc.character(Line, Col, Utf8Positions)}}},
        {"end", json::Object{{"line", EndLine ? EndLine - 1 : 0},
                             {"character", Doc.character(EndLine, EndCol, Utf8Positions)}}}};
  }

  std::string docsPage(llvm::StringRef Check) const {
    if (DocsUrl.empty())
      return "";
    size_t At = DocsUrl.find("{id}");
    if (At != std::string::npos)
      return DocsUrl.substr(0, At) + Check.str() + DocsUrl.substr(At + 4);
    return DocsUrl + (DocsUrl.back() == '/' ? "" : "/") + Check.str() + ".md";
  }

  void publish(Document &Doc, const std::vector<InputError> &Errors) {
    json::Array Out;
    for (const Diagnostic &D : Doc.Diags) {
      json::Array Related;
      for (const Note &N : D.Notes) {
        // A note elsewhere (a header, another module) has no line index here: its columns stay bytes.
        bool Here = N.Loc.File == Doc.Path;
        json::Object R = Here ? range(Doc, N.Loc.Line, N.Loc.Column, 0, 0)
                              : json::Object{{"start", json::Object{{"line", N.Loc.Line ? N.Loc.Line - 1 : 0},
                                                                    {"character", N.Loc.Column ? N.Loc.Column - 1 : 0}}},
                                             {"end", json::Object{{"line", N.Loc.Line ? N.Loc.Line - 1 : 0},
                                                                  {"character", N.Loc.Column ? N.Loc.Column - 1 : 0}}}};
        Related.push_back(json::Object{
            {"location", json::Object{{"uri", Here ? Doc.Uri : fileUri(N.Loc.File)}, {"range", std::move(R)}}},
            {"message", N.Message}});
      }
      json::Object LD{{"range", range(Doc, D.Loc.Line, D.Loc.Column, D.EndLine, D.EndColumn)},
                      {"severity", D.Level == Severity::Error ? 1 : 2},
                      {"code", D.Check},
                      {"source", "forksafe"},
                      {"message", D.Message}};
      std::string Page = docsPage(D.Check);
      if (!Page.empty())
        LD["codeDescription"] = json::Object{{"href", Page}};
      if (!Related.empty())
        LD["relatedInformation"] = std::move(Related);
      Out.push_back(std::move(LD));
    }
    for (const InputError &E : Errors)
      Out.push_back(json::Object{{"range", range(Doc, 1, 1, 1, 1)},
                                 {"severity", 1},
                                 {"source", "forksafe"},
                                 {"message", E.Message}});
    Doc.Published = !Out.empty();
    notify("textDocument/publishDiagnostics",
           json::Object{{"uri", Doc.Uri}, {"version", Doc.Version}, {"diagnostics", std::move(Out)}});
  }

  //===--- Code actions ---------------------------------------------------===//

  json::Object textEdit(const Document &Doc, size_t From, size_t To, std::string NewText) const {
    auto S = Doc.position(From, Utf8Positions), E = Doc.position(To, Utf8Positions);
    return json::Object{{"range", json::Object{{"start", json::Object{{"line", S.first}, {"character", S.second}}},
                                               {"end", json::Object{{"line", E.first}, {"character", E.second}}}}},
                        {"newText", std::move(NewText)}}; // a StringRef would not be copied
  }

  /// "Suppress on this line": `# forksafe: ignore[id]` (Python) or `// NOLINT(id)` (C/C++) at
  /// the end of the finding's line, or the id added to the comment already there.
  std::optional<json::Object> suppressAction(const Document &Doc, const Diagnostic &D, bool Python) const {
    if (!D.Loc.Line)
      return std::nullopt;
    size_t Start = Doc.offset(D.Loc.Line - 1, 0, true);
    llvm::StringRef Rest = llvm::StringRef(Doc.text()).drop_front(Start);
    llvm::StringRef Line = Rest.take_until([](char C) { return C == '\n'; });
    if (endsWith(Line, "\r"))
      Line = Line.drop_back();
    size_t LineEnd = Start + Line.size();
    std::string Title = "Suppress " + D.Check + " on this line";
    auto Action = [&](json::Object Edit) {
      return json::Object{
          {"title", Title},
          {"kind", "quickfix"},
          {"edit", json::Object{{"changes", json::Object{{Doc.Uri, json::Array{std::move(Edit)}}}}}}};
    };
    llvm::StringRef Trimmed = Line.rtrim(" \t");
    if (Python) {
      if (endsWith(Trimmed, "\\"))
        return std::nullopt; // a continued line cannot take a comment
      size_t Open = Line.find("# forksafe: ignore[");
      if (Open != llvm::StringRef::npos) {
        size_t Close = Line.find(']', Open);
        if (Close != llvm::StringRef::npos)
          return Action(textEdit(Doc, Start + Close, Start + Close, ", " + D.Check));
      }
      return Action(textEdit(Doc, Start + Trimmed.size(), LineEnd, "  # forksafe: ignore[" + D.Check + "]"));
    }
    size_t Open = Line.find("NOLINT(");
    if (Open != llvm::StringRef::npos && (Open == 0 || Line[Open - 1] != '_')) {
      size_t Close = Line.find(')', Open);
      if (Close != llvm::StringRef::npos)
        return Action(textEdit(Doc, Start + Close, Start + Close, "," + D.Check));
    }
    if (endsWith(Trimmed, "\\")) // a macro's continued line: a block comment keeps the backslash last
      return Action(textEdit(Doc, Start + Trimmed.size() - 1, Start + Trimmed.size() - 1,
                             "/* NOLINT(" + D.Check + ") */ "));
    return Action(textEdit(Doc, Start + Trimmed.size(), LineEnd, " // NOLINT(" + D.Check + ")"));
  }

  json::Value codeActions(const json::Object &P) {
    json::Array Actions;
    std::string Uri = stringOf(P.getObject("textDocument"), "uri");
    auto It = Docs.find(Uri);
    if (It == Docs.end())
      return Actions;
    Document &Doc = It->second;
    if (DirtyPython.erase(Uri))
      analysePython(Doc); // answer about the text the editor has now
    bool Python = kindOf(Doc) == DocKind::Python;
    const json::Object *Range = P.getObject("range");
    int64_t FirstLine = integerOf(Range ? Range->getObject("start") : nullptr, "line", 0);
    int64_t LastLine = integerOf(Range ? Range->getObject("end") : nullptr, "line", INT64_MAX);
    std::vector<json::Object> Suppress;
    for (const Diagnostic &D : Doc.Diags) {
      int64_t Line = int64_t(D.Loc.Line) - 1, End = int64_t(D.EndLine ? D.EndLine : D.Loc.Line) - 1;
      if (End < FirstLine || Line > LastLine)
        continue;
      if (auto S = suppressAction(Doc, D, Python))
        Suppress.push_back(std::move(*S));
      if (!D.FixIt)
        continue;
      json::Array Edits;
      bool Elsewhere = false;
      for (const Edit &E : D.FixIt->Edits) {
        if (!E.File.empty() && E.File != Doc.Path)
          Elsewhere = true;
        Edits.push_back(textEdit(Doc, E.Offset, size_t(E.Offset) + E.Length, E.Replacement));
      }
      if (Elsewhere)
        continue; // a fix-it in a header: not offered on this buffer
      std::string Title = D.FixIt->Description.empty() ? "Fix " + D.Check : D.FixIt->Description;
      if (D.FixIt->Kind == Applicability::Unsafe)
        Title += " (changes behaviour: review)";
      Actions.push_back(json::Object{
          {"title", Title},
          {"kind", "quickfix"},
          {"isPreferred", D.FixIt->Kind == Applicability::Safe},
          {"edit", json::Object{{"changes", json::Object{{Uri, std::move(Edits)}}}}}});
    }
    for (json::Object &S : Suppress)
      Actions.push_back(std::move(S));
    return Actions;
  }

  //===--- Dispatch -------------------------------------------------------===//

  void initialize(const json::Object *P) {
    if (!P)
      return;
    // Prefer UTF-8 positions (our columns are bytes) when the client offers them (LSP 3.17).
    if (auto *Caps = P->getObject("capabilities")) {
      if (auto *General = Caps->getObject("general"))
        if (auto *Encodings = General->getArray("positionEncodings"))
          for (const json::Value &E : *Encodings)
            if (auto S = E.getAsString())
              if (*S == "utf-8")
                Utf8Positions = true;
      if (auto *Workspace = Caps->getObject("workspace"))
        if (auto *Watched = Workspace->getObject("didChangeWatchedFiles"))
          if (auto Dynamic = Watched->getBoolean("dynamicRegistration"))
            WatchFiles = *Dynamic;
    }
    std::string RootUri = stringOf(P, "rootUri");
    if (auto *Folders = P->getArray("workspaceFolders"))
      if (!Folders->empty())
        RootUri = stringOf(Folders->front().getAsObject(), "uri");
    if (auto Path = pathOfFileUri(RootUri))
      Root = *Path;
    else if (std::string RootPath = stringOf(P, "rootPath"); !RootPath.empty())
      Root = RootPath;
    if (auto *Init = P->getObject("initializationOptions")) {
      bool Has;
      std::string Url = stringOf(Init, "docsUrl", &Has);
      if (Has)
        DocsUrl = Url;
    }
  }

  void handle(llvm::StringRef Method, const json::Value *Id, const json::Value *Params) {
    const json::Object *P = Params ? Params->getAsObject() : nullptr;
    if (Method == "initialize") {
      initialize(P);
      Initialized = true;
      json::Object Caps{
          {"textDocumentSync",
           json::Object{{"openClose", true}, {"change", 2}, {"save", json::Object{{"includeText", true}}}}},
          {"codeActionProvider", json::Object{{"codeActionKinds", json::Array{"quickfix"}}}}};
      if (Utf8Positions)
        Caps["positionEncoding"] = "utf-8";
      reply(Id, json::Object{{"capabilities", std::move(Caps)},
                             {"serverInfo", json::Object{{"name", "forksafe"}, {"version", FORKSAFE_VERSION}}}});
      return;
    }
    if (!Initialized) {
      replyError(Id, -32002, "the server is not initialized");
      return;
    }
    if (Method == "shutdown") {
      ShutdownRequested = true;
      reply(Id, nullptr);
      return;
    }
    if (ShutdownRequested) {
      replyError(Id, -32600, "the server is shutting down");
      return;
    }
    if (Method == "initialized") {
      if (WatchFiles) // a request to the client; its answer is ignored
        send(json::Object{
            {"jsonrpc", "2.0"},
            {"id", "forksafe-watch-configuration"},
            {"method", "client/registerCapability"},
            {"params",
             json::Object{{"registrations",
                           json::Array{json::Object{
                               {"id", "forksafe-configuration"},
                               {"method", "workspace/didChangeWatchedFiles"},
                               {"registerOptions",
                                json::Object{{"watchers", json::Array{json::Object{{"globPattern", "**/pyproject.toml"}},
                                                                      json::Object{{"globPattern", "**/.forksafe.toml"}},
                                                                      json::Object{{"globPattern",
                                                                                    "**/compile_commands.json"}}}}}}}}}}}});
      return;
    }
    if (Method == "$/cancelRequest" || Method == "$/setTrace" || Method == "workspace/didChangeConfiguration")
      return;
    if (Method == "workspace/didChangeWatchedFiles") {
      bool Reload = false;
      if (P)
        if (auto *Changes = P->getArray("changes"))
          for (const json::Value &C : *Changes) {
            std::string Uri = stringOf(C.getAsObject(), "uri");
            std::string Path = pathFor(Uri);
            llvm::StringRef Name = llvm::sys::path::filename(Path);
            Reload |= isConfigFile(Name) || Name == "compile_commands.json";
          }
      if (Reload)
        reloadConfiguration();
      return;
    }
    if (!startsWith(Method, "textDocument/did") && Method != "textDocument/codeAction") {
      replyError(Id, -32601, ("method not found: " + Method).str());
      return;
    }
    if (!P) {
      replyError(Id, -32602, "missing params");
      return;
    }
    const json::Object *TD = P->getObject("textDocument");
    bool HasUri;
    std::string Uri = stringOf(TD, "uri", &HasUri);
    if (Method == "textDocument/didOpen") {
      if (!HasUri) {
        complain("didOpen without a document URI is ignored");
        return;
      }
      Document &Doc = Docs[Uri];
      Doc.Uri = Uri;
      Doc.Path = pathFor(Uri);
      Doc.LanguageId = stringOf(TD, "languageId");
      Doc.Version = integerOf(TD, "version", 0);
      Doc.setText(stringOf(TD, "text"));
      Doc.Tree.reset();
      Doc.Unsaved = false;
      markDirty(Doc);
      return;
    }
    if (Method == "textDocument/didChange" || Method == "textDocument/didSave") {
      auto It = Docs.find(Uri);
      if (It == Docs.end()) {
        complain(Method.str() + " for a document that is not open is ignored: " + Uri.substr(0, 200));
        return;
      }
      Document &Doc = It->second;
      if (Method == "textDocument/didChange")
        applyChanges(Doc, *P, TD);
      else
        saved(Doc, *P);
      return;
    }
    if (Method == "textDocument/didClose") {
      if (!HasUri)
        return;
      Docs.erase(Uri);
      DirtyPython.erase(Uri);
      DirtyCpp.erase(Uri);
      Worker.cancel(Uri);
      notify("textDocument/publishDiagnostics", json::Object{{"uri", Uri}, {"diagnostics", json::Array{}}});
      return;
    }
    if (Method == "textDocument/codeAction") {
      reply(Id, codeActions(*P));
      return;
    }
    replyError(Id, -32601, ("method not found: " + Method).str());
  }

  void applyChanges(Document &Doc, const json::Object &P, const json::Object *TD) {
    Doc.Version = integerOf(TD, "version", Doc.Version + 1);
    if (const json::Array *Changes = P.getArray("contentChanges"))
      for (const json::Value &V : *Changes) {
        const json::Object *C = V.getAsObject();
        bool HasText;
        std::string Text = stringOf(C, "text", &HasText);
        if (!HasText) {
          complain("a content change without text is ignored");
          continue;
        }
        const json::Object *R = C->getObject("range");
        if (!R) {
          Doc.setText(std::move(Text)); // the whole document
          Doc.Tree.reset();
          continue;
        }
        const json::Object *S = R->getObject("start"), *E = R->getObject("end");
        if (!S || !E || !Doc.applyChange(integerOf(S, "line", 0), integerOf(S, "character", 0),
                                         integerOf(E, "line", 0), integerOf(E, "character", 0), Text,
                                         Utf8Positions))
          complain("a content change with a bad range is ignored");
      }
    Doc.Unsaved = true;
    markDirty(Doc);
  }

  void saved(Document &Doc, const json::Object &P) {
    bool HasText;
    std::string Text = stringOf(&P, "text", &HasText);
    if (HasText && Text != Doc.text()) {
      Doc.setText(std::move(Text));
      Doc.Tree.reset();
    }
    Doc.Unsaved = false;
    // A saved Python module changes what the open documents that import it see (its summary),
    // and may be a module the project's lookups have not met yet: start from a fresh project
    // model, as after a configuration change.
    if (isConfigFile(Doc.Path) || kindOf(Doc) == DocKind::Python)
      reloadConfiguration();
    else
      markDirty(Doc);
  }

  WriteFn Write;
  Queue &Q;
  bool Threaded, AnalyseCpp;
  std::string DocsUrl;
  std::shared_ptr<Runner> Engine = std::make_shared<Runner>(RunOptions{});
  std::shared_ptr<ConfigFinder> Configs = std::make_shared<ConfigFinder>(); ///< for C/C++ findings
  std::map<std::string, Document> Docs;
  std::set<std::string> DirtyPython, DirtyCpp;
  std::string Root;
  bool Utf8Positions = false, WatchFiles = false;
  bool Initialized = false, ShutdownRequested = false;
  CppWorker Worker;
};

} // namespace

std::string forksafe::lsp::processLanguageServerStream(llvm::StringRef Input, int *ExitCode, bool AnalyseCpp) {
  std::string Output;
  Queue Q;
  size_t Offset = 0;
  FrameReader Reader(
      [&](char *Buf, size_t Size) {
        size_t N = std::min(Size, Input.size() - Offset);
        std::memcpy(Buf, Input.data() + Offset, N);
        Offset += N;
        return N;
      },
      [&](const std::string &Why) { Q.push(Item(Item::Complaint, Why)); });
  while (auto Body = Reader.next())
    Q.push(Item(Item::Message, std::move(*Body)));
  Q.push(Item(Item::End));
  Server S([&](const std::string &Bytes) { Output += Bytes; }, Q, /*Threaded=*/false, AnalyseCpp, "");
  int Code = S.run();
  if (ExitCode)
    *ExitCode = Code;
  return Output;
}

/// A server analyses the same documents again on every edit, and each analysis frees what the
/// last one allocated. With glibc's defaults, every block over 128 KiB (a document's text, a
/// tree's arrays, the model's tables) is mapped and unmapped per allocation, and a free top of
/// the heap over 128 KiB is given back, so the next edit faults the same pages in again: about
/// 280 page faults per edit of a 10,000-line file, a tenth of its time on a virtual machine.
/// Kept instead, up to a ceiling: a server that once analysed a huge file gives back what is
/// free above 64 MiB.
static void keepFreedMemoryForTheNextEdit() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

int runLanguageServer(int Argc, const char **Argv) {
  keepFreedMemoryForTheNextEdit();
  // Neither --docs-url nor the client's initializationOptions.docsUrl: the program's default.
  std::string DocsUrl = forksafe::defaultDocsUrl();
  for (int I = 1; I < Argc; ++I) {
    llvm::StringRef A(Argv[I]);
    if (A == "--stdio")
      continue;
    if (A.consume_front("--docs-url=")) {
      DocsUrl = A.str();
      continue;
    }
    if (A == "--docs-url" && I + 1 < Argc) {
      DocsUrl = Argv[++I];
      continue;
    }
    llvm::errs() << "usage: forksafe lsp [--stdio] [--docs-url=URL]\n";
    return 2;
  }
  Queue Q;
  // The reader blocks in read(2); at `exit` it is left blocked and ends with the process. What
  // it parses from one read is handed over as one batch, just before it would block again, so
  // the edits of a burst are all applied before the main loop analyses.
  std::thread([&Q] {
    std::vector<Item> Batch;
    FrameReader Reader(
        [&](char *Buf, size_t Size) -> size_t {
          Q.pushAll(Batch);
          while (true) {
            ssize_t N = ::read(0, Buf, Size);
            if (N >= 0)
              return N;
            if (errno != EINTR)
              return 0;
          }
        },
        [&](const std::string &Why) { Batch.push_back(Item(Item::Complaint, Why)); });
    while (auto Body = Reader.next())
      Batch.push_back(Item(Item::Message, std::move(*Body)));
    Batch.push_back(Item(Item::End));
    Q.pushAll(Batch);
  }).detach();
  Server S(
      [](const std::string &Bytes) {
        size_t Done = 0;
        while (Done < Bytes.size()) {
          ssize_t N = ::write(1, Bytes.data() + Done, Bytes.size() - Done);
          if (N < 0 && errno == EINTR)
            continue;
          if (N <= 0)
            return; // the client went away; the end of input follows
          Done += N;
        }
      },
      Q, /*Threaded=*/true, /*AnalyseCpp=*/true, DocsUrl);
  int Code = S.run();
  // The reader thread may still be blocked in read(2): leave without running destructors that
  // would race with it.
  llvm::errs().flush();
  std::_Exit(Code);
}
