"""Create/Describe/Update/Delete/List Workteam: private teams of a region's workforce."""

from __future__ import annotations

import time
from typing import Any

from groundtruth_local.api.call import Call, Handler
from groundtruth_local.api.errors import ApiError, in_use, limit_exceeded, validation
from groundtruth_local.api.listing import list_by_name
from groundtruth_local.api.operations import workforces
from groundtruth_local.store import Resource

KIND = "workteam"
MAX_WORKTEAMS = 25
DEFAULT_WORKFORCE = "default"


def workteam_not_found(name: str) -> ApiError:
    # The exact text the Terraform AWS provider treats as "gone".
    return validation(f"The work team {name} does not exist.")


def _get(call: Call, name: str) -> Resource:
    resource = call.context.store.get_resource(KIND, call.region, name)
    if resource is None:
        raise workteam_not_found(name)
    return resource


def _view(call: Call, resource: Resource) -> dict[str, Any]:
    return {**resource.doc, "SubDomain": workforces.subdomain(call)}


def _check_members(members: list[dict[str, Any]], workforce: Resource) -> None:
    """All Cognito members share one pool and client (the workforce's); OIDC teams need an
    OIDC workforce; a team never mixes the two."""
    cognito = [m["CognitoMemberDefinition"] for m in members if m.get("CognitoMemberDefinition")]
    oidc = [m for m in members if m.get("OidcMemberDefinition")]
    if cognito and oidc:
        raise validation(
            "MemberDefinitions mixes CognitoMemberDefinition and OidcMemberDefinition; "
            "a work team uses one kind"
        )
    if len(cognito) + len(oidc) != len(members):
        raise validation(
            "Each MemberDefinitions entry needs a CognitoMemberDefinition or an "
            "OidcMemberDefinition"
        )
    if cognito:
        pairs = {(m["UserPool"], m["ClientId"]) for m in cognito}
        if len(pairs) > 1:
            raise validation(
                "All CognitoMemberDefinition entries of a work team must use the same "
                f"UserPool and ClientId; got {sorted(pairs)}"
            )
        pool, client = pairs.pop()
        config = workforce.doc.get("CognitoConfig")
        if config is None:
            raise validation(
                f"Workforce {workforce.name} uses OIDC: use OidcMemberDefinition members"
            )
        if (config["UserPool"], config["ClientId"]) != (pool, client):
            raise validation(
                f"CognitoMemberDefinition UserPool {pool} / ClientId {client} do not match "
                f"workforce {workforce.name} ({config['UserPool']} / {config['ClientId']})"
            )
    elif oidc and "OidcConfig" not in workforce.doc:
        raise validation(
            f"Workforce {workforce.name} uses Amazon Cognito: use CognitoMemberDefinition"
        )


def _workforce_for(call: Call, params: dict[str, Any]) -> Resource:
    """The team's workforce; like AWS, a first Cognito team creates the `default` one."""
    store = call.context.store
    name = params.get("WorkforceName") or DEFAULT_WORKFORCE
    found = store.get_resource(workforces.KIND, call.region, name)
    if found is not None:
        return found
    existing = store.list_resources(workforces.KIND, call.region)
    first = params["MemberDefinitions"][0].get("CognitoMemberDefinition")
    if params.get("WorkforceName") or existing or not first:
        raise workforces.workforce_not_found(name)
    implicit = workforces.new_workforce(
        call,
        DEFAULT_WORKFORCE,
        {"CognitoConfig": {"UserPool": first["UserPool"], "ClientId": first["ClientId"]}},
    )
    store.insert_resource(implicit)
    return implicit


def create_workteam(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name = params["WorkteamName"]
    store = call.context.store
    now = time.time()
    with store.connection():
        if store.get_resource(KIND, call.region, name) is not None:
            raise in_use(f"Workteam {name} already exists in {call.region}")
        if len(store.list_resources(KIND, call.region)) >= MAX_WORKTEAMS:
            raise limit_exceeded(
                f"A region holds at most {MAX_WORKTEAMS} work teams; delete one first"
            )
        workforce = _workforce_for(call, params)
        _check_members(params["MemberDefinitions"], workforce)
        arn = call.arn(f"workteam/private-crowd/{name}")
        doc: dict[str, Any] = {
            "WorkteamName": name,
            "MemberDefinitions": params["MemberDefinitions"],
            "WorkteamArn": arn,
            "WorkforceArn": workforce.arn,
            "Description": params["Description"],
            "CreateDate": now,
            "LastUpdatedDate": now,
            "NotificationConfiguration": params.get("NotificationConfiguration") or {},
        }
        if params.get("WorkerAccessConfiguration"):
            doc["WorkerAccessConfiguration"] = params["WorkerAccessConfiguration"]
        store.insert_resource(Resource(KIND, call.region, name, arn, doc, now))
        if params.get("Tags"):
            store.add_tags(arn, params["Tags"])
    return {"WorkteamArn": arn}


def describe_workteam(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    return {"Workteam": _view(call, _get(call, params["WorkteamName"]))}


def update_workteam(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    store = call.context.store
    with store.connection():
        resource = _get(call, params["WorkteamName"])
        doc = dict(resource.doc)
        if params.get("MemberDefinitions"):
            workforce = store.get_resource_by_arn(doc["WorkforceArn"])
            if workforce is None:
                raise workforces.workforce_not_found(doc["WorkforceArn"].rsplit("/", 1)[-1])
            _check_members(params["MemberDefinitions"], workforce)
            doc["MemberDefinitions"] = params["MemberDefinitions"]
        for key in ("Description", "NotificationConfiguration", "WorkerAccessConfiguration"):
            if key in params:
                doc[key] = params[key]
        doc["LastUpdatedDate"] = time.time()
        store.update_resource(KIND, call.region, resource.name, doc)
        updated = _get(call, resource.name)
    return {"Workteam": _view(call, updated)}


def delete_workteam(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    store = call.context.store
    with store.connection():
        resource = _get(call, params["WorkteamName"])
        busy = [
            job.name
            for job in store.list_jobs_in_status("Initializing", "InProgress", "Stopping")
            if job.workteam_arn == resource.arn
        ]
        if busy:
            raise validation(
                f"Workteam {resource.name} is working on labeling jobs ({', '.join(busy)}): "
                "stop them first"
            )
        store.delete_resource(KIND, call.region, resource.name)
    return {"Success": True}


def list_workteams(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    resources = call.context.store.list_resources(KIND, call.region)
    return list_by_name(resources, params, "Workteams", lambda resource: _view(call, resource))


OPERATIONS: dict[str, Handler] = {
    "CreateWorkteam": create_workteam,
    "DescribeWorkteam": describe_workteam,
    "UpdateWorkteam": update_workteam,
    "DeleteWorkteam": delete_workteam,
    "ListWorkteams": list_workteams,
}
