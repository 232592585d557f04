"""A stand-in for the AWS Lambda Runtime API, so the real handler runs under the real runtime client.

`python -m awslambdaric handler.handler` (cwd lambdas/, AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT) long-polls
/2018-06-01/runtime/invocation/next here, runs the handler, and posts back to /invocation/{id}/response or
/invocation/{id}/error (or /init/error when the module fails to import), exactly as it does inside Lambda.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PREFIX = "/2018-06-01/runtime"
ACCOUNT = "123456789012"


@dataclass
class FakeLambdaContext:
    """The parts of the Lambda context the handler and Powertools read, for calling a handler in process."""

    remaining_ms: int = 60_000
    function_name: str = "latency-advisor"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:latency-advisor"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        """Time left in the invocation."""
        return self.remaining_ms


@dataclass(frozen=True)
class Invocation:
    """What the runtime posted back for one event: the handler's result, or its error document."""

    request_id: str
    result: Any = None
    error: dict | None = None  # {"errorType", "errorMessage", "stackTrace"}; error_type from the header

    @property
    def ok(self) -> bool:
        """True when the handler returned instead of raising."""
        return self.error is None


class RuntimeApi:
    """The Runtime API on 127.0.0.1 (a free port): queue events with `invoke`, get what the runtime answered."""

    def __init__(self, *, function_name: str = "latency-advisor", region: str = "us-east-1",
                 timeout_s: float = 60.0) -> None:
        self.function_arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{function_name}"
        self.timeout_s = timeout_s
        self.init_error: dict | None = None
        self._events: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self._answers: dict[str, Invocation] = {}
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._server = LoopbackServer(_handler_for(self))

    @property
    def address(self) -> str:
        """host:port, the value of AWS_LAMBDA_RUNTIME_API."""
        return self._server.address

    def __enter__(self) -> RuntimeApi:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.stop()

    def invoke(self, event: Any, *, wait_s: float | None = None, alive: Any = None) -> Invocation:
        """Hand `event` to the runtime's next poll and wait for its answer (`alive()` false: the process died)."""
        request_id = str(uuid.uuid4())
        self._events.put((request_id, json.dumps(event).encode()))
        deadline = time.monotonic() + (wait_s or self.timeout_s + 10)
        with self._changed:
            while request_id not in self._answers:
                if self.init_error is not None:
                    return Invocation(request_id, error=self.init_error)
                if alive is not None and not alive():
                    raise RuntimeError("the Lambda runtime process exited before answering")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no answer from the Lambda runtime within {wait_s or self.timeout_s} s")
                self._changed.wait(0.2)
            return self._answers.pop(request_id)

    # Called from the HTTP handler threads.
    def _next_event(self) -> tuple[str, bytes] | None:
        while not self._stopping.is_set():
            try:
                return self._events.get(timeout=0.2)
            except queue.Empty:
                continue
        return None

    def _answer(self, invocation: Invocation | None = None, *, init_error: dict | None = None) -> None:
        with self._changed:
            if invocation is not None:
                self._answers[invocation.request_id] = invocation
            else:
                self.init_error = init_error
            self._changed.notify_all()


class LoopbackServer(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 (a free port), served from a daemon thread between start() and stop()."""

    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self.serve_forever, name=handler.__qualname__, daemon=True)

    @property
    def address(self) -> str:
        """host:port."""
        host, port = self.server_address[:2]
        return f"{host!s}:{port}" if isinstance(host, str) else f"{host.decode()}:{port}"

    def start(self) -> None:
        """Serve in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.shutdown()
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a runtime exiting mid-poll, a webhook caller timing out) is expected."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(api: RuntimeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test or demo reports what matters."""

        def _reply(self, status: int, body: bytes = b"{}", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path != f"{PREFIX}/invocation/next":
                self._reply(404, b'{"errorMessage": "unknown path"}')
                return
            item = api._next_event()
            if item is None:
                self._reply(503, b'{"errorMessage": "runtime API stopping"}')
                return
            request_id, body = item
            self._reply(200, body, {
                "Lambda-Runtime-Aws-Request-Id": request_id,
                "Lambda-Runtime-Deadline-Ms": str(int((time.time() + api.timeout_s) * 1000)),
                "Lambda-Runtime-Invoked-Function-Arn": api.function_arn,
                "Lambda-Runtime-Trace-Id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0",
            })

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            parts = self.path.removeprefix(PREFIX).strip("/").split("/")
            if parts == ["init", "error"]:
                api._answer(init_error=_error_document(raw, self.headers))
            elif len(parts) == 3 and parts[0] == "invocation" and parts[2] == "response":
                api._answer(Invocation(parts[1], result=json.loads(raw) if raw else None))
            elif len(parts) == 3 and parts[0] == "invocation" and parts[2] == "error":
                api._answer(Invocation(parts[1], error=_error_document(raw, self.headers)))
            else:
                self._reply(404, b'{"errorMessage": "unknown path"}')
                return
            self._reply(202, b'{"status": "OK"}')

    return Handler


def _error_document(raw: bytes, headers: Any) -> dict:
    try:
        document = json.loads(raw) if raw else {}
    except ValueError:
        document = {"errorMessage": raw.decode(errors="replace")}
    document.setdefault("errorType", headers.get("Lambda-Runtime-Function-Error-Type", "Unknown"))
    return document


class LambdaProcess:
    """`python -m awslambdaric HANDLER` in a child process fed by a RuntimeApi; its output goes to a log file."""

    def __init__(self, handler: str, cwd: Path, env: dict[str, str], *, function_name: str = "latency-advisor",
                 region: str = "us-east-1", timeout_s: float = 60.0) -> None:
        self.handler = handler
        self.cwd = cwd
        self.api = RuntimeApi(function_name=function_name, region=region, timeout_s=timeout_s)
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_LAMBDA_")}
        self.env.update({
            "AWS_LAMBDA_FUNCTION_NAME": function_name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512", "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": "standin", "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
            "LAMBDA_TASK_ROOT": str(cwd), "_HANDLER": handler, "PYTHONUNBUFFERED": "1", **env})
        self._dir = tempfile.TemporaryDirectory(prefix="lambda-runtime-")
        self.log_path = Path(self._dir.name) / "output.log"
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> LambdaProcess:
        self.api.__enter__()
        self.env["AWS_LAMBDA_RUNTIME_API"] = self.api.address
        # Append mode: the child writes at the end whatever our reader does with its own file offset.
        with self.log_path.open("ab") as log:
            # abspath, not resolve: a relative venv python must stay the venv's python after the chdir.
            self._process = subprocess.Popen([os.path.abspath(sys.executable), "-m", "awslambdaric", self.handler],
                                             cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self.api.__exit__()
        self._dir.cleanup()

    def invoke(self, event: Any, *, wait_s: float | None = None) -> Invocation:
        """Run one event through the runtime and return what it posted back."""
        process = self._process
        return self.api.invoke(event, wait_s=wait_s, alive=lambda: process is not None and process.poll() is None)

    def output(self) -> str:
        """Everything the function printed so far (stdout and stderr): its logs and EMF metrics."""
        return self.log_path.read_bytes().decode(errors="replace")
