"""Generate `crds/labelingjobs.yaml` from botocore's CreateLabelingJob model.

The spec schema is CreateLabelingJob's input shape with member names in lowerCamelCase,
types, bounds, enums and patterns taken from the model (one source of truth), plus the
operator's conveniences, one-of rules and the CEL rule that makes spec immutable once the
Ground Truth job exists. Run `python -m groundtruth_operator.crdgen > crds/labelingjobs.yaml`
after changing this file; a test checks the committed CRD still matches the model.
"""

from __future__ import annotations

import copy
import html
import re
import sys
from typing import Any

import yaml
from botocore.model import ListShape, Shape, StringShape, StructureShape

from groundtruth_operator.config import GROUP, PLURAL, VERSION
from groundtruth_operator.regions import LAMBDA_ACCOUNTS
from groundtruth_operator.spec import (
    MAX_FULL_INSTRUCTIONS,
    MAX_HEADER,
    MAX_LABEL_LENGTH,
    MAX_LABELS,
    MAX_SHORT_INSTRUCTIONS,
)
from groundtruth_operator.validation import operation_model

Schema = dict[str, Any]
_TAGS = re.compile(r"<[^>]+>")
MAX_DESCRIPTION = 400


def lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def describe(documentation: str) -> str:
    """botocore's HTML documentation, reduced to its first sentence or two as plain text."""
    text = html.unescape(_TAGS.sub("", documentation or "")).strip()
    text = re.sub(r"\s+", " ", text)
    if len(text) > MAX_DESCRIPTION:
        cut = text.rfind(". ", 0, MAX_DESCRIPTION)
        text = text[: cut + 1] if cut > 0 else text[: MAX_DESCRIPTION - 3] + "..."
    return text


def kube_pattern(pattern: str) -> str | None:
    """An anchored pattern Go's RE2 accepts, or None (Java-only escapes are left out)."""
    if "\\u" in pattern or "\\p" in pattern:
        return None
    return f"^(?:{pattern})$"


def _structure(shape: StructureShape) -> Schema:
    schema: Schema = {
        "type": "object",
        "properties": {
            lower_camel(name): shape_schema(member, member.documentation)
            for name, member in shape.members.items()
        },
    }
    if shape.required_members:
        schema["required"] = [lower_camel(name) for name in shape.required_members]
    return schema


def _list(shape: ListShape) -> Schema:
    schema: Schema = {"type": "array", "items": shape_schema(shape.member)}
    if "min" in shape.metadata:
        schema["minItems"] = shape.metadata["min"]
    if "max" in shape.metadata:
        schema["maxItems"] = shape.metadata["max"]
    return schema


def _string_shape(shape: StringShape) -> Schema:
    meta = shape.metadata
    schema: Schema = {"type": "string"}
    if shape.enum:
        schema["enum"] = list(shape.enum)
    if meta.get("min"):
        schema["minLength"] = meta["min"]
    if "max" in meta:
        schema["maxLength"] = meta["max"]
    pattern = kube_pattern(meta["pattern"]) if "pattern" in meta else None
    if pattern:
        schema["pattern"] = pattern
    return schema


def _integer(shape: Shape) -> Schema:
    schema: Schema = {"type": "integer"}
    if "min" in shape.metadata:
        schema["minimum"] = shape.metadata["min"]
    if "max" in shape.metadata:
        schema["maximum"] = shape.metadata["max"]
    return schema


def shape_schema(shape: Shape, documentation: str = "") -> Schema:
    """The OpenAPI schema of a botocore shape, with its documentation as description."""
    if isinstance(shape, StructureShape):
        schema = _structure(shape)
    elif isinstance(shape, ListShape):
        schema = _list(shape)
    elif isinstance(shape, StringShape):
        schema = _string_shape(shape)
    elif shape.type_name in ("integer", "long"):
        schema = _integer(shape)
    elif shape.type_name == "boolean":
        schema = {"type": "boolean"}
    else:
        raise ValueError(f"unexpected shape type {shape.type_name} ({shape.name})")
    text = describe(documentation or shape.documentation)
    return {"description": text, **schema} if text else schema


def _optional(schema: Schema, *names: str) -> None:
    schema["required"] = [name for name in schema.get("required", []) if name not in names]
    if not schema["required"]:
        del schema["required"]


def _note(schema: Schema, text: str) -> None:
    schema["description"] = f"{text} {schema.get('description', '')}".strip()


