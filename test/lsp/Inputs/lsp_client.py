"""A scripted LSP client: runs `forksafe lsp`, plays a session, prints what the server sends.

usage: lsp_client.py FORKSAFE SCRIPT.json
SCRIPT is a list of messages to send; an entry {"expect": N} waits for N server messages.
Each received message is printed on one line as JSON with sorted keys.
"""
import json
import subprocess
import sys

server = subprocess.Popen([sys.argv[1], "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def send(msg):
    body = json.dumps(msg).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    server.stdin.flush()


def receive():
    length = None
    while True:
        line = server.stdout.readline()
        if not line:
            sys.exit("lsp_client: server closed its output")
        line = line.strip()
        if not line:
            break
        key, _, value = line.partition(b":")
        if key.lower() == b"content-length":
            length = int(value)
    return json.loads(server.stdout.read(length))


for step in json.load(open(sys.argv[2])):
    if "expect" in step:
        for _ in range(step["expect"]):
            print(json.dumps(receive(), sort_keys=True))
    else:
        send(step)
server.stdin.close()
print("exit status", server.wait(timeout=30))
