"""Servers on loopback for the remote-storage tests: moto's S3 server as a subprocess, and a
threaded HTTP file server with byte ranges that can also play a minimal S3 (HEAD and ranged GET
of /bucket/key), record requests, demand a header, and fail a number of times first."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoServer:
    """``python -m moto.server`` on a free loopback port, stopped by stop()."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=1)
                break
            except OSError:
                if self.process.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise RuntimeError("moto's S3 server did not start")
                time.sleep(0.1)

    def client(self):
        import boto3
        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id="testing",
                            aws_secret_access_key="testing", region_name="us-east-1")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class FileServer:
    """Serves `root` over HTTP/1.1 with keep-alive, HEAD and single byte ranges.

    - `requests` records (method, path, headers) of every request;
    - `fail_first[path] = (n, status)` answers the first n requests for path with status (0:
      closes the connection without an answer);
    - `required_headers` answers 401 unless each header is sent with its value;
    - `forbidden` paths get 403 with an S3-style AccessDenied body."""

    def __init__(self, root: str):
        self.root = root
        self.requests: list[tuple[str, str, dict]] = []
        self.fail_first: dict[str, tuple[int, int]] = {}
        self.required_headers: dict[str, str] = {}
        self.forbidden: set[str] = set()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                self.answer(body=False)

            def do_GET(self):
                self.answer(body=True)

            def error(self, status, body=b""):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def answer(self, body):
                path = self.path.split("?")[0]
                with server.lock:
                    server.requests.append((self.command, path, dict(self.headers)))
                    failures = server.fail_first.get(path)
                    if failures and failures[0] > 0:
                        server.fail_first[path] = (failures[0] - 1, failures[1])
                        if failures[1] == 0:  # drop the connection without an answer
                            self.close_connection = True
                            self.connection.shutdown(socket.SHUT_RDWR)
                            return None
                        return self.error(failures[1], b"<Error><Code>SlowDown</Code></Error>")
                for name, value in server.required_headers.items():
                    if self.headers.get(name) != value:
                        return self.error(401)
                if path in server.forbidden:
                    return self.error(403, b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")
                file = os.path.join(server.root, path.lstrip("/"))
                if not os.path.isfile(file):
                    return self.error(404, b"<Error><Code>NoSuchKey</Code></Error>")
                size = os.path.getsize(file)
                begin, end, status = 0, size - 1, 200
                requested = self.headers.get("Range")
                if requested and requested.startswith("bytes="):
                    first, _, last = requested[6:].partition("-")
                    begin, end, status = int(first), min(int(last) if last else size - 1, size - 1), 206
                    if begin >= size:
                        return self.error(416)
                self.send_response(status)
                self.send_header("Content-Length", str(end - begin + 1))
                self.send_header("Accept-Ranges", "bytes")
                if status == 206:
                    self.send_header("Content-Range", f"bytes {begin}-{end}/{size}")
                self.end_headers()
                if body:
                    with open(file, "rb") as f:  # sendfile: the kernel copies, the GIL is free
                        self.connection.sendfile(f, begin, end - begin + 1)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for _, p, _ in self.requests if p == path)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


if __name__ == "__main__":
    # A stand-alone file server for benchmarks: python storage_servers.py DIR
    server = FileServer(sys.argv[1])
    print(server.url, flush=True)
    server.thread.join()
