"""Pure parts of the operator: naming, template, request assembly, results, the CRD file.

No AWS here; everything that talks to Ground Truth is tested against the real local server
in the other modules.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from groundtruth_operator import crdgen
from groundtruth_operator.defaults import Defaults
from groundtruth_operator.errors import InvalidSpecError
from groundtruth_operator.naming import default_job_name, is_valid_job_name
from groundtruth_operator.request import TAG_UID, ResourceRef, build_plan
from groundtruth_operator.results import summarise
from groundtruth_operator.spec import parse_spec
from groundtruth_operator.template import render_template
from groundtruth_operator.validation import operation_model
from liquid import Environment

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = Defaults(
    region="us-east-1",
    role_arn="arn:aws:iam::123456789012:role/gt",
    workteam_arn="arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/team",
    output_path="s3://out/labels",
)
LAMBDA = "arn:aws:lambda:us-east-1:432418664414:function:"
REF = ResourceRef("team-a", "cats", "6f1c2d3e-aaaa-bbbb-cccc-1234567890ab")


@pytest.mark.parametrize(
    "name",
    ["cats", "a" * 253, "my.job.with.dots", "-x-", "UPPER-case", "x" * 55, "9"],
)
def test_default_job_names_are_valid_and_carry_the_uid(name: str) -> None:
    job = default_job_name(name, REF.uid)
    assert is_valid_job_name(job), job
    assert job.endswith("-6f1c2d3e")
    assert default_job_name(name, "00000000-ffff") != job  # another UID, another name


def test_rendered_template_is_the_aws_one_with_the_instructions_in_it() -> None:
    html = render_template(
        "<p>Pick the animal {{ not liquid }}</p>", "<ol><li>Look</li></ol>", 'Is it "x"?'
    )
    rendered = Environment().from_string(html)
    # The portal renders with these filters; plain stand-ins are enough to see the output.
    env = Environment()
    env.filters["grant_read_access"] = lambda uri: f"https://signed/{uri}"
    env.filters["to_json"] = json.dumps
    out = env.from_string(html).render(
        task={"input": {"taskObject": "s3://b/i.png", "labels": ["cat", "dog"]}}
    )
    assert rendered is not None
    assert 'name="crowd-image-classifier"' in out
    assert 'src="https://signed/s3://b/i.png"' in out
    assert "<p>Pick the animal {{ not liquid }}</p>" in out  # shown, not evaluated
    assert "<ol><li>Look</li></ol>" in out
    assert 'header="Is it &quot;x&quot;?"' in out
    assert "&quot;cat&quot;" in out


def _spec(**changes: object) -> dict[str, object]:
    spec: dict[str, object] = {
        "inputConfig": {"dataSource": {"s3DataSource": {"manifestS3Uri": "s3://in/m.jsonl"}}},
        "labels": ["cat", "dog"],
        "humanTaskConfig": {
            "instructions": {"short": "s", "full": "f"},
            "taskTitle": "Cats or dogs",
            "taskDescription": "Pick one",
            "numberOfHumanWorkersPerDataObject": 3,
            "taskTimeLimitInSeconds": 300,
        },
    }
    spec.update(changes)
    return spec


def test_plan_fills_defaults_lambdas_uploads_and_tags() -> None:
    plan = build_plan(parse_spec(_spec()), REF, DEFAULTS)
    request = plan.request
    assert plan.job_name == "cats-6f1c2d3e" == request["LabelingJobName"]
    assert request["RoleArn"] == DEFAULTS.role_arn
    assert request["OutputConfig"]["S3OutputPath"] == "s3://out/labels"
    task = request["HumanTaskConfig"]
    assert task["PreHumanTaskLambdaArn"].endswith("432418664414:function:PRE-ImageMultiClass")
    assert task["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"].endswith(
        "ACS-ImageMultiClass"
    )
    uploads = {upload.uri: upload for upload in plan.uploads}
    assert task["UiConfig"]["UiTemplateS3Uri"] in uploads
    labels = json.loads(uploads[request["LabelCategoryConfigS3Uri"]].body)
    assert labels == {
        "document-version": "2018-11-28",
        "labels": [{"label": "cat"}, {"label": "dog"}],
    }
    assert {"Key": TAG_UID, "Value": REF.uid} in request["Tags"]
    assert "Labels" not in request and "Region" not in request


def test_seed_request_translates_line_by_line() -> None:
    """The AWS page's boto3 request, written as a spec, gives that request back."""
    seed = {
        "LabelingJobName": "example-image-classification-labeling-job",
        "LabelAttributeName": "label",
        "InputConfig": {
            "DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://bucket/path/manifest.json"}},
            "DataAttributes": {"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]},
        },
        "OutputConfig": {"S3OutputPath": "s3://bucket/path/out", "KmsKeyId": "key-1"},
        "RoleArn": "arn:aws:iam::123456789012:role/gt",
        "LabelCategoryConfigS3Uri": "s3://bucket/path/label-categories.json",
        "StoppingConditions": {
            "MaxHumanLabeledObjectCount": 123,
            "MaxPercentageOfInputDatasetLabeled": 50,
        },
        "HumanTaskConfig": {
            "WorkteamArn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/t",
            "UiConfig": {"UiTemplateS3Uri": "s3://bucket/path/worker-task-template.html"},
            "PreHumanTaskLambdaArn": LAMBDA + "PRE-ImageMultiClass",
            "TaskKeywords": ["Image classification"],
            "TaskTitle": "Image classification task",
            "TaskDescription": "Carefully inspect the image and classify it.",
            "NumberOfHumanWorkersPerDataObject": 3,
            "TaskTimeLimitInSeconds": 300,
            "TaskAvailabilityLifetimeInSeconds": 21600,
            "MaxConcurrentTaskCount": 1000,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": LAMBDA + "ACS-ImageMultiClass"
            },
        },
        "Tags": [{"Key": "team", "Value": "vision"}],
    }

    def lower(value: object) -> object:
        if isinstance(value, dict):
            return {k[:1].lower() + k[1:]: lower(v) for k, v in value.items()}
        if isinstance(value, list):
            return [lower(v) for v in value]
        return value

    plan = build_plan(parse_spec(lower(seed)), REF, DEFAULTS)  # type: ignore[arg-type]
    ours = [tag for tag in plan.request.pop("Tags") if tag["Key"].startswith("labeling.")]
    assert len(ours) == 3
    assert plan.request == {key: value for key, value in seed.items() if key != "Tags"}
    assert plan.uploads == []


