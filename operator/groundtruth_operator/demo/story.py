"""The whole story on one machine: Terraform, Helm, kubectl, workers, results.

Each method is one user-visible step of the demo and uses the same parts a user would: the
local Ground Truth, a real kube-apiserver, `terraform apply`, `helm install`, the operator as
the chart runs it, and simulated workers going through the portal's HTTP routes.
"""

from __future__ import annotations

import json
import secrets
import tempfile
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from botocore.config import Config
from groundtruth_local.controlplane import ControlPlane
from groundtruth_local.controlplane.chart_operator import (
    OperatorProcess,
    run_operator_like_the_chart,
    wait_until,
)
from groundtruth_local.sample_data import SampleData, make_sample_data
from groundtruth_local.server import LocalGroundTruth
from groundtruth_local.workers.simulate import Summary, run_simulation

from groundtruth_operator.demo.terraform_runner import Terraform

OPERATOR_NAMESPACE = "groundtruth-system"
JOBS_NAMESPACE = "labeling"
RELEASE = "groundtruth-operator"
TEAM = "labelers"
LABELS = ("circle", "square", "triangle")
TERMINAL_PHASES = ("Completed", "Failed", "Stopped")


class DemoError(RuntimeError):
    """A step of the demo failed; the message says which and why."""


def repository_root() -> Path:
    """The source tree holding terraform/ and charts/ (the package is installed from it)."""
    for candidate in Path(__file__).resolve().parents:
        if (candidate / "charts" / "groundtruth-operator").is_dir() and (
            candidate / "terraform" / "examples" / "local"
        ).is_dir():
            return candidate
    raise DemoError(
        "cannot find the repository (terraform/ and charts/): run the demo from a source "
        "checkout installed with `pip install -e .`"
    )


@dataclass
class DemoOptions:
    images: int = 90
    workers: int = 3
    workers_per_object: int = 3
    accuracy: float = 0.8
    seed: int = 7
    workdir: Path | None = None
    job_timeout: float = 900.0


@dataclass
class Outcome:
    output_manifest: str = ""
    class_counts: dict[str, int] = field(default_factory=dict)
    accuracy: float | None = None
    mean_confidence: float | None = None
    simulation: Summary | None = None


