"""Every labeling API operation through boto3 against a real server, answers checked against
botocore's output shapes (the `sagemaker` fixture fails any call whose raw JSON breaks them),
and every paginator walked."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.filterwarnings("error")


def _cognito(gt: Any, prefix: str) -> tuple[str, str]:
    idp = gt.client("cognito-idp")
    pool = idp.create_user_pool(PoolName=f"{prefix}-pool")["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName=f"{prefix}-client")
    return pool, client["UserPoolClient"]["ClientId"]


def test_workforce_lifecycle_in_its_own_region(local_gt_factory: Any, checked_client: Any) -> None:
    gt = local_gt_factory(region="eu-west-1", plugin=False)
    sm = checked_client(gt)
    pool, client_id = _cognito(gt, "wf")
    arn = sm.create_workforce(
        WorkforceName="crowd",
        CognitoConfig={"UserPool": pool, "ClientId": client_id},
        Tags=[{"Key": "team", "Value": "ml"}],
    )["WorkforceArn"]
    assert arn == "arn:aws:sagemaker:eu-west-1:123456789012:workforce/crowd"
    workforce = sm.describe_workforce(WorkforceName="crowd")["Workforce"]
    assert workforce["Status"] == "Active"
    assert workforce["CognitoConfig"] == {"UserPool": pool, "ClientId": client_id}
    assert workforce["SourceIpConfig"] == {"Cidrs": []}
    assert workforce["SubDomain"].startswith("127.0.0.1:")
    updated = sm.update_workforce(WorkforceName="crowd", SourceIpConfig={"Cidrs": ["10.0.0.0/16"]})[
        "Workforce"
    ]
    assert updated["SourceIpConfig"] == {"Cidrs": ["10.0.0.0/16"]}
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "ml"}]
    listed = sm.list_workforces(NameContains="cro")["Workforces"]
    assert [w["WorkforceName"] for w in listed] == ["crowd"]
    with pytest.raises(ClientError) as second:
        sm.create_workforce(
            WorkforceName="other", CognitoConfig={"UserPool": pool, "ClientId": client_id}
        )
    assert second.value.response["Error"]["Code"] == "ResourceLimitExceeded"
    sm.delete_workforce(WorkforceName="crowd")
    with pytest.raises(ClientError) as gone:
        sm.describe_workforce(WorkforceName="crowd")
    assert gone.value.response["Error"]["Code"] == "ValidationException"
    assert gone.value.response["Error"]["Message"] == "No workforce found with name crowd"


def test_workteam_lifecycle(
    local_gt: Any, gt_helpers: Any, sagemaker: Any, unique_name: Any
) -> None:
    team = gt_helpers.ensure_workteam(local_gt)
    name = unique_name("team")
    member = {
        "CognitoMemberDefinition": {
            "UserPool": team["user_pool"],
            "UserGroup": team["user_group"],
            "ClientId": team["client_id"],
        }
    }
    arn = sagemaker.create_workteam(
        WorkteamName=name,
        MemberDefinitions=[member],
        Description="first",
        Tags=[{"Key": "a", "Value": "1"}],
    )["WorkteamArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/{name}"
    described = sagemaker.describe_workteam(WorkteamName=name)["Workteam"]
    assert described["MemberDefinitions"] == [member]
    assert described["Description"] == "first"
    updated = sagemaker.update_workteam(WorkteamName=name, Description="second")["Workteam"]
    assert updated["Description"] == "second"
    assert updated["LastUpdatedDate"] >= described["LastUpdatedDate"]
    names = [t["WorkteamName"] for t in sagemaker.list_workteams(NameContains=name)["Workteams"]]
    assert names == [name]
    with pytest.raises(ClientError) as twice:
        sagemaker.create_workteam(WorkteamName=name, MemberDefinitions=[member], Description="x")
    assert twice.value.response["Error"]["Code"] == "ResourceInUse"
    assert sagemaker.delete_workteam(WorkteamName=name)["Success"] is True
    with pytest.raises(ClientError) as gone:
        sagemaker.describe_workteam(WorkteamName=name)
    assert gone.value.response["Error"]["Message"] == f"The work team {name} does not exist."


def test_human_task_ui_lifecycle(
    local_gt: Any, gt_helpers: Any, sagemaker: Any, unique_name: Any
) -> None:
    name = unique_name("ui")
    content = "<crowd-form><crowd-image-classifier name='x'/></crowd-form>"
    arn = sagemaker.create_human_task_ui(HumanTaskUiName=name, UiTemplate={"Content": content})[
        "HumanTaskUiArn"
    ]
    described = sagemaker.describe_human_task_ui(HumanTaskUiName=name)
    assert described["HumanTaskUiArn"] == arn
    assert described["HumanTaskUiStatus"] == "Active"
    import hashlib  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    assert described["UiTemplate"]["ContentSha256"] == hashlib.sha256(content.encode()).hexdigest()
    with urllib.request.urlopen(described["UiTemplate"]["Url"]) as page:
        assert page.read().decode() == content
    summaries = sagemaker.list_human_task_uis(SortOrder="Descending")["HumanTaskUiSummaries"]
    assert arn in [s["HumanTaskUiArn"] for s in summaries]
    sagemaker.delete_human_task_ui(HumanTaskUiName=name)
    with pytest.raises(ClientError) as gone:
        sagemaker.describe_human_task_ui(HumanTaskUiName=name)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFound"


def test_labeling_job_describe_list_stop_and_tags(
    local_gt: Any, gt_helpers: Any, sagemaker: Any, unique_name: Any
) -> None:
    name = unique_name("job")
    request = gt_helpers.make_labeling_job_request(local_gt, name, objects=4)
    request["Tags"] = [{"Key": "project", "Value": "cats"}]
    arn = sagemaker.create_labeling_job(**request)["LabelingJobArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:123456789012:labeling-job/{name.lower()}"
    first = sagemaker.describe_labeling_job(LabelingJobName=name)
    assert first["LabelingJobStatus"] in ("Initializing", "InProgress")
    job = gt_helpers.wait_for_status(local_gt, name, ("InProgress",))
    assert job["LabelCounters"]["Unlabeled"] + job["LabelCounters"]["TotalLabeled"] == 4
    assert job["HumanTaskConfig"] == request["HumanTaskConfig"]
    assert job["Tags"] == request["Tags"]
    summaries = sagemaker.list_labeling_jobs(NameContains=name)["LabelingJobSummaryList"]
    assert [s["LabelingJobArn"] for s in summaries] == [arn]
    assert summaries[0]["WorkteamArn"] == request["HumanTaskConfig"]["WorkteamArn"]
    for_team = sagemaker.list_labeling_jobs_for_workteam(
        WorkteamArn=request["HumanTaskConfig"]["WorkteamArn"],
        JobReferenceCodeContains=job["JobReferenceCode"],
    )["LabelingJobSummaryList"]
    assert [s["LabelingJobName"] for s in for_team] == [name]
    assert for_team[0]["LabelCounters"]["Total"] == 4

    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "stage", "Value": "dev"}])
    sagemaker.delete_tags(ResourceArn=arn, TagKeys=["project"])
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "stage", "Value": "dev"}]

    elsewhere = local_gt.client("sagemaker", region_name="eu-west-1", retries=0)
    with pytest.raises(ClientError) as other_region:
        elsewhere.describe_labeling_job(LabelingJobName=name)
    assert "Could not find requested job" in other_region.value.response["Error"]["Message"]
    with pytest.raises(ClientError):
        elsewhere.stop_labeling_job(LabelingJobName=name)

    sagemaker.stop_labeling_job(LabelingJobName=name)
    assert sagemaker.describe_labeling_job(LabelingJobName=name)["LabelingJobStatus"] in (
        "Stopping",
        "Stopped",
    )


def test_list_labeling_jobs_filters_and_sorts(
    local_gt: Any, gt_helpers: Any, sagemaker: Any, unique_name: Any
) -> None:
    prefix = unique_name("flt")
    request = gt_helpers.make_labeling_job_request(local_gt, f"{prefix}-b", objects=1)
    sagemaker.create_labeling_job(**request)
    # boto3 sends request timestamps as whole epoch seconds: leave a second either side.
    time.sleep(1.1)
    middle = time.time()
    time.sleep(1.1)
    sagemaker.create_labeling_job(**{**request, "LabelingJobName": f"{prefix}-a"})
    sagemaker.create_labeling_job(**{**request, "LabelingJobName": f"{prefix}-c"})

    def names(**filters: Any) -> list[str]:
        answer = sagemaker.list_labeling_jobs(NameContains=prefix, **filters)
        return [s["LabelingJobName"] for s in answer["LabelingJobSummaryList"]]

    assert names() == [f"{prefix}-b", f"{prefix}-a", f"{prefix}-c"]
    assert names(SortBy="Name") == [f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"]
    assert names(SortBy="Name", SortOrder="Descending") == [
        f"{prefix}-c",
        f"{prefix}-b",
        f"{prefix}-a",
    ]
    assert names(CreationTimeAfter=middle) == [f"{prefix}-a", f"{prefix}-c"]
    assert names(CreationTimeBefore=middle) == [f"{prefix}-b"]
    for job in (f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"):
        gt_helpers.wait_for_status(local_gt, job, ("InProgress",))
    sagemaker.stop_labeling_job(LabelingJobName=f"{prefix}-a")
    gt_helpers.wait_for_status(local_gt, f"{prefix}-a", ("Stopping", "Stopped"))
    in_progress = names(StatusEquals="InProgress")
    assert in_progress == [f"{prefix}-b", f"{prefix}-c"]
    by_status = names(SortBy="Status")
    assert by_status.index(f"{prefix}-b") < by_status.index(f"{prefix}-c")
    assert by_status[-1] == f"{prefix}-a"  # Stopping/Stopped sort after InProgress


def test_every_paginator_walks_all_pages(
    local_gt: Any, gt_helpers: Any, sagemaker: Any, unique_name: Any
) -> None:
    prefix = unique_name("pg")
    request = gt_helpers.make_labeling_job_request(local_gt, f"{prefix}-0", objects=1)
    names = [f"{prefix}-{i}" for i in range(7)]
    for name in names:
        sagemaker.create_labeling_job(**{**request, "LabelingJobName": name})
    pages = list(
        sagemaker.get_paginator("list_labeling_jobs").paginate(
            NameContains=prefix, SortBy="Name", PaginationConfig={"PageSize": 3}
        )
    )
    assert len(pages) == 3
    assert [s["LabelingJobName"] for p in pages for s in p["LabelingJobSummaryList"]] == names

    team_arn = request["HumanTaskConfig"]["WorkteamArn"]
    team_pages = list(
        sagemaker.get_paginator("list_labeling_jobs_for_workteam").paginate(
            WorkteamArn=team_arn, PaginationConfig={"PageSize": 2}
        )
    )
    seen = {s["LabelingJobName"] for p in team_pages for s in p["LabelingJobSummaryList"]}
    assert set(names) <= seen
    assert all(len(p["LabelingJobSummaryList"]) <= 2 for p in team_pages)

    arn = sagemaker.describe_labeling_job(LabelingJobName=names[0])["LabelingJobArn"]
    # ListTags pages hold at least 50 and a resource at most 50 tags: one full page.
    tags = [{"Key": f"k{i:02d}", "Value": str(i)} for i in range(50)]
    sagemaker.add_tags(ResourceArn=arn, Tags=tags)
    tag_pages = list(
        sagemaker.get_paginator("list_tags").paginate(
            ResourceArn=arn, PaginationConfig={"PageSize": 50}
        )
    )
    assert [t for p in tag_pages for t in p["Tags"]] == tags
    with pytest.raises(ClientError) as too_many:
        sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "one-more", "Value": "x"}])
    assert "at most 50 tags" in too_many.value.response["Error"]["Message"]

    for index in range(3):
        sagemaker.create_human_task_ui(
            HumanTaskUiName=f"{prefix}-ui{index}", UiTemplate={"Content": "<crowd-form/>"}
        )
    ui_names = [
        s["HumanTaskUiName"]
        for p in sagemaker.get_paginator("list_human_task_uis").paginate(
            PaginationConfig={"PageSize": 1}
        )
        for s in p["HumanTaskUiSummaries"]
    ]
    assert [n for n in ui_names if n.startswith(prefix)] == [f"{prefix}-ui{i}" for i in range(3)]

    team = gt_helpers.ensure_workteam(local_gt)
    member = {
        "CognitoMemberDefinition": {
            "UserPool": team["user_pool"],
            "UserGroup": team["user_group"],
            "ClientId": team["client_id"],
        }
    }
    for index in range(3):
        sagemaker.create_workteam(
            WorkteamName=f"{prefix}-t{index}", MemberDefinitions=[member], Description="p"
        )
    team_names = [
        t["WorkteamName"]
        for p in sagemaker.get_paginator("list_workteams").paginate(
            NameContains=prefix, SortBy="Name", PaginationConfig={"PageSize": 2}
        )
        for t in p["Workteams"]
    ]
    assert team_names == [f"{prefix}-t{i}" for i in range(3)]
    for index in range(3):
        sagemaker.delete_workteam(WorkteamName=f"{prefix}-t{index}")
    forces = [
        w["WorkforceName"]
        for p in sagemaker.get_paginator("list_workforces").paginate(
            PaginationConfig={"PageSize": 1}
        )
        for w in p["Workforces"]
    ]
    assert forces == ["default"]
