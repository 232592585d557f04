"""moto as an HTTP server on 127.0.0.1, with the gap fixes, for code that must reach AWS over the network.

The demo and the Lambda-runtime tests point AWS_ENDPOINT_URL at `server.endpoint_url`. The server runs in
this process, so the patched moto backends apply, and `load_setup` writes a scenario's world straight into
them. Resources live in moto's default account (123456789012, or MOTO_ACCOUNT_ID): clients that reach the
server cannot choose another. Faults are not injected in server mode.

    with StandinServer() as server:
        now = load_setup(scenario, server.endpoint_url)
        ... AWS_ENDPOINT_URL=server.endpoint_url, run the advisor with now=now ...
"""

from __future__ import annotations

import logging
import os
from contextlib import ExitStack
from datetime import datetime
from types import TracebackType

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict
from moto.server import ThreadedMotoServer

from standin.moto_gaps import gaps_applied
from standin.scenario import Scenario
from standin.world import make_session, run_setup

_running: StandinServer | None = None


class StandinServer:
    """A moto server on a free port of 127.0.0.1, holding moto's state until stopped."""

    def __init__(self) -> None:
        self._stack: ExitStack | None = None
        self._endpoint_url: str | None = None

    @property
    def endpoint_url(self) -> str:
        """http://127.0.0.1:PORT of the running server."""
        if self._endpoint_url is None:
            raise RuntimeError("the stand-in server is not running; call start() first")
        return self._endpoint_url

    def start(self) -> StandinServer:
        """Start serving on a free port with empty state; refuses while a replay world is open."""
        global _running
        if self._stack is not None:
            raise RuntimeError("the stand-in server is already running")
        with ExitStack() as stack:
            stack.enter_context(gaps_applied("a stand-in server"))
            # werkzeug logs every request on stderr; the demo and the tests report what matters themselves.
            werkzeug_log = logging.getLogger("werkzeug")
            stack.callback(werkzeug_log.setLevel, werkzeug_log.level)
            werkzeug_log.setLevel(logging.WARNING)
            BackendDict.reset()
            server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            server.start()
            stack.callback(server.stop)
            stack.callback(BackendDict.reset)  # runs before the gaps are undone: nothing outlives the server
            host, port = server.get_host_and_port()
            self._endpoint_url = f"http://{host}:{port}"
            self._stack = stack.pop_all()
        _running = self
        return self

    def stop(self) -> None:
        """Stop serving, drop all state and undo the gap fixes."""
        global _running
        if self._stack is not None:
            stack, self._stack, self._endpoint_url = self._stack, None, None
            _running = None
            stack.close()

    def __enter__(self) -> StandinServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def load_setup(scenario: Scenario, endpoint_url: str) -> datetime:
    """Replace the server's state with the scenario's world; return the replay clock (T + 30 s)."""
    if _running is None or _running.endpoint_url != endpoint_url:
        raise RuntimeError(f"load_setup: {endpoint_url} is not the stand-in server running in this process")
    BackendDict.reset()
    account = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
    run_setup(scenario, make_session(scenario.region), account, endpoint_url=endpoint_url)
    return scenario.now
