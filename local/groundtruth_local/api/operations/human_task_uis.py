"""Create/Describe/Delete/List HumanTaskUi: worker task templates kept by name."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from groundtruth_local.api.call import Call, Handler
from groundtruth_local.api.errors import ApiError, in_use
from groundtruth_local.api.listing import in_range, paged_result, sort_items
from groundtruth_local.store import Resource

KIND = "human-task-ui"


def _not_found(name: str) -> ApiError:
    # ResourceNotFound is what the Terraform AWS provider treats as "gone" here.
    return ApiError("ResourceNotFound", f"Human task UI {name} does not exist.")


def _get(call: Call, name: str) -> Resource:
    resource = call.context.store.get_resource(KIND, call.region, name)
    if resource is None:
        raise _not_found(name)
    return resource


def create_human_task_ui(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name = params["HumanTaskUiName"]
    store = call.context.store
    now = time.time()
    arn = call.arn(f"human-task-ui/{name}")
    doc = {
        "HumanTaskUiArn": arn,
        "HumanTaskUiName": name,
        "CreationTime": now,
        "UiTemplate": {"Content": params["UiTemplate"]["Content"]},
    }
    with store.connection():
        if not store.insert_resource(Resource(KIND, call.region, name, arn, doc, now)):
            raise in_use(f"Human task UI {name} already exists in {call.region}")
        if params.get("Tags"):
            store.add_tags(arn, params["Tags"])
    return {"HumanTaskUiArn": arn}


def describe_human_task_ui(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    resource = _get(call, params["HumanTaskUiName"])
    content = resource.doc["UiTemplate"]["Content"]
    return {
        "HumanTaskUiArn": resource.arn,
        "HumanTaskUiName": resource.name,
        "HumanTaskUiStatus": "Active",
        "CreationTime": resource.creation_time,
        "UiTemplate": {
            "Url": f"{call.context.endpoint_url}/_gt/human-task-uis/{call.region}/{resource.name}",
            "ContentSha256": hashlib.sha256(content.encode()).hexdigest(),
        },
    }


def delete_human_task_ui(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    if not call.context.store.delete_resource(KIND, call.region, params["HumanTaskUiName"]):
        raise _not_found(params["HumanTaskUiName"])
    return {}


def list_human_task_uis(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    items = [
        resource
        for resource in call.context.store.list_resources(KIND, call.region)
        if in_range(
            resource.creation_time,
            params.get("CreationTimeAfter"),
            params.get("CreationTimeBefore"),
        )
    ]
    ordered = sort_items(
        items, {"CreationTime": lambda r: r.creation_time}, None, params.get("SortOrder")
    )
    return paged_result(
        "HumanTaskUiSummaries",
        ordered,
        params,
        lambda resource: {
            "HumanTaskUiName": resource.name,
            "HumanTaskUiArn": resource.arn,
            "CreationTime": resource.creation_time,
        },
    )


OPERATIONS: dict[str, Handler] = {
    "CreateHumanTaskUi": create_human_task_ui,
    "DescribeHumanTaskUi": describe_human_task_ui,
    "DeleteHumanTaskUi": delete_human_task_ui,
    "ListHumanTaskUis": list_human_task_uis,
}