def spec_schema() -> Schema:
    spec = shape_schema(operation_model("CreateLabelingJob").input_shape)
    props = spec["properties"]
    spec["description"] = (
        "The Ground Truth job to run: CreateLabelingJob's request in lowerCamelCase with its "
        "nesting kept, plus conveniences (labels, humanTaskConfig.instructions, region, "
        "deletionPolicy). Immutable once the job exists."
    )
    _optional(spec, "labelingJobName", "labelAttributeName", "outputConfig", "roleArn")
    _note(
        props["labelingJobName"],
        "Optional: defaults to metadata.name plus 8 hex digits of the UID, because Ground "
        "Truth never frees a job name.",
    )
    props["labelAttributeName"]["default"] = "label"
    _note(props["roleArn"], "Optional: defaults to the defaults ConfigMap's roleArn.")
    _optional(props["outputConfig"], "s3OutputPath")
    _note(
        props["outputConfig"]["properties"]["s3OutputPath"],
        "Optional: defaults to the defaults ConfigMap's outputPath.",
    )
    _note(
        props["labelCategoryConfigS3Uri"],
        "Set exactly one of labelCategoryConfigS3Uri and labels.",
    )
    props["labels"] = {
        "description": "Convenience: the label categories inline (at least 2, unique); the "
        "operator writes the label-category JSON file and sets labelCategoryConfigS3Uri.",
        "type": "array",
        "minItems": 2,
        "maxItems": MAX_LABELS,
        "x-kubernetes-list-type": "set",
        "items": {"type": "string", "minLength": 1, "maxLength": MAX_LABEL_LENGTH},
    }
    props["region"] = {
        "description": "AWS region of the job. Defaults to the defaults ConfigMap's region, "
        "then the operator's --region.",
        "type": "string",
        "enum": sorted(LAMBDA_ACCOUNTS),
    }
    props["deletionPolicy"] = {
        "description": "What deleting this resource does to the Ground Truth job: Stop "
        "(StopLabelingJob if it is still running) or Orphan (leave it alone).",
        "type": "string",
        "enum": ["Stop", "Orphan"],
        "default": "Stop",
    }
    task = props["humanTaskConfig"]
    _optional(task, "workteamArn", "uiConfig")
    _note(
        task["properties"]["workteamArn"],
        "Optional: defaults to the defaults ConfigMap's workteamArn.",
    )
    _note(task["properties"]["uiConfig"], "Set exactly one of uiConfig and instructions.")
    _note(
        task["properties"]["preHumanTaskLambdaArn"],
        "Optional: defaults to the region's PRE-ImageMultiClass function.",
    )
    _note(
        task["properties"]["annotationConsolidationConfig"],
        "Optional: defaults to the region's ACS-ImageMultiClass function.",
    )
    task["properties"]["instructions"] = {
        "description": "Convenience: worker instructions (HTML) rendered into the standard "
        "crowd-image-classifier template, which the operator uploads and sets as "
        "uiConfig.uiTemplateS3Uri.",
        "type": "object",
        "required": ["short", "full"],
        "properties": {
            "short": {
                "description": "Short instructions shown beside the image.",
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_SHORT_INSTRUCTIONS,
            },
            "full": {
                "description": "Full instructions shown on request.",
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_FULL_INSTRUCTIONS,
            },
            "header": {
                "description": "The question above the image (default 'please classify').",
                "type": "string",
                "maxLength": MAX_HEADER,
            },
        },
    }
    task["x-kubernetes-validations"] = [
        {
            "rule": "has(self.uiConfig) != has(self.instructions)",
            "message": "set exactly one of humanTaskConfig.uiConfig and "
            "humanTaskConfig.instructions",
        }
    ]
    ui = task["properties"]["uiConfig"]
    ui["x-kubernetes-validations"] = [
        {
            "rule": "has(self.uiTemplateS3Uri) != has(self.humanTaskUiArn)",
            "message": "set exactly one of uiConfig.uiTemplateS3Uri and uiConfig.humanTaskUiArn",
        }
    ]
    source = props["inputConfig"]["properties"]["dataSource"]
    source["x-kubernetes-validations"] = [
        {
            "rule": "has(self.s3DataSource) != has(self.snsDataSource)",
            "message": "set exactly one of dataSource.s3DataSource and dataSource.snsDataSource",
        }
    ]
    spec["x-kubernetes-validations"] = [
        {
            "rule": "has(self.labels) != has(self.labelCategoryConfigS3Uri)",
            "message": "set exactly one of spec.labels and spec.labelCategoryConfigS3Uri",
        }
    ]
    return spec


STATUS_COUNTERS = {
    "totalLabeled": "Objects labeled so far (human and machine).",
    "humanLabeled": "Objects labeled by workers.",
    "machineLabeled": "Objects labeled by automated labeling.",
    "failedNonRetryableError": "Objects that could not be labeled (e.g. every task expired).",
    "unlabeled": "Objects not labeled yet.",
}


def _string(text: str) -> Schema:
    return {"description": text, "type": "string"}


