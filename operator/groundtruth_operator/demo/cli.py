"""The `groundtruth demo` command: runs `DemoStory` step by step with progress and timings."""

from __future__ import annotations

import logging
import threading
from contextlib import ExitStack
from pathlib import Path

import click

from groundtruth_operator.demo.progress import StepTimer
from groundtruth_operator.demo.story import DemoOptions, DemoStory, Outcome

STEPS = 10


@click.command("demo", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--interactive",
    is_flag=True,
    help="Label by hand: print the portal URL and a worker login, and wait for you "
    "instead of simulated workers.",
)
@click.option(
    "--keep",
    is_flag=True,
    help="Leave everything running at the end (until Ctrl-C) instead of cleaning up.",
)
@click.option(
    "--images",
    type=click.IntRange(2, 5000),
    default=90,
    show_default=True,
    help="Number of sample images to label.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 50),
    default=3,
    show_default=True,
    help="Simulated workers signing in to the portal.",
)
@click.option(
    "--workers-per-object",
    type=click.IntRange(1, 9),
    default=3,
    show_default=True,
    help="Answers collected per image (numberOfHumanWorkersPerDataObject).",
)
@click.option(
    "--accuracy",
    type=click.FloatRange(0.0, 1.0),
    default=0.8,
    show_default=True,
    help="Mean accuracy of the simulated workers.",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Seed for data and workers.")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where state, logs and kubeconfigs go (default: a new temporary folder).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(30.0),
    default=900.0,
    show_default=True,
    help="Seconds to wait for the labeling job to finish.",
)
def demo(
    *,
    interactive: bool,
    keep: bool,
    images: int,
    workers: int,
    workers_per_object: int,
    accuracy: float,
    seed: int,
    workdir: Path | None,
    timeout: float,
) -> None:
    """Run the whole workflow locally: Terraform, Helm, a LabelingJob, workers, results.

    Starts the local Ground Truth and a real local Kubernetes control plane, applies
    terraform/examples/local, installs the chart with the module's helm_values, uploads a
    sample dataset, applies a LabelingJob, lets workers label and prints the results.
    """
    logging.basicConfig(level=logging.WARNING)
    options = DemoOptions(
        images=images,
        workers=workers,
        workers_per_object=workers_per_object,
        accuracy=accuracy,
        seed=seed,
        workdir=workdir,
        job_timeout=timeout,
    )
    timer = StepTimer(total=STEPS)
    with ExitStack() as stack:
        story = DemoStory(options, stack)
        click.echo(f"work folder: {story.workdir}")
        try:
            outcome = _run(story, timer, interactive=interactive)
        except Exception as error:
            click.secho(f"demo failed: {error}", fg="red", err=True)
            click.echo(f"logs and state are in {story.workdir}", err=True)
            raise SystemExit(1) from error
        _report(story, outcome, timer)
        if keep:
            _hold(story)
        click.secho("cleaning up (helm uninstall, terraform destroy, servers) ...", bold=True)
    click.secho("done", fg="green")


def _run(story: DemoStory, timer: StepTimer, *, interactive: bool) -> Outcome:
    with timer.step("start the local Ground Truth"):
        story.start_local_ground_truth()
        timer.note(f"endpoint {story.endpoint}, portal {story.portal_url}")
    with timer.step("start the local Kubernetes control plane (etcd + kube-apiserver)"):
        story.start_control_plane()
    with timer.step("terraform apply terraform/examples/local"):
        story.terraform_apply()
        timer.note(f"workteam {story.outputs['workteam_arns']}")
    with timer.step("helm install the chart with the module's helm_values"):
        story.helm_install()
    with timer.step("start the operator as the chart runs it (its ServiceAccount's token)"):
        story.start_operator()
    with timer.step(f"upload {story.options.images} sample images"):
        sample = story.upload_sample_data()
        timer.note(f"manifest {sample.manifest_uri}")
    with timer.step("kubectl apply a LabelingJob"):
        story.apply_labeling_job()
        resource = story.wait_for_phase(("InProgress", "Failed"), timeout=120)
        timer.note(f"Ground Truth job {resource['status'].get('labelingJobName')} is InProgress")
    if interactive:
        with timer.step("label in the worker portal (waiting for you)"):
            username, password = story.create_human_worker()
            click.secho(f"  open {story.portal_url}", bold=True)
            click.secho(f"  sign in as {username!r} with password {password!r}", bold=True)
            story.wait_for_phase(("Completed", "Failed", "Stopped"), story.options.job_timeout)
    else:
        with timer.step(f"{story.options.workers} simulated workers label in the portal"):
            summary = story.simulate_workers()
            timer.note(f"{summary.answers} answers given")
    with timer.step("wait for the LabelingJob to complete"):
        resource = story.wait_for_phase(("Completed", "Failed", "Stopped"), 300)
        click.echo(story.get_lj_table())
    with timer.step("read the output manifest"):
        outcome = story.collect_outcome(resource)
    phase = resource["status"].get("phase")
    if phase != "Completed":
        raise RuntimeError(f"the LabelingJob ended {phase}: {resource['status']}")
    return outcome


def _report(story: DemoStory, outcome: Outcome, timer: StepTimer) -> None:
    click.secho("\nResults", bold=True)
    click.echo(f"  output manifest:   {outcome.output_manifest}")
    click.echo("  class distribution:")
    for name, count in outcome.class_counts.items():
        click.echo(f"    {name:<10} {count}")
    if outcome.accuracy is not None:
        click.echo(f"  accuracy vs truth: {outcome.accuracy:.1%}")
    if outcome.mean_confidence is not None:
        click.echo(f"  mean confidence:   {outcome.mean_confidence:.2f}")
    click.secho("\nTime per step", bold=True)
    click.echo(timer.table())


def _hold(story: DemoStory) -> None:
    cluster = story.cluster
    click.secho("\nEverything is still running (Ctrl-C to clean up and exit):", bold=True)
    for name, value in story.env.items():
        click.echo(f"  export {name}={value}")
    if cluster is not None:
        click.echo(f"  export KUBECONFIG={cluster.kubeconfig}")
    click.echo(f"  portal: {story.portal_url}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo()
