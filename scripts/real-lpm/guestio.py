"""Host side of the guest console protocol (see init.sh) and a small QMP client."""
import base64
import hashlib
import json
import queue
import socket
import threading
import time


class Console:
    """Line-oriented access to the guest's hvc0 through QEMU's socket chardev."""

    def __init__(self, path: str, log_path: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.time() + 30
        while True:
            try:
                self.sock.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.lines: "queue.Queue[str | None]" = queue.Queue()
        self.log = open(log_path, "w", encoding="utf-8", errors="replace")
        self.in_b64 = False
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self) -> None:
        buf = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                self.lines.put(None)
                return
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                line = raw.decode("utf-8", "replace").rstrip("\r")
                self._log(line)
                self.lines.put(line)

    def _log(self, line: str) -> None:
        # The console log keeps the base64 payloads out (they are saved decoded).
        if line.startswith("=====BEGIN SNAPSHOT"):
            self.in_b64, self.b64_count = True, 0
            self.log.write(line + "\n")
        elif line.startswith("=====END SNAPSHOT"):
            self.in_b64 = False
            self.log.write("[%d base64 lines omitted; decoded payload saved as <snap>.tar.gz]\n" % self.b64_count)
            self.log.write(line + "\n")
        elif self.in_b64:
            self.b64_count += 1
        else:
            self.log.write(line + "\n")
        self.log.flush()

    def send(self, line: str) -> None:
        self.log.write(">>> " + line + "\n")
        self.sock.sendall(line.encode() + b"\n")

    def expect(self, prefix: str, timeout: float = 120) -> str:
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("no %r on the console within %ss" % (prefix, timeout))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise EOFError("console closed while waiting for %r" % prefix)
            if line.startswith(prefix):
                return line

    def command(self, line: str, timeout: float = 120) -> list:
        """Send one command, return the console lines up to its CMD-DONE."""
        self.send(line)
        out = []
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("command %r did not finish in %ss" % (line, timeout))
            try:
                l = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if l is None:
                raise EOFError("console closed during %r" % line)
            if l.startswith("CMD-DONE "):
                if not l.endswith("rc=0"):
                    raise RuntimeError("guest command %r failed: %s\n%s" % (line, l, "\n".join(out[-20:])))
                return out
            out.append(l)

    def put(self, name: str, data: bytes) -> None:
        self.send("put " + name)
        text = base64.encodebytes(data).decode()
        for l in text.splitlines():
            self.sock.sendall(l.encode() + b"\n")
        self.sock.sendall(b"END\n")
        want = "PUT %s %d %s" % (name, len(data), hashlib.md5(data).hexdigest())
        got = self.expect("PUT ")
        if got != want:
            raise RuntimeError("upload mismatch: %r != %r" % (got, want))
        self.expect("CMD-DONE put")

    def snapshot(self, name: str, timeout: float = 300) -> bytes:
        lines = self.command("snap " + name, timeout)
        begin = lines.index("=====BEGIN SNAPSHOT %s=====" % name)
        end = next(i for i, l in enumerate(lines) if l.startswith("=====END SNAPSHOT %s " % name))
        data = base64.b64decode("".join(lines[begin + 1:end]))
        md5 = lines[end].split("md5=")[1].rstrip("=")
        if hashlib.md5(data).hexdigest() != md5:
            raise RuntimeError("snapshot %s: md5 mismatch (console corrupted the payload)" % name)
        return data


class Qmp:
    """Minimal QMP client: a reader thread splits replies from asynchronous events."""

    def __init__(self, path: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.time() + 30
        while True:
            try:
                self.sock.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.transcript: list = []
        self.replies: "queue.Queue[dict]" = queue.Queue()
        self.events: "queue.Queue[dict]" = queue.Queue()
        threading.Thread(target=self._reader, daemon=True).start()
        greeting = self.replies.get(timeout=30)
        self.transcript.append({"greeting": greeting})
        self.execute("qmp_capabilities")

    def _reader(self) -> None:
        f = self.sock.makefile("rb")
        for raw in f:
            msg = json.loads(raw)
            if "event" in msg:
                self.transcript.append({"event": msg})
                self.events.put(msg)
            else:
                self.replies.put(msg)

    def execute(self, cmd: str, **args):
        req = {"execute": cmd}
        if args:
            req["arguments"] = args
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        resp = self.replies.get(timeout=120)
        self.transcript.append({"t": round(time.time(), 3), "req": req, "resp": resp})
        if "error" in resp:
            raise RuntimeError("QMP %s failed: %s" % (cmd, resp["error"]))
        return resp.get("return")

    def hmp(self, line: str) -> str:
        return self.execute("human-monitor-command", **{"command-line": line})

    def wait_event(self, name: str, timeout: float = 60) -> dict:
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("no QMP event %s within %ss" % (name, timeout))
            try:
                e = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if e["event"] == name:
                return e