def status_schema() -> Schema:
    condition = {
        "type": "object",
        "required": ["type", "status"],
        "properties": {
            "type": _string("Ready, Synced or InputBucketCors."),
            "status": {
                "description": "True, False or Unknown.",
                "type": "string",
                "enum": ["True", "False", "Unknown"],
            },
            "reason": _string("One CamelCase word, e.g. InProgress, InvalidSpec, NameInUse."),
            "message": _string("What happened, for people."),
            "lastTransitionTime": {
                "description": "When status last changed.",
                "type": "string",
                "format": "date-time",
            },
            "observedGeneration": {
                "description": "metadata.generation this is about.",
                "type": "integer",
                "nullable": True,
            },
        },
    }
    result_class = {
        "type": "object",
        "properties": {
            "label": _string("The class name."),
            "count": {"description": "Objects given this label.", "type": "integer"},
            "meanConfidence": {"description": "Mean consolidated confidence.", "type": "number"},
        },
    }
    return {
        "description": "What the operator and Ground Truth report. Written by the operator.",
        "type": "object",
        "properties": {
            "phase": _string(
                "Error (see conditions), Initializing, InProgress, Stopping, Completed, "
                "Failed, Stopped or Missing."
            ),
            "reason": _string("Reason of the last error, also in the Ready condition."),
            "region": _string("Region the job runs in."),
            "labelingJobName": _string("The Ground Truth job name."),
            "labelingJobArn": _string("The job's ARN; set once CreateLabelingJob succeeded."),
            "labelingJobStatus": _string("DescribeLabelingJob's LabelingJobStatus."),
            "labelCounters": {
                "description": "DescribeLabelingJob's LabelCounters.",
                "type": "object",
                "properties": {
                    key: {"description": text, "type": "integer"}
                    for key, text in STATUS_COUNTERS.items()
                },
            },
            "totalObjects": {
                "description": "Objects in the job: labeled + failed + unlabeled.",
                "type": "integer",
            },
            "failureReason": _string("Why Ground Truth failed the job."),
            "outputDatasetS3Uri": _string("The output manifest, once the job has one."),
            "jobReferenceCode": _string("Ground Truth's job reference code."),
            "lastModifiedTime": _string("The job's LastModifiedTime as last seen."),
            "lastSyncTime": _string("When the operator last checked the job."),
            "observedGeneration": {
                "description": "metadata.generation last acted on.",
                "type": "integer",
                "nullable": True,
            },
            "results": {
                "description": "Per-class counts and mean confidence from the output manifest "
                "(once Completed or Stopped).",
                "type": "object",
                "nullable": True,
                "properties": {
                    "labeledObjects": {"description": "Objects with a label.", "type": "integer"},
                    "unlabeledObjects": {"description": "Objects without one.", "type": "integer"},
                    "meanConfidence": {
                        "description": "Mean over labeled objects.",
                        "type": "number",
                    },
                    "classes": {
                        "description": "One entry per label.",
                        "type": "array",
                        "items": result_class,
                    },
                },
            },
            "conditions": {
                "description": "Ready, Synced and InputBucketCors.",
                "type": "array",
                "items": condition,
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["type"],
            },
            "kopf": {
                "description": "kopf's own bookkeeping.",
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
            },
        },
    }


IMMUTABLE_RULE = {
    "rule": "!has(oldSelf.status) || !has(oldSelf.status.labelingJobArn) || "
    "self.spec == oldSelf.spec",
    "message": "spec is immutable once the Ground Truth job exists (status.labelingJobArn is "
    "set): Ground Truth cannot update a labeling job. Delete this LabelingJob and create a "
    "new one (it gets a new job name).",
    "reason": "FieldValueForbidden",
}

PRINTER_COLUMNS = [
    {"name": "Status", "type": "string", "jsonPath": ".status.phase"},
    {"name": "Labeled", "type": "integer", "jsonPath": ".status.labelCounters.totalLabeled"},
    {"name": "Total", "type": "integer", "jsonPath": ".status.totalObjects"},
    {
        "name": "Failed",
        "type": "integer",
        "jsonPath": ".status.labelCounters.failedNonRetryableError",
    },
    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
    {"name": "Job", "type": "string", "jsonPath": ".status.labelingJobName", "priority": 1},
    {
        "name": "Reason",
        "type": "string",
        "jsonPath": '.status.conditions[?(@.type=="Ready")].reason',
        "priority": 1,
    },
]


def crd() -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{PLURAL}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {
                "kind": "LabelingJob",
                "listKind": "LabelingJobList",
                "plural": PLURAL,
                "singular": "labelingjob",
                "shortNames": ["lj"],
                "categories": ["groundtruth"],
            },
            "versions": [
                {
                    "name": VERSION,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": copy.deepcopy(PRINTER_COLUMNS),
                    "schema": {
                        "openAPIV3Schema": {
                            "description": "A SageMaker Ground Truth image classification "
                            "(single label) labeling job.",
                            "type": "object",
                            "required": ["spec"],
                            "properties": {
                                "apiVersion": _string("labeling.groundtruth.dev/v1alpha1"),
                                "kind": _string("LabelingJob"),
                                # The API server allows nothing but `type` here.
                                "metadata": {"type": "object"},
                                "spec": spec_schema(),
                                "status": status_schema(),
                            },
                            "x-kubernetes-validations": [dict(IMMUTABLE_RULE)],
                        }
                    },
                }
            ],
        },
    }


HEADER = (
    "# Generated by `python -m groundtruth_operator.crdgen` from botocore's CreateLabelingJob\n"
    "# model; do not edit by hand. The Helm chart reuses this file unchanged.\n"
)


def render() -> str:
    return HEADER + yaml.safe_dump(crd(), sort_keys=False, width=100)


if __name__ == "__main__":
    sys.stdout.write(render())
