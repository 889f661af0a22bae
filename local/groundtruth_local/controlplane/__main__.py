"""`python -m groundtruth_local.controlplane`: run a local control plane until Ctrl-C.

Prints the `KUBECONFIG` to export; kubectl, helm and `groundtruth operator run` then talk
to it. Everything (certificates, etcd data, logs) lives in the work folder and is removed on
exit unless `--workdir` was given.
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from types import FrameType

import click

from groundtruth_local.controlplane import BinariesMissingError, ControlPlane, ControlPlaneError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep certificates, etcd data, logs and the kubeconfig here (kept on exit). "
    "Default: a temporary folder, removed on exit.",
)
@click.option(
    "--startup-timeout",
    type=click.FloatRange(min=1.0),
    default=120.0,
    show_default=True,
    help="Seconds to wait for etcd and kube-apiserver to become ready.",
)
def main(workdir: Path | None, startup_timeout: float) -> None:
    """Run etcd and kube-apiserver on 127.0.0.1 until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    click.echo("starting etcd and kube-apiserver ...", err=True)
    try:
        if workdir is not None:
            workdir.mkdir(parents=True, exist_ok=True)
        with ControlPlane(workdir=workdir, startup_timeout=startup_timeout) as cp:
            click.echo(f"export KUBECONFIG={cp.kubeconfig}")
            click.echo(f"# API server {cp.server}; logs in {cp.workdir}; Ctrl-C stops", err=True)
            stop.wait()
            click.echo("stopping ...", err=True)
    except (BinariesMissingError, ControlPlaneError) as error:
        raise click.ClickException(str(error)) from error


if __name__ == "__main__":
    main()
