"""`groundtruth local ...`: run the local Ground Truth."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from types import FrameType

import click

from groundtruth_local.faults import parse_faults
from groundtruth_local.server import LocalGroundTruth


@click.group("local", context_settings={"help_option_names": ["-h", "--help"]})
def local() -> None:
    """The local Ground Truth: SageMaker labeling API, worker portal and S3 on one endpoint."""


@local.command("up")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=4566,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one; the settings printed name it).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep labeling state in SQLite here so it survives a restart "
    "(default: a temporary directory removed on exit).",
)
@click.option("--region", default="us-east-1", show_default=True, help="Default AWS region.")
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="NAME=VALUE",
    help="Inject faults into the SageMaker operations: throttle=0.3 (ThrottlingException "
    "probability), error5xx=0.1 (InternalFailure probability), latency=200ms. Repeatable.",
)
@click.option("--fault-seed", type=int, default=None, help="Seed for reproducible faults.")
@click.option(
    "--no-plugin",
    is_flag=True,
    help="Run without the task engine (portal): jobs stop at InProgress.",
)
@click.option(
    "--no-aws-journal",
    is_flag=True,
    help="With --data-dir, do not keep moto's S3/IAM/Cognito state across restarts "
    "(by default its writes are journaled there and replayed at start).",
)
@click.option("--log-level", default="INFO", show_default=True, help="Python log level.")
def up(
    *,
    host: str,
    port: int,
    data_dir: Path | None,
    region: str,
    faults: tuple[str, ...],
    fault_seed: int | None,
    no_plugin: bool,
    no_aws_journal: bool,
    log_level: str,
) -> None:
    """Serve S3/IAM/STS/Cognito/SNS/KMS (moto), the labeling API and the portal until stopped."""
    try:
        fault_settings = parse_faults(faults, fault_seed)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--fault") from error
    logging.basicConfig(
        level=log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    server = LocalGroundTruth(
        host=host,
        port=port,
        data_dir=data_dir,
        region=region,
        faults=fault_settings,
        plugin_factory=None if no_plugin else LocalGroundTruth.plugin_factory,
        journal_aws=not no_aws_journal,
    )
    try:
        context = server.start()
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error}") from error
    done = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    for name, value in context.env().items():
        click.echo(f"export {name}={value}")
    click.echo(f"# worker portal: {context.portal_url}")
    click.echo(f"# data dir: {context.data_dir}" + ("" if data_dir else " (temporary)"))
    if fault_settings != type(fault_settings)(seed=fault_settings.seed):
        click.echo(f"# faults: {fault_settings.to_json()}")
    click.echo("# ready", err=False)
    while not done.wait(1.0):
        pass
    click.echo("# stopping", err=True)
    server.stop()