class DemoStory:
    """Holds what each step produced; `ExitStack` undoes the steps in reverse on close."""

    def __init__(self, options: DemoOptions, stack: ExitStack) -> None:
        self.options = options
        self.stack = stack
        self.repo = repository_root()
        self.workdir = options.workdir or Path(tempfile.mkdtemp(prefix="groundtruth-demo-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.name = f"demo-{secrets.token_hex(3)}"
        self.env: dict[str, str] = {}
        self.endpoint = ""
        self.portal_url = ""
        self.region = "us-east-1"
        self.cluster: ControlPlane | None = None
        self.terraform: Terraform | None = None
        self.outputs: dict[str, Any] = {}
        self.sample: SampleData | None = None
        self.operator: OperatorProcess | None = None

    # -- steps -----------------------------------------------------------------------------

    def start_local_ground_truth(self) -> None:
        server = LocalGroundTruth(
            host="127.0.0.1", port=0, data_dir=self.workdir / "ground-truth", region=self.region
        )
        context = server.start()
        self.stack.callback(server.stop)
        self.env = dict(context.env())
        self.endpoint = self.env["AWS_ENDPOINT_URL"]
        self.portal_url = context.portal_url

    def start_control_plane(self) -> None:
        (self.workdir / "control-plane").mkdir(exist_ok=True)
        cluster = ControlPlane(workdir=self.workdir / "control-plane")
        cluster.start()
        self.stack.callback(cluster.stop)
        self.cluster = cluster

    def terraform_apply(self) -> None:
        (self.workdir / "terraform").mkdir(exist_ok=True)
        terraform = Terraform(
            self.repo / "terraform" / "examples" / "local", self.workdir / "terraform", self.env
        )
        variables = {"endpoint": self.endpoint, "region": self.region, "name": self.name}
        variables["labels"] = json.dumps(list(LABELS))
        terraform.init()
        self.stack.callback(terraform.destroy, variables)
        terraform.apply(variables)
        self.terraform = terraform
        self.outputs = terraform.outputs()

    def helm_install(self) -> None:
        cluster = self._cluster()
        values = self.workdir / "helm-values.yaml"
        values.write_text(self.outputs["helm_values"])
        cluster.helm(
            "install", RELEASE, str(self.repo / "charts" / "groundtruth-operator"),
            "--namespace", OPERATOR_NAMESPACE, "--create-namespace", "-f", str(values),
        )  # fmt: skip
        self.stack.callback(
            cluster.helm, "uninstall", RELEASE, "--namespace", OPERATOR_NAMESPACE, check=False
        )

    def start_operator(self) -> None:
        self.operator = self.stack.enter_context(
            run_operator_like_the_chart(
                self._cluster(), OPERATOR_NAMESPACE, RELEASE, self.env,
                self.workdir / "operator.log",
            )
        )  # fmt: skip

    def upload_sample_data(self) -> SampleData:
        s3 = self._client("s3")
        bucket = self.outputs["input_bucket_name"]
        prefix = f"{self.outputs.get('input_prefix', '').strip('/')}/{self.name}".strip("/")
        self.sample = make_sample_data(
            s3, bucket, prefix, self.options.images, LABELS, self.options.seed
        )
        return self.sample

    def apply_labeling_job(self) -> dict[str, Any]:
        document = self.labeling_job_manifest()
        path = self.workdir / "labelingjob.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        self._cluster().kubectl("create", "namespace", JOBS_NAMESPACE, check=False)
        self._cluster().kubectl("apply", "-f", str(path))
        return document

    def labeling_job_manifest(self) -> dict[str, Any]:
        if self.sample is None:
            raise DemoError("no sample data uploaded yet")
        return {
            "apiVersion": "labeling.groundtruth.dev/v1alpha1",
            "kind": "LabelingJob",
            "metadata": {"name": "shapes", "namespace": JOBS_NAMESPACE},
            "spec": {
                "labelAttributeName": "shape",
                "labels": list(self.sample.labels),
                "inputConfig": {
                    "dataSource": {"s3DataSource": {"manifestS3Uri": self.sample.manifest_uri}}
                },
                "humanTaskConfig": {
                    "workteamArn": self._team_arn(),
                    "taskTitle": "Which shape is this?",
                    "taskDescription": "Pick the one shape drawn in the image.",
                    "taskKeywords": ["Image classification", "shapes"],
                    "numberOfHumanWorkersPerDataObject": self.options.workers_per_object,
                    "taskTimeLimitInSeconds": 300,
                    "instructions": {
                        "short": "<p>Choose the shape drawn in the image.</p>",
                        "full": "<p>Each image shows one filled shape on a plain background."
                        " Pick its label; if unsure, pick the closest.</p>",
                    },
                },
            },
        }

    def wait_for_phase(self, phases: tuple[str, ...], timeout: float) -> dict[str, Any]:
        def current() -> dict[str, Any] | None:
            resource = self._labeling_job()
            phase = resource.get("status", {}).get("phase")
            return resource if phase in phases else None

        try:
            return wait_until(current, f"LabelingJob phase in {phases}", timeout=timeout)
        except TimeoutError as error:
            status = self._labeling_job().get("status", {})
            raise DemoError(f"{error}; status now: {json.dumps(status)}") from error

    def simulate_workers(self) -> Summary:
        return run_simulation(
            endpoint=self.endpoint,
            region=self.region,
            workteam=self._team_name(),
            workers=self.options.workers,
            accuracy=self.options.accuracy,
            spread=0.1,
            seed=self.options.seed,
            until_done=True,
            password="Demo-worker-1!",  # noqa: S106 - a throwaway local Cognito user
            prefix="demo-worker",
            truth_key="truth",
            timeout=self.options.job_timeout,
            progress=lambda message: None,
        )

    def create_human_worker(self) -> tuple[str, str]:
        """A Cognito user in the team's group, for --interactive: (username, password)."""
        cognito = self._client("cognito-idp")
        team = self._client("sagemaker").describe_workteam(WorkteamName=self._team_name())
        member = team["Workteam"]["MemberDefinitions"][0]["CognitoMemberDefinition"]
        username, password = "you", f"Label-{secrets.token_hex(4)}!"
        cognito.admin_create_user(UserPoolId=member["UserPool"], Username=username)
        cognito.admin_set_user_password(
            UserPoolId=member["UserPool"], Username=username, Password=password, Permanent=True
        )
        cognito.admin_add_user_to_group(
            UserPoolId=member["UserPool"], Username=username, GroupName=member["UserGroup"]
        )
        return username, password

    def collect_outcome(self, resource: dict[str, Any]) -> Outcome:
        status = resource.get("status", {})
        outcome = Outcome(output_manifest=status.get("outputDatasetS3Uri", ""))
        if not outcome.output_manifest:
            return outcome
        bucket, _, key = outcome.output_manifest.removeprefix("s3://").partition("/")
        body = self._client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        labeled = [line for line in lines if "shape-metadata" in line]
        names = [line["shape-metadata"]["class-name"] for line in labeled]
        outcome.class_counts = dict(sorted(Counter(names).items()))
        if labeled:
            right = sum(line["shape-metadata"]["class-name"] == line["truth"] for line in labeled)
            outcome.accuracy = right / len(labeled)
            confidences = [line["shape-metadata"]["confidence"] for line in labeled]
            outcome.mean_confidence = sum(confidences) / len(confidences)
        return outcome

    # -- helpers ---------------------------------------------------------------------------

    def _cluster(self) -> ControlPlane:
        if self.cluster is None:
            raise DemoError("the control plane is not running")
        return self.cluster

    def _client(self, service: str) -> Any:
        import boto3  # noqa: PLC0415 - boto3 is slow to import and only some steps need it

        return boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id="test",
            aws_secret_access_key="test",  # noqa: S106 - the local endpoint's fixed test keys
            config=Config(s3={"addressing_style": "path"}),
        )

    def _team_arn(self) -> str:
        arns = self.outputs["workteam_arns"]
        return str(arns[TEAM] if isinstance(arns, dict) else arns[0])

    def _team_name(self) -> str:
        return self._team_arn().rsplit("/", 1)[1]

    def _labeling_job(self) -> dict[str, Any]:
        result = self._cluster().kubectl(
            "get", "labelingjob", "shapes", "-n", JOBS_NAMESPACE, "-o", "json"
        )
        resource: dict[str, Any] = json.loads(result.stdout)
        return resource

    def get_lj_table(self) -> str:
        return str(self._cluster().kubectl("get", "lj", "-n", JOBS_NAMESPACE, "-o", "wide").stdout)
