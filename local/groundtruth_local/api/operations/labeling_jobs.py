"""CreateLabelingJob, DescribeLabelingJob, ListLabelingJobs, StopLabelingJob,
ListLabelingJobsForWorkteam.

Field checks already ran against botocore's model; here live the semantic rules AWS applies
on top, and the local limits (one task type, S3 manifests) each said plainly.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from groundtruth_local.api.call import Call, Handler
from groundtruth_local.api.errors import ApiError, in_use, validation
from groundtruth_local.api.lambdas import ACS_FUNCTION, PRE_FUNCTION, task_lambda_arn
from groundtruth_local.api.listing import in_range, page, sort_items
from groundtruth_local.store import JobRecord

MAX_IMAGE_TASK_SECONDS = 28_800


def _job_not_found(name: str) -> ApiError:
    # AWS answers an unknown labeling job with ValidationException, not ResourceNotFound.
    return validation(f"Could not find requested job with name {name}")


def _check_label_attribute(name: str) -> None:
    for suffix in ("-metadata", "-ref"):
        if name.endswith(suffix):
            raise validation(
                f"LabelAttributeName {name!r} must not end with {suffix!r}: Ground Truth "
                f"reserves that suffix in the output manifest (use e.g. {name[: -len(suffix)]!r})"
            )


def _check_lambda(call: Call, field: str, arn: str, function: str) -> None:
    """A given task Lambda must be the region's built-in one (absent means that one)."""
    expected = task_lambda_arn(call.region, function)
    if expected is None:
        raise validation(
            f"{field}: Ground Truth's built-in {function} is not available in region {call.region}"
        )
    if arn and arn != expected:
        raise validation(
            f"{field} {arn!r} is not the image classification (single label) function of "
            f"region {call.region}; expected {expected!r} (the local Ground Truth runs only "
            "this task type)"
        )


def _check_workteam(call: Call, arn: str) -> None:
    resource = call.context.store.get_resource_by_arn(arn)
    if resource is not None and resource.kind == "workteam":
        if resource.region != call.region:
            raise validation(
                f"Workteam {arn} is in region {resource.region}, the job in {call.region}: "
                "a labeling job needs a workteam of its own region"
            )
        return
    if ":workteam/private-crowd/" not in arn:
        raise validation(
            f"WorkteamArn {arn!r}: only private workteams are available locally "
            "(arn:aws:sagemaker:<region>:<account>:workteam/private-crowd/<name>)"
        )
    raise validation(f"Workteam {arn} does not exist in region {call.region}")


def _check_human_task_config(call: Call, config: dict[str, Any]) -> None:
    _check_workteam(call, config["WorkteamArn"])
    _check_lambda(
        call,
        "HumanTaskConfig.PreHumanTaskLambdaArn",
        config.get("PreHumanTaskLambdaArn", ""),
        PRE_FUNCTION,
    )
    consolidation = config.get("AnnotationConsolidationConfig") or {}
    _check_lambda(
        call,
        "HumanTaskConfig.AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn",
        consolidation.get("AnnotationConsolidationLambdaArn", ""),
        ACS_FUNCTION,
    )
    if config["TaskTimeLimitInSeconds"] > MAX_IMAGE_TASK_SECONDS:
        raise validation(
            f"HumanTaskConfig.TaskTimeLimitInSeconds {config['TaskTimeLimitInSeconds']} is "
            f"above {MAX_IMAGE_TASK_SECONDS} (8 hours), the limit for image tasks"
        )
    ui = config.get("UiConfig") or {}
    if bool(ui.get("UiTemplateS3Uri")) == bool(ui.get("HumanTaskUiArn")):
        raise validation(
            "HumanTaskConfig.UiConfig needs exactly one of UiTemplateS3Uri or HumanTaskUiArn"
        )
    if ui.get("HumanTaskUiArn"):
        resource = call.context.store.get_resource_by_arn(ui["HumanTaskUiArn"])
        if resource is None or resource.kind != "human-task-ui":
            raise validation(f"HumanTaskUiArn {ui['HumanTaskUiArn']} does not exist")


def _check_local_support(params: dict[str, Any]) -> None:
    data_source = params["InputConfig"].get("DataSource") or {}
    if "S3DataSource" not in data_source:
        raise validation(
            "InputConfig.DataSource: only S3DataSource (an input manifest) is supported by "
            "the local Ground Truth, not streaming (SnsDataSource) jobs"
        )
    if params.get("LabelingJobAlgorithmsConfig"):
        raise validation(
            "LabelingJobAlgorithmsConfig: automated data labeling is not supported by the "
            "local Ground Truth; remove it to have every object labeled by workers"
        )
    if not params.get("LabelCategoryConfigS3Uri"):
        raise validation(
            "LabelCategoryConfigS3Uri is required for image classification: the label "
            "categories workers choose from"
        )