def test_results_count_classes_and_confidence() -> None:
    lines = [
        json.dumps(
            {
                "source-ref": "s3://b/1",
                "label": 0,
                "label-metadata": {"class-name": "cat", "confidence": 0.9},
            }
        ),
        json.dumps(
            {
                "source-ref": "s3://b/2",
                "label": 0,
                "label-metadata": {"class-name": "cat", "confidence": 0.7},
            }
        ),
        json.dumps(
            {
                "source-ref": "s3://b/3",
                "label": 1,
                "label-metadata": {"class-name": "dog", "confidence": 0.5},
            }
        ),
        json.dumps({"source-ref": "s3://b/4"}),
        "",
    ]
    results = summarise([line.encode() for line in lines], "label")
    assert results["classes"] == [
        {"label": "cat", "count": 2, "meanConfidence": 0.8},
        {"label": "dog", "count": 1, "meanConfidence": 0.5},
    ]
    assert results["labeledObjects"] == 3
    assert results["unlabeledObjects"] == 1
    assert results["meanConfidence"] == pytest.approx(0.7)


def test_committed_crd_is_the_generated_one() -> None:
    committed = yaml.safe_load((ROOT / "crds" / "labelingjobs.yaml").read_text())
    generated = yaml.safe_load(crdgen.render())

    def shape_only(node: object) -> object:
        # Descriptions follow botocore's documentation, which changes between releases.
        if isinstance(node, dict):
            return {k: shape_only(v) for k, v in node.items() if k != "description"}
        if isinstance(node, list):
            return [shape_only(v) for v in node]
        return node

    assert shape_only(committed) == shape_only(generated), (
        "regenerate: python -m groundtruth_operator.crdgen > crds/labelingjobs.yaml"
    )


