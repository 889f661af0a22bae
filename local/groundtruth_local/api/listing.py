"""What every List operation shares: NextToken pagination, sort order, time filters."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from groundtruth_local.api.errors import validation

T = TypeVar("T")
DEFAULT_MAX_RESULTS = 10


def to_epoch(value: Any) -> float:
    """A request timestamp (epoch seconds, or ISO 8601 from hand-written JSON) as a float."""
    if isinstance(value, int | float):
        return float(value)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def in_range(moment: float, after: Any, before: Any) -> bool:
    if after is not None and not moment > to_epoch(after):
        return False
    return before is None or moment < to_epoch(before)


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode(token: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise validation(f"Invalid pagination token {token!r}: pass NextToken unchanged.") from None
    if not isinstance(offset, int) or offset < 0:
        raise validation(f"Invalid pagination token {token!r}: pass NextToken unchanged.")
    return offset


def sort_items(
    items: list[T], keys: dict[str, Callable[[T], Any]], sort_by: str | None, sort_order: str | None
) -> list[T]:
    key = keys[sort_by] if sort_by in keys else next(iter(keys.values()))
    return sorted(items, key=key, reverse=(sort_order or "Ascending") == "Descending")


def page(
    items: Sequence[T], params: dict[str, Any], default: int = DEFAULT_MAX_RESULTS
) -> tuple[Sequence[T], str | None]:
    """The page of `items` that `NextToken`/`MaxResults` ask for, and the next token."""
    token = params.get("NextToken")
    start = _decode(token) if token else 0
    size = params.get("MaxResults") or default
    chunk = items[start : start + size]
    following = start + size
    return chunk, (_encode(following) if following < len(items) else None)


def paged_result(
    result_key: str, ordered: Sequence[T], params: dict[str, Any], render: Callable[[T], Any]
) -> dict[str, Any]:
    """`{result_key: [...], "NextToken": ...}` for the page of `ordered` that `params` ask for."""
    chunk, token = page(ordered, params)
    result: dict[str, Any] = {result_key: [render(item) for item in chunk]}
    if token:
        result["NextToken"] = token
    return result


class Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def creation_time(self) -> float: ...


N = TypeVar("N", bound=Named)


def list_by_name(
    items: list[N], params: dict[str, Any], result_key: str, render: Callable[[N], Any]
) -> dict[str, Any]:
    """ListWorkforces/ListWorkteams: NameContains, SortBy Name|CreateDate, SortOrder, paging."""
    contains = (params.get("NameContains") or "").lower()
    matching = [item for item in items if contains in item.name.lower()]
    ordered = sort_items(
        matching,
        {"CreateDate": lambda item: item.creation_time, "Name": lambda item: item.name},
        params.get("SortBy"),
        params.get("SortOrder"),
    )
    return paged_result(result_key, ordered, params, render)