def create_labeling_job(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name = params["LabelingJobName"]
    _check_label_attribute(params["LabelAttributeName"])
    _check_local_support(params)
    _check_human_task_config(call, params["HumanTaskConfig"])
    store = call.context.store
    now = time.time()
    arn = call.arn(f"labeling-job/{name.lower()}")
    reference = hashlib.sha256(f"{call.region}/{name.lower()}".encode()).hexdigest()[:20]
    record = JobRecord(
        name=name,
        region=call.region,
        arn=arn,
        status="Initializing",
        request=params,
        workteam_arn=params["HumanTaskConfig"]["WorkteamArn"],
        job_reference_code=f"{call.context.account_id}{reference}",
        creation_time=now,
        last_modified_time=now,
        failure_reason=None,
        output_dataset_s3_uri=None,
    )
    with store.connection():
        if not store.insert_job(record):
            raise in_use(
                f"Job name {name} must be unique within an AWS account and region, and a "
                "job with this name already exists (names are case-insensitive and can "
                "never be reused)"
            )
        if params.get("Tags"):
            store.add_tags(arn, params["Tags"])
    call.jobs.initialize(name)
    return {"LabelingJobArn": arn}


def describe_labeling_job(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    description = call.context.store.describe_job(params["LabelingJobName"])
    # A job lives in the region it was created in, as on AWS.
    if description is None or f":{call.region}:" not in description["LabelingJobArn"]:
        raise _job_not_found(params["LabelingJobName"])
    return description


def stop_labeling_job(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name = params["LabelingJobName"]
    store = call.context.store
    with store.connection():
        job = store.get_job(name)
        if job is None or job.region != call.region:
            raise _job_not_found(name)
        if job.status not in ("Initializing", "InProgress"):
            # Stopping a job that is already finishing or finished changes nothing.
            return {}
        store.set_job_status(name, "Stopping")
    call.jobs.stop(name, job.status)
    return {}


_SUMMARY_KEYS = ("CreationTime", "LastModifiedTime", "LabelingJobStatus", "LabelCounters")


def _summary(description: dict[str, Any]) -> dict[str, Any]:
    config = description["HumanTaskConfig"]
    summary: dict[str, Any] = {
        "LabelingJobName": description["LabelingJobName"],
        "LabelingJobArn": description["LabelingJobArn"],
        **{key: description[key] for key in _SUMMARY_KEYS},
        "WorkteamArn": config["WorkteamArn"],
        "InputConfig": description["InputConfig"],
    }
    if config.get("PreHumanTaskLambdaArn"):
        summary["PreHumanTaskLambdaArn"] = config["PreHumanTaskLambdaArn"]
    consolidation = config.get("AnnotationConsolidationConfig")
    if consolidation:
        summary["AnnotationConsolidationLambdaArn"] = consolidation[
            "AnnotationConsolidationLambdaArn"
        ]
    for key in ("FailureReason", "LabelingJobOutput"):
        if key in description:
            summary[key] = description[key]
    return summary


def list_labeling_jobs(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    store = call.context.store
    jobs = [
        job
        for job in store.list_jobs(call.region)
        if in_range(
            job.creation_time, params.get("CreationTimeAfter"), params.get("CreationTimeBefore")
        )
        and in_range(
            job.last_modified_time,
            params.get("LastModifiedTimeAfter"),
            params.get("LastModifiedTimeBefore"),
        )
        and (not params.get("NameContains") or params["NameContains"].lower() in job.name.lower())
        and (not params.get("StatusEquals") or job.status == params["StatusEquals"])
    ]
    ordered = sort_items(
        jobs,
        {
            "CreationTime": lambda job: (job.creation_time, job.name),
            "Name": lambda job: job.name,
            "Status": lambda job: (job.status, job.creation_time),
        },
        params.get("SortBy"),
        params.get("SortOrder"),
    )
    chunk, token = page(ordered, params)
    summaries = []
    for job in chunk:
        description = store.describe_job(job.name)
        if description is not None:
            summaries.append(_summary(description))
    result: dict[str, Any] = {"LabelingJobSummaryList": summaries}
    if token:
        result["NextToken"] = token
    return result


def list_labeling_jobs_for_workteam(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    store = call.context.store
    arn = params["WorkteamArn"]
    team = store.get_resource_by_arn(arn)
    if team is None or team.kind != "workteam":
        raise ApiError("ResourceNotFound", f"The work team {arn} does not exist.")
    contains = params.get("JobReferenceCodeContains")
    jobs = [
        job
        for job in store.list_jobs(team.region)
        if job.workteam_arn == arn
        and job.status in ("Initializing", "InProgress")
        and in_range(
            job.creation_time, params.get("CreationTimeAfter"), params.get("CreationTimeBefore")
        )
        and (not contains or contains in job.job_reference_code)
    ]
    ordered = sort_items(
        jobs,
        {"CreationTime": lambda job: job.creation_time},
        params.get("SortBy"),
        params.get("SortOrder"),
    )
    chunk, token = page(ordered, params)
    summaries = []
    for job in chunk:
        counts = store.object_status_counts(job.name)
        workers = job.request["HumanTaskConfig"]["NumberOfHumanWorkersPerDataObject"]
        summaries.append(
            {
                "LabelingJobName": job.name,
                "JobReferenceCode": job.job_reference_code,
                "WorkRequesterAccountId": call.context.account_id,
                "CreationTime": job.creation_time,
                "LabelCounters": {
                    "HumanLabeled": counts["labeled"],
                    "PendingHuman": counts["pending"] + counts["in_flight"],
                    "Total": sum(counts.values()),
                },
                "NumberOfHumanWorkersPerDataObject": workers,
            }
        )
    result: dict[str, Any] = {"LabelingJobSummaryList": summaries}
    if token:
        result["NextToken"] = token
    return result


OPERATIONS: dict[str, Handler] = {
    "CreateLabelingJob": create_labeling_job,
    "DescribeLabelingJob": describe_labeling_job,
    "ListLabelingJobs": list_labeling_jobs,
    "StopLabelingJob": stop_labeling_job,
    "ListLabelingJobsForWorkteam": list_labeling_jobs_for_workteam,
}
