"""AddTags, ListTags, DeleteTags on every ARN of ours (jobs, workforces, teams, task UIs)."""

from __future__ import annotations

from typing import Any

from groundtruth_local.api.call import Call, Handler
from groundtruth_local.api.errors import validation
from groundtruth_local.api.listing import page

MAX_TAGS = 50
LIST_TAGS_DEFAULT = 50


def _check_exists(call: Call, arn: str) -> None:
    store = call.context.store
    if store.get_resource_by_arn(arn) is None and store.get_job_by_arn(arn) is None:
        raise validation(f"Resource {arn} does not exist or is not taggable here")


def add_tags(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["ResourceArn"]
    store = call.context.store
    with store.connection():
        _check_exists(call, arn)
        keys = {tag["Key"] for tag in store.list_tags(arn)} | {t["Key"] for t in params["Tags"]}
        if len(keys) > MAX_TAGS:
            raise validation(
                f"A resource holds at most {MAX_TAGS} tags; {arn} would hold {len(keys)}"
            )
        store.add_tags(arn, params["Tags"])
    return {"Tags": params["Tags"]}


def list_tags(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["ResourceArn"]
    _check_exists(call, arn)
    chunk, token = page(call.context.store.list_tags(arn), params, LIST_TAGS_DEFAULT)
    result: dict[str, Any] = {"Tags": list(chunk)}
    if token:
        result["NextToken"] = token
    return result


def delete_tags(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["ResourceArn"]
    with call.context.store.connection():
        _check_exists(call, arn)
        call.context.store.delete_tags(arn, params["TagKeys"])
    return {}


OPERATIONS: dict[str, Handler] = {
    "AddTags": add_tags,
    "ListTags": list_tags,
    "DeleteTags": delete_tags,
}
