"""`groundtruth workers ...`: simulated workers for demos, tests and load."""

from __future__ import annotations

import logging
import os

import click

from groundtruth_local.workers.simulate import SimulationError, run_simulation

DEFAULT_PASSWORD = "Simulated-Worker-1!"  # noqa: S105 - a local, documented demo credential


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def workers() -> None:
    """Simulated labeling workers."""


@workers.command()
@click.option(
    "--endpoint",
    default=lambda: os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"),
    show_default="$AWS_ENDPOINT_URL or http://127.0.0.1:4566",
    help="The local Ground Truth endpoint (portal, SageMaker API, S3 and Cognito).",
)
@click.option(
    "--region",
    default=lambda: os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    show_default="$AWS_DEFAULT_REGION or us-east-1",
    help="Region of the work team.",
)
@click.option("--workteam", required=True, help="Name of the private work team to work for.")
@click.option(
    "--workers",
    "count",
    type=click.IntRange(1, 500),
    default=3,
    show_default=True,
    help="How many simulated workers sign in.",
)
@click.option(
    "--accuracy",
    type=click.FloatRange(0.0, 1.0),
    default=0.8,
    show_default=True,
    help="Mean probability that a worker answers the true label.",
)
@click.option(
    "--spread",
    type=click.FloatRange(0.0, 0.5),
    default=0.1,
    show_default=True,
    help="Each worker's own accuracy is drawn uniformly from accuracy ± spread.",
)
@click.option("--seed", type=int, default=None, help="Random seed, for repeatable runs.")
@click.option(
    "--until-done/--until-idle",
    default=False,
    show_default=True,
    help="Keep working until every job of the team is Completed, Stopped or Failed,"
    " instead of stopping when no task is left right now.",
)
@click.option(
    "--truth-key",
    default="truth",
    show_default=True,
    help="Key of the manifest lines that holds the true label (as `groundtruth sample-data`"
    " writes it).",
)
@click.option(
    "--user-prefix",
    default="sim-worker",
    show_default=True,
    help="Cognito user names are <prefix>-1 .. <prefix>-N.",
)
@click.option(
    "--password",
    default=DEFAULT_PASSWORD,
    show_default=True,
    help="Password set (permanent) on the simulated users.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1.0),
    default=600.0,
    show_default=True,
    help="Give up after this many seconds.",
)
def simulate(  # noqa: PLR0917 - click passes options as arguments
    endpoint: str,
    region: str,
    workteam: str,
    count: int,
    accuracy: float,
    spread: float,
    seed: int | None,
    until_done: bool,
    truth_key: str,
    user_prefix: str,
    password: str,
    timeout: float,
) -> None:
    """Sign simulated workers in to the portal and label the team's jobs.

    The workers are Cognito users <user-prefix>-1..N in the team's user pool: created if
    missing (with a permanent --password) and added to the user group the team names, so
    they see exactly the team's jobs. They work through the portal's HTTP routes, like a
    browser, and answer the manifest line's --truth-key with their accuracy.
    """
    logging.basicConfig(level=logging.WARNING)
    try:
        summary = run_simulation(
            endpoint=endpoint,
            region=region,
            workteam=workteam,
            workers=count,
            accuracy=accuracy,
            spread=spread,
            seed=seed,
            until_done=until_done,
            password=password,
            prefix=user_prefix,
            truth_key=truth_key,
            timeout=timeout,
            progress=click.echo,
        )
    except SimulationError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"answers given:      {summary.answers} ({summary.refused} refused)")
    click.echo(f"objects labeled:    {summary.labeled}")
    if summary.agreement is not None:
        click.echo(f"agreement:          {summary.agreement:.1%} of answers match the label")
    if summary.accuracy is not None:
        click.echo(f"accuracy vs truth:  {summary.accuracy:.1%} of consolidated labels")
    for name, status in summary.statuses.items():
        click.echo(f"job {name}: {status}")
