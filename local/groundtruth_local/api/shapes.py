"""Check values against botocore's SageMaker service model: the one source of every shape.

`input_errors` validates a request the way AWS does (required members, types, lengths,
patterns, enums, ranges) and words each problem like AWS (`Value 'x' at 'labelingJobName'
failed to satisfy constraint: ...`). `output_errors` is the strict mirror used by tests and
by our own answers: every member must exist in the model with the right type.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

MAX_REPORTED = 5


@functools.cache
def sagemaker_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("sagemaker")


@functools.cache
def _pattern(pattern: str) -> re.Pattern[str] | None:
    # The model's patterns are Java regexes; the few Python cannot compile are not checked.
    try:
        return re.compile(pattern, re.DOTALL)
    except re.error:
        return None


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "..."


def _wire_path(path: str, member: str) -> str:
    # AWS names fields in lowerCamelCase in its validation messages.
    name = member[:1].lower() + member[1:]
    return f"{path}.{name}" if path else name


def _check_string(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    if not isinstance(value, str):
        errors.append(
            f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
            "Member must be a string"
        )
        return
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        errors.append(
            f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must have length greater than or equal to {meta['min']}"
        )
    if "max" in meta and len(value) > meta["max"]:
        errors.append(
            f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {meta['max']}"
        )
    if shape.enum and value not in shape.enum:
        errors.append(
            f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(shape.enum)}]"
        )
    compiled = _pattern(meta["pattern"]) if "pattern" in meta else None
    if compiled is not None and not compiled.fullmatch(value):
        errors.append(
            f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {meta['pattern']}"
        )


def _check_number(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    integral = shape.type_name in ("integer", "long")
    wrong = isinstance(value, bool) or not isinstance(value, int | float)
    if wrong or (integral and isinstance(value, float) and not value.is_integer()):
        kind = "an integer" if integral else "a number"
        errors.append(
            f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must be {kind}"
        )
        return
    meta = shape.metadata
    if "min" in meta and value < meta["min"]:
        errors.append(
            f"Value '{value}' at '{path}' failed to satisfy constraint: "
            f"Member must have value greater than or equal to {meta['min']}"
        )
    if "max" in meta and value > meta["max"]:
        errors.append(
            f"Value '{value}' at '{path}' failed to satisfy constraint: "
            f"Member must have value less than or equal to {meta['max']}"
        )


def _check_timestamp(value: Any, path: str, errors: list[str]) -> None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return
    errors.append(
        f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
        "Member must be a timestamp"
    )


def _fail(value: Any, path: str, constraint: str) -> str:
    return f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: {constraint}"


def _check_structure(
    shape: StructureShape, value: Any, path: str, errors: list[str], *, strict: bool
) -> None:
    if not isinstance(value, dict):
        errors.append(_fail(value, path, "Member must be a structure"))
        return
    for member in shape.required_members:
        if value.get(member) is None:
            errors.append(
                f"Value null at '{_wire_path(path, member)}' failed to satisfy "
                "constraint: Member must not be null"
            )
    for member, item in value.items():
        member_shape = shape.members.get(member)
        if member_shape is None:
            if strict:
                errors.append(f"Unknown member '{_wire_path(path, member)}'")
            continue
        if item is not None:
            check(member_shape, item, _wire_path(path, member), errors, strict=strict)


def _check_list(
    shape: ListShape, value: Any, path: str, errors: list[str], *, strict: bool
) -> None:
    if not isinstance(value, list):
        errors.append(_fail(value, path, "Member must be a list"))
        return
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        errors.append(
            _fail(value, path, f"Member must have length greater than or equal to {meta['min']}")
        )
    if "max" in meta and len(value) > meta["max"]:
        errors.append(
            _fail(value, path, f"Member must have length less than or equal to {meta['max']}")
        )
    for index, item in enumerate(value, start=1):
        check(shape.member, item, f"{path}.{index}.member", errors, strict=strict)


def _check_map(shape: MapShape, value: Any, path: str, errors: list[str], *, strict: bool) -> None:
    if not isinstance(value, dict):
        errors.append(_fail(value, path, "Member must be a map"))
        return
    for key, item in value.items():
        check(shape.key, key, f"{path}.{key}.key", errors, strict=strict)
        check(shape.value, item, f"{path}.{key}.value", errors, strict=strict)


def _check_scalar(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    kind = shape.type_name
    if kind == "string":
        _check_string(shape, value, path, errors)
    elif kind in ("integer", "long", "float", "double"):
        _check_number(shape, value, path, errors)
    elif kind == "boolean" and not isinstance(value, bool):
        errors.append(_fail(value, path, "Member must be a boolean"))
    elif kind == "timestamp":
        _check_timestamp(value, path, errors)
    elif kind == "blob" and not isinstance(value, str):
        errors.append(_fail(value, path, "Member must be base64-encoded"))


def check(shape: Shape, value: Any, path: str, errors: list[str], *, strict: bool) -> None:
    """Append to `errors` every way `value` breaks `shape` (unknown members only if strict)."""
    if isinstance(shape, StructureShape):
        _check_structure(shape, value, path, errors, strict=strict)
    elif isinstance(shape, ListShape):
        _check_list(shape, value, path, errors, strict=strict)
    elif isinstance(shape, MapShape):
        _check_map(shape, value, path, errors, strict=strict)
    else:
        _check_scalar(shape, value, path, errors)


def input_errors(operation: str, params: dict[str, Any]) -> list[str]:
    shape = sagemaker_model().operation_model(operation).input_shape
    errors: list[str] = []
    if shape is not None:
        check(shape, params, "", errors, strict=False)
    return errors


def output_errors(operation: str, body: dict[str, Any]) -> list[str]:
    shape = sagemaker_model().operation_model(operation).output_shape
    errors: list[str] = []
    if shape is None:
        if body:
            errors.append(f"{operation} has no output but answered {sorted(body)}")
        return errors
    check(shape, body, "", errors, strict=True)
    return errors


def describe_errors(errors: list[str]) -> str:
    """AWS's summary line: `2 validation errors detected: <first>; <second>`."""
    count = len(errors)
    noun = "validation error" if count == 1 else "validation errors"
    return f"{count} {noun} detected: " + "; ".join(errors[:MAX_REPORTED])
