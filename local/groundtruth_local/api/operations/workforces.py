"""Create/Describe/Update/Delete/List Workforce: one private workforce per region."""

from __future__ import annotations

import time
from typing import Any

from groundtruth_local.api.call import Call, Handler
from groundtruth_local.api.errors import ApiError, limit_exceeded, validation
from groundtruth_local.api.listing import list_by_name
from groundtruth_local.store import Resource

KIND = "workforce"


def workforce_not_found(name: str) -> ApiError:
    # The exact text the Terraform AWS provider treats as "gone".
    return validation(f"No workforce found with name {name}")


def subdomain(call: Call) -> str:
    """Where workers sign in: the local portal (AWS gives a *.labeling.<region> host)."""
    return call.context.portal_url.split("://", 1)[1]


def _vpc_response(vpc: dict[str, Any] | None) -> dict[str, Any] | None:
    if not vpc or not all(vpc.get(key) for key in ("VpcId", "SecurityGroupIds", "Subnets")):
        return None
    return {key: vpc[key] for key in ("VpcId", "SecurityGroupIds", "Subnets")}


def view(call: Call, resource: Resource) -> dict[str, Any]:
    """The Workforce structure of Describe/Update/List, with the live SubDomain."""
    return {**resource.doc, "SubDomain": subdomain(call)}


def get(call: Call, name: str) -> Resource:
    resource = call.context.store.get_resource(KIND, call.region, name)
    if resource is None:
        raise workforce_not_found(name)
    return resource


def new_workforce(call: Call, name: str, params: dict[str, Any]) -> Resource:
    """Build (not store) a workforce; CreateWorkteam uses it for the implicit `default`."""
    now = time.time()
    arn = call.arn(f"workforce/{name}")
    doc: dict[str, Any] = {
        "WorkforceName": name,
        "WorkforceArn": arn,
        "LastUpdatedDate": now,
        "SourceIpConfig": params.get("SourceIpConfig") or {"Cidrs": []},
        "CreateDate": now,
        "Status": "Active",
        "IpAddressType": params.get("IpAddressType") or "ipv4",
    }
    if params.get("CognitoConfig"):
        doc["CognitoConfig"] = params["CognitoConfig"]
    if params.get("OidcConfig"):
        # The secret is write-only: Describe never shows it.
        doc["OidcConfig"] = {k: v for k, v in params["OidcConfig"].items() if k != "ClientSecret"}
    vpc = _vpc_response(params.get("WorkforceVpcConfig"))
    if vpc:
        doc["WorkforceVpcConfig"] = vpc
    return Resource(KIND, call.region, name, arn, doc, now)


def create_workforce(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    name = params["WorkforceName"]
    if bool(params.get("CognitoConfig")) == bool(params.get("OidcConfig")):
        raise validation("A workforce needs exactly one of CognitoConfig or OidcConfig")
    store = call.context.store
    resource = new_workforce(call, name, params)
    with store.connection():
        existing = store.list_resources(KIND, call.region)
        if existing:
            raise limit_exceeded(
                f"Only one workforce is allowed per account and region: workforce "
                f"{existing[0].name} already exists in {call.region}"
            )
        store.insert_resource(resource)
        if params.get("Tags"):
            store.add_tags(resource.arn, params["Tags"])
    return {"WorkforceArn": resource.arn}


def describe_workforce(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    return {"Workforce": view(call, get(call, params["WorkforceName"]))}


def update_workforce(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    store = call.context.store
    with store.connection():
        resource = get(call, params["WorkforceName"])
        doc = dict(resource.doc)
        if params.get("OidcConfig"):
            if "OidcConfig" not in doc:
                raise validation(
                    f"Workforce {resource.name} uses Amazon Cognito: OidcConfig cannot be set"
                )
            doc["OidcConfig"] = {
                k: v for k, v in params["OidcConfig"].items() if k != "ClientSecret"
            }
        if "SourceIpConfig" in params:
            doc["SourceIpConfig"] = params["SourceIpConfig"]
        if "WorkforceVpcConfig" in params:
            vpc = _vpc_response(params["WorkforceVpcConfig"])
            if vpc:
                doc["WorkforceVpcConfig"] = vpc
            else:
                doc.pop("WorkforceVpcConfig", None)
        if params.get("IpAddressType"):
            doc["IpAddressType"] = params["IpAddressType"]
        doc["LastUpdatedDate"] = time.time()
        store.update_resource(KIND, call.region, resource.name, doc)
        updated = get(call, resource.name)
    return {"Workforce": view(call, updated)}


def delete_workforce(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    store = call.context.store
    with store.connection():
        resource = get(call, params["WorkforceName"])
        teams = [
            team.name
            for team in store.list_resources("workteam", call.region)
            if team.doc.get("WorkforceArn") == resource.arn
        ]
        if teams:
            raise validation(
                f"Workforce {resource.name} still has work teams ({', '.join(teams)}): "
                "delete them first"
            )
        store.delete_resource(KIND, call.region, resource.name)
    return {}


def list_workforces(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    resources = call.context.store.list_resources(KIND, call.region)
    return list_by_name(resources, params, "Workforces", lambda resource: view(call, resource))


OPERATIONS: dict[str, Handler] = {
    "CreateWorkforce": create_workforce,
    "DescribeWorkforce": describe_workforce,
    "UpdateWorkforce": update_workforce,
    "DeleteWorkforce": delete_workforce,
    "ListWorkforces": list_workforces,
}
