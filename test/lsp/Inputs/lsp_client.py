"""A scripted LSP client: runs `forksafe lsp`, plays a session, prints what the server sends.

usage: lsp_client.py FORKSAFE SCRIPT.json
SCRIPT is a list of messages to send; an entry {"expect": N} waits for N server messages.
Each received message is printed on one line as JSON with sorted keys (lspsession.Server).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lspsession import Server

server = Server(sys.argv[1])
for step in json.load(open(sys.argv[2])):
    if "expect" in step:
        for _ in range(step["expect"]):
            server.receive()
    else:
        server.raw(Server.frame(step))
server.proc.stdin.close()
print("exit status", server.proc.wait(timeout=30))
