"""Render a job's worker task template the way Ground Truth does: Liquid, autoescaped.

Filters: `grant_read_access` (S3 URI -> short-lived presigned URL of the local S3, and only
for the task's own object), `to_json`, `skip_autoescape`, plus Liquid's own `escape` and
`escape_once`. AWS's `crowd-html-elements.js` script tag is pointed at the local copy, so a
template written for AWS runs here and nothing is fetched from the internet.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from liquid import Environment, FileSystemLoader, Markup
from liquid.exceptions import LiquidError

log = logging.getLogger(__name__)

LOCAL_CROWD_SCRIPT = "/portal/static/crowd-html-elements.js"
_AWS_CROWD_SCRIPT = re.compile(
    r"""(<script\b[^>]*\bsrc\s*=\s*["'])https://assets\.crowd\.aws/crowd-html-elements\.js""",
    re.IGNORECASE,
)


class TemplateError(Exception):
    """The job's template cannot be rendered; the message says where."""


def localise_crowd_script(template: str) -> str:
    return _AWS_CROWD_SCRIPT.sub(rf"\g<1>{LOCAL_CROWD_SCRIPT}", template)


def render_task_template(
    template: str, task_object: str, labels: list[str], presign: Callable[[str], str]
) -> str:
    """The template rendered for one task; `presign` turns the task's S3 URI into a URL."""

    def grant_read_access(value: Any) -> str:
        if value != task_object:
            # Scoped on purpose: a worker gets read access to the task's object, nothing else.
            log.warning("grant_read_access refused for a URI other than the task object")
            return ""
        return presign(task_object)

    env = Environment(autoescape=True)
    env.filters["grant_read_access"] = grant_read_access
    env.filters["to_json"] = json.dumps
    env.filters["skip_autoescape"] = lambda value: Markup(str(value))
    try:
        return env.from_string(localise_crowd_script(template)).render(
            task={"input": {"taskObject": task_object, "labels": labels}}
        )
    except LiquidError as error:
        raise TemplateError(
            f"The job's worker task template cannot be rendered: {error}"
        ) from error


@cache
def _portal_environment() -> Environment:
    folder = resources.files("groundtruth_local") / "templates"
    return Environment(autoescape=True, loader=FileSystemLoader(str(folder)))


def render_page(name: str, **values: Any) -> str:
    """One of the portal's own pages (`templates/portal_<name>.html`) inside the layout."""
    env = _portal_environment()
    layout_values = {key: values.pop(key) for key in ("error", "notice") if key in values}
    body = env.get_template(f"portal_{name}.html").render(**values)
    return env.get_template("portal_base.html").render(
        body=Markup(body),
        title=values.get("title", "Labeling portal"),
        worker=values.get("worker_name"),
        csrf=values.get("csrf") if values.get("signed_in") else None,
        countdown=values.get("countdown", False),
        **layout_values,
    )
