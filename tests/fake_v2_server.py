#!/usr/bin/env python3
"""A misbehaving Open Inference Protocol (KServe v2) server for serve_test.sh, on loopback.

Usage: fake_v2_server.py PORTFILE MODE [EVERY]
Serves a model "digits" taking [-1, 1, 8, 8] FP32 and giving [-1, 10] FP32. It answers the
first two inference requests well (tailq's client probes the server, and the model workload its
output), then every EVERY-th (default 2) request misbehaves as MODE says, and the others are
answered with class 0:
  http500    HTTP 500 with an error body
  wrongshape an output of shape [rows, 3]
  badjson    a body that is not JSON
  slow       the answer after 2 s (beyond a client's short timeout)
  drop       the connection closed without an answer
Writes the port it listens on to PORTFILE.
"""
import http.server
import json
import socketserver
import sys
import time

MODE = sys.argv[2]
EVERY = int(sys.argv[3]) if len(sys.argv) > 3 else 2
METADATA = {"name": "digits", "versions": ["1"], "platform": "fake",
            "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 1, 8, 8]}],
            "outputs": [{"name": "output", "datatype": "FP32", "shape": [-1, 10]}]}
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/v2/models/digits":
            self.reply(200, json.dumps(METADATA))
        elif self.path in ("/v2/health/live", "/v2/health/ready"):
            self.reply(200, "{}")
        else:
            self.reply(404, json.dumps({"error": "no " + self.path}))

    def do_POST(self):
        global count
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        rows = body["inputs"][0]["shape"][0]
        count += 1
        width = 10
        if count > 2 and (count - 2) % EVERY == 0:
            if MODE == "http500":
                return self.reply(500, json.dumps({"error": "model crashed"}))
            if MODE == "badjson":
                return self.reply(200, "<html>oops</html>")
            if MODE == "drop":
                self.close_connection = True
                self.connection.close()
                return
            if MODE == "slow":
                time.sleep(2)
            if MODE == "wrongshape":
                width = 3
        out = {"model_name": "digits", "outputs": [
            {"name": "output", "datatype": "FP32", "shape": [rows, width],
             "data": ([1.0] + [0.0] * (width - 1)) * rows}]}
        self.reply(200, json.dumps(out))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