def _walk(schema: dict[str, object], path: str = "") -> list[tuple[str, dict[str, object]]]:
    found = [(path, schema)]
    for name, child in (schema.get("properties") or {}).items():  # type: ignore[union-attr]
        found += _walk(child, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        found += _walk(schema["items"], f"{path}[]")  # type: ignore[arg-type]
    return found


def test_crd_is_structural_and_documented() -> None:
    crd = yaml.safe_load((ROOT / "crds" / "labelingjobs.yaml").read_text())
    assert crd["apiVersion"] == "apiextensions.k8s.io/v1"
    version = crd["spec"]["versions"][0]
    schema = version["schema"]["openAPIV3Schema"]
    for path, node in _walk(schema):
        assert "type" in node or node.get("x-kubernetes-preserve-unknown-fields"), path
        # The API server forbids anything but `type` on metadata (even a description).
        if not path.endswith("[]") and path != ".metadata":
            assert node.get("description"), f"no description at {path or 'root'}"
    assert schema["properties"]["metadata"] == {"type": "object"}
    rules = schema["x-kubernetes-validations"]
    assert any("oldSelf.status.labelingJobArn" in rule["rule"] for rule in rules)
    columns = {column["name"]: column for column in version["additionalPrinterColumns"]}
    assert list(columns)[:5] == ["Status", "Labeled", "Total", "Failed", "Age"]
    assert columns["Job"]["priority"] == columns["Reason"]["priority"] == 1


def test_crd_spec_bounds_come_from_botocore() -> None:
    """Every CreateLabelingJob member is in the spec with the model's bounds and enums."""
    crd = yaml.safe_load((ROOT / "crds" / "labelingjobs.yaml").read_text())
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    shape = operation_model("CreateLabelingJob").input_shape

    def check(shape: object, node: dict[str, object], path: str) -> int:
        checked = 1
        meta = shape.metadata  # type: ignore[attr-defined]
        if shape.type_name == "structure":  # type: ignore[attr-defined]
            for name, member in shape.members.items():  # type: ignore[attr-defined]
                child = node["properties"][name[:1].lower() + name[1:]]  # type: ignore[index]
                checked += check(member, child, f"{path}.{name}")
        elif shape.type_name == "list":  # type: ignore[attr-defined]
            assert node.get("maxItems") == meta.get("max"), path
            checked += check(shape.member, node["items"], path + "[]")  # type: ignore[attr-defined, arg-type]
        elif shape.type_name == "string":  # type: ignore[attr-defined]
            assert node.get("maxLength") == meta.get("max"), path
            assert node.get("enum") == (shape.enum or None), path  # type: ignore[attr-defined]
        elif shape.type_name == "integer":  # type: ignore[attr-defined]
            assert node.get("minimum") == meta.get("min"), path
            assert node.get("maximum") == meta.get("max"), path
        return checked

    assert check(shape, spec, "spec") > 40


def test_unknown_field_is_named() -> None:
    with pytest.raises(InvalidSpecError, match=r"spec\.humanTaskConfig\.taskTitel"):
        parse_spec(_spec(humanTaskConfig={**_spec()["humanTaskConfig"], "taskTitel": "x"}))  # type: ignore[dict-item]


def _example_documents() -> list[dict[str, object]]:
    documents = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def test_examples_are_valid_labeling_jobs_with_the_example_defaults() -> None:
    documents = _example_documents()
    configmap = next(doc for doc in documents if doc["kind"] == "ConfigMap")
    defaults = Defaults.from_configmap(configmap["data"])  # type: ignore[arg-type]
    jobs = [doc for doc in documents if doc["kind"] == "LabelingJob"]
    assert len(jobs) >= 2
    for job in jobs:
        name = job["metadata"]["name"]  # type: ignore[index]
        plan = build_plan(parse_spec(job["spec"]), ResourceRef("default", name, REF.uid), defaults)  # type: ignore[arg-type]
        assert plan.request["HumanTaskConfig"]["WorkteamArn"].startswith("arn:aws:sagemaker:")


def test_defaults_configmap_keys_and_precedence(caplog: pytest.LogCaptureFixture) -> None:
    data = {
        "region": "eu-west-1",
        "roleArn": " arn:aws:iam::123456789012:role/gt ",
        "outputpath": "s3://typo/x",  # wrong case: reported, not used
        "kmsKeyId": "",
    }
    defaults = Defaults.from_configmap(data)
    assert defaults.region == "eu-west-1"
    assert defaults.role_arn == "arn:aws:iam::123456789012:role/gt"
    assert defaults.output_path is None and defaults.kms_key_id is None
    assert any("unknown keys" in record.getMessage() for record in caplog.records)
    merged = defaults.merged_over(Defaults(region="us-east-1", output_path="s3://cli/out"))
    assert (merged.region, merged.output_path) == ("eu-west-1", "s3://cli/out")
    # A spec's own value always wins over every default.
    spec = parse_spec(_spec(region="us-east-1", roleArn="arn:aws:iam::123456789012:role/own"))
    plan = build_plan(spec, REF, merged.merged_over(DEFAULTS))
    assert plan.region == "us-east-1"
    assert plan.request["RoleArn"].endswith("role/own")
