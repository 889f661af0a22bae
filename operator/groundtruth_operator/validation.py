"""Check a CreateLabelingJob request against botocore's SageMaker service model.

botocore's own validator checks required members, types and minimums; AWS also enforces the
model's maximums, patterns and enums, which botocore leaves to the server. Both come from
the model here, never from a retyped copy, so a request that passes will not be refused
for its shape. Errors name the field the way the user wrote it (`spec.humanTaskConfig...`).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from botocore.exceptions import ParamValidationError
from botocore.model import ListShape, OperationModel, Shape, StringShape, StructureShape
from botocore.validate import validate_parameters

from groundtruth_operator import sessions
from groundtruth_operator.errors import InvalidSpecError


@functools.cache
def operation_model(name: str) -> OperationModel:
    with sessions.LOCK:
        model = sessions.shared().get_service_model("sagemaker")
    return model.operation_model(name)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        # Java-only classes such as \p{L} (tag keys): left to botocore and the server.
        return None


def spec_path(request_path: list[str]) -> str:
    """`["HumanTaskConfig", "TaskTitle"]` -> `spec.humanTaskConfig.taskTitle`."""
    out = "spec"
    for part in request_path:
        if part.startswith("["):
            out += part
        else:
            out += "." + part[:1].lower() + part[1:]
    return out


def _structure(value: Any, shape: StructureShape, path: list[str]) -> str | None:
    if not isinstance(value, dict):
        return f"{spec_path(path)}: must be an object"
    for required in shape.required_members:
        if required not in value:
            return f"{spec_path([*path, required])}: is required"
    for key, member in value.items():
        if key not in shape.members:
            return f"{spec_path([*path, key])}: is not a field of {shape.name}"
        found = _problems(member, shape.members[key], [*path, key])
        if found:
            return found
    return None


def _list(value: Any, shape: ListShape, path: list[str]) -> str | None:
    here, meta = spec_path(path), shape.metadata
    if not isinstance(value, list):
        return f"{here}: must be a list"
    if "min" in meta and len(value) < meta["min"]:
        return f"{here}: needs at least {meta['min']} item(s)"
    if "max" in meta and len(value) > meta["max"]:
        return f"{here}: allows at most {meta['max']} items"
    for index, item in enumerate(value):
        found = _problems(item, shape.member, [*path, f"[{index}]"])
        if found:
            return found
    return None


def _string(value: Any, shape: StringShape, path: list[str]) -> str | None:
    here, meta = spec_path(path), shape.metadata
    pattern = _compiled(meta["pattern"]) if "pattern" in meta else None
    problem = None
    if not isinstance(value, str):
        problem = "must be a string"
    elif "min" in meta and len(value) < meta["min"]:
        problem = f"must be at least {meta['min']} characters long"
    elif "max" in meta and len(value) > meta["max"]:
        problem = f"must be at most {meta['max']} characters long"
    elif shape.enum and value not in shape.enum:
        problem = f"must be one of {', '.join(shape.enum)}, not {value!r}"
    elif pattern is not None and not pattern.fullmatch(value):
        problem = f"{value!r} does not match the pattern {meta['pattern']}"
    return f"{here}: {problem}" if problem else None


def _integer(value: Any, shape: Shape, path: list[str]) -> str | None:
    here, meta = spec_path(path), shape.metadata
    if not isinstance(value, int) or isinstance(value, bool):
        return f"{here}: must be an integer"
    if "min" in meta and value < meta["min"]:
        return f"{here}: must be at least {meta['min']}, not {value}"
    if "max" in meta and value > meta["max"]:
        return f"{here}: must be at most {meta['max']}, not {value}"
    return None


def _problems(value: Any, shape: Shape, path: list[str]) -> str | None:
    if isinstance(shape, StructureShape):
        return _structure(value, shape, path)
    if isinstance(shape, ListShape):
        return _list(value, shape, path)
    if isinstance(shape, StringShape):
        return _string(value, shape, path)
    if shape.type_name in ("integer", "long"):
        return _integer(value, shape, path)
    return None


def validate_request(operation: str, request: dict[str, Any]) -> None:
    """Raise InvalidSpecError naming the first field AWS would refuse."""
    model = operation_model(operation)
    found = _problems(request, model.input_shape, [])
    if found:
        field = found.split(":", 1)[0]
        raise InvalidSpecError(found, field=field)
    try:
        validate_parameters(request, model.input_shape)
    except ParamValidationError as error:
        raise InvalidSpecError(f"spec: {error.kwargs.get('report', error)}") from None
