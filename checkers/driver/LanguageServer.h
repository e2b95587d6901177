//===--- LanguageServer.h - forksafe lsp -----------------------------------===//
#ifndef FORKSAFE_DRIVER_LANGUAGESERVER_H
#define FORKSAFE_DRIVER_LANGUAGESERVER_H

/// Serves the Language Server Protocol on stdin/stdout until `exit`. Argv[0] is "lsp".
int runLanguageServer(int Argc, const char **Argv);

#endif
