"""Assemble and run one local Ground Truth: store, plugin, lifecycle, WSGI app, HTTP server."""

from __future__ import annotations

import importlib
import logging
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from groundtruth_local.app import LocalGroundTruthApp
from groundtruth_local.context import LocalContext
from groundtruth_local.faults import FaultInjector, FaultSettings
from groundtruth_local.lifecycle import JobRunner
from groundtruth_local.moto_journal import MotoJournal, deterministic_cognito_ids
from groundtruth_local.plugins import JobPlugin
from groundtruth_local.store import Store

log = logging.getLogger("groundtruth_local.server")

PLUGIN_FACTORY = "groundtruth_local.portal.plugin:create_plugin"


def load_plugin(context: LocalContext, factory: str | None = PLUGIN_FACTORY) -> JobPlugin | None:
    """The task engine's plugin if it is installed; without it jobs stay InProgress."""
    if not factory:
        return None
    module_name, attribute = factory.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            log.warning("no task engine (%s not found): jobs will stay InProgress", module_name)
            return None
        raise
    plugin: JobPlugin = getattr(module, attribute)(context)
    return plugin


def moto_application() -> Any:
    from moto.moto_server.werkzeug_app import (  # noqa: PLC0415 - moto's import is slow
        DomainDispatcherApplication,
        create_backend_app,
    )

    return DomainDispatcherApplication(create_backend_app)


@dataclass
class LocalGroundTruth:
    """A running local Ground Truth. Use `start()` then `stop()` (or as a context manager)."""

    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: Path | None = None
    region: str = "us-east-1"
    faults: FaultSettings = field(default_factory=FaultSettings)
    plugin_factory: str | None = PLUGIN_FACTORY
    # With a data dir, moto's writes are journaled there and replayed at start.
    journal_aws: bool = True

    def start(self) -> LocalContext:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        # Bind before creating anything: a busy port is an OSError with nothing left behind,
        # and the endpoint URL names the real port, even for --port 0.
        listener = _listen(self.host, self.port)
        self._server: BaseWSGIServer = make_server(
            self.host, self.port, _placeholder_app, threaded=True, fd=listener.fileno()
        )
        listener.close()  # werkzeug serves a duplicate of it
        port = self._server.port
        self._temp_dir: str | None = None
        if self.data_dir is None:
            self._temp_dir = tempfile.mkdtemp(prefix="groundtruth-local-")
            data_dir = Path(self._temp_dir)
        else:
            data_dir = self.data_dir
        store = Store(data_dir)
        client_host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
        self.context = LocalContext(
            region=self.region,
            endpoint_url=f"http://{client_host}:{port}",
            store=store,
            data_dir=data_dir,
        )
        moto_app = self._moto(data_dir)
        self.plugin = load_plugin(self.context, self.plugin_factory)
        self.runner = JobRunner(self.context, self.plugin)
        self.app = LocalGroundTruthApp(
            self.context,
            jobs=self.runner,
            moto_app=moto_app,
            plugin=self.plugin,
            faults=FaultInjector(self.faults),
        )
        self._server.app = self.app
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="gt-http", daemon=True
        )
        self._thread.start()
        self.runner.start()
        return self.context

    def _moto(self, data_dir: Path) -> Any:
        if self.data_dir is None or not self.journal_aws:
            return moto_application()
        deterministic_cognito_ids()
        app = moto_application()
        journal = MotoJournal(data_dir)
        journal.replay(app)
        return journal.wrap(app)

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(10)
        self.runner.shutdown()
        self._server.server_close()
        self.context.store.close()
        if self._temp_dir:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

    def __enter__(self) -> LocalContext:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


def _placeholder_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]
