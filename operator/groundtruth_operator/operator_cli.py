"""`groundtruth operator`: run the LabelingJob operator (a kopf operator).

The root CLI imports this module only for `groundtruth operator ...`, so kopf and boto3
are loaded here at the top without slowing `groundtruth --help`.
"""

from __future__ import annotations

import logging

import click
import kopf

# handlers is imported for its side effect: it registers the kopf handlers.
from groundtruth_operator import handlers, metrics
from groundtruth_operator.config import OperatorConfig
from groundtruth_operator.defaults import DEFAULT_CONFIGMAP


@click.group("operator")
def operator() -> None:
    """Run the LabelingJob operator."""


@operator.command("run")
@click.option(
    "--namespace",
    "-n",
    "namespaces",
    multiple=True,
    metavar="NS",
    help="Watch LabelingJobs only in this namespace (repeatable).",
)
@click.option(
    "--all-namespaces",
    "-A",
    "all_namespaces",
    is_flag=True,
    help="Watch LabelingJobs in every namespace (the default when no --namespace).",
)
@click.option(
    "--region",
    envvar="AWS_REGION",
    default=None,
    show_envvar=True,
    help="Region for jobs whose spec and defaults ConfigMap name none.",
)
@click.option(
    "--endpoint-url",
    envvar="AWS_ENDPOINT_URL",
    default=None,
    show_envvar=True,
    help="SageMaker and S3 endpoint, e.g. a local Ground Truth (default: the real AWS endpoints).",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=1.0),
    default=30.0,
    show_default=True,
    help="Seconds between status syncs of an InProgress job (Initializing and "
    "Stopping jobs are polled every 5 s).",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port of the Prometheus /metrics endpoint (0 turns it off).",
)
@click.option(
    "--health-port",
    type=click.IntRange(0, 65535),
    default=8081,
    show_default=True,
    help="Port of kopf's liveness endpoint /healthz (0 turns it off).",
)
@click.option(
    "--liveness",
    default=None,
    metavar="URL",
    help="kopf-style liveness endpoint, e.g. http://0.0.0.0:8081/healthz "
    "(overrides --health-port).",
)
@click.option(
    "--defaults-configmap",
    default=DEFAULT_CONFIGMAP,
    show_default=True,
    metavar="[NAMESPACE/]NAME",
    help="ConfigMap with default roleArn, workteamArn, outputPath, ... "
    "(namespace defaults to $POD_NAMESPACE, else any watched namespace).",
)
@click.option(
    "--peering",
    default=None,
    metavar="NAME",
    help="kopf peering object for running more than one replica (default: standalone).",
)
@click.option(
    "--log-format",
    type=click.Choice(["plain", "json"]),
    default="json",
    show_default=True,
    help="Log line format.",
)
@click.option("--verbose", "-v", is_flag=True, help="Debug logging.")
def run(
    *,
    namespaces: tuple[str, ...],
    all_namespaces: bool,
    region: str | None,
    endpoint_url: str | None,
    poll_interval: float,
    metrics_port: int,
    health_port: int,
    liveness: str | None,
    defaults_configmap: str,
    peering: str | None,
    log_format: str,
    verbose: bool,
) -> None:
    """Watch LabelingJob resources and drive SageMaker Ground Truth jobs for them."""
    if namespaces and all_namespaces:
        raise click.UsageError("use either --namespace or --all-namespaces, not both")
    config_namespace, _, name = defaults_configmap.rpartition("/")
    config = OperatorConfig(
        region=region,
        endpoint_url=endpoint_url,
        poll_interval=poll_interval,
        defaults_configmap=name,
        **({"defaults_namespace": config_namespace} if config_namespace else {}),
    )
    kopf.configure(
        verbose=verbose,
        log_format=kopf.LogFormat.JSON if log_format == "json" else kopf.LogFormat.PLAIN,
    )
    if not verbose:
        # kopf logs "Timer 'poll' succeeded." for every resource on every tick.
        logging.getLogger("kopf.objects").setLevel(logging.WARNING)
    if metrics_port:
        metrics.serve(metrics_port)
    logging.getLogger(__name__).info(
        "starting", extra={"namespaces": list(namespaces) or "*", "handlers": handlers.__name__}
    )
    click.echo(
        f"groundtruth operator: watching {', '.join(namespaces) or 'all namespaces'}; "
        f"metrics on :{metrics_port or '-'}, health on :{health_port or '-'}",
        err=True,
    )
    kopf.run(
        clusterwide=not namespaces,
        namespaces=list(namespaces),
        standalone=peering is None,
        peering_name=peering,
        liveness_endpoint=liveness
        or (f"http://0.0.0.0:{health_port}/healthz" if health_port else None),
        memo=kopf.Memo(config=config),
    )
