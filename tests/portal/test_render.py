"""Liquid rendering of worker templates: autoescape, the Ground Truth filters, scoping."""

import html
import json
import re

import pytest
from groundtruth_local.portal.render import (
    LOCAL_CROWD_SCRIPT,
    TemplateError,
    render_task_template,
)

OBJECT = "s3://bucket/images/1.png"


def presign(uri: str) -> str:
    return f"http://127.0.0.1:1/{uri[5:]}?X-Amz-Signature=abc&amp=1"


def render(template: str, labels: list[str] | None = None) -> str:
    return render_task_template(template, OBJECT, labels or ["cat", "dog"], presign)


def test_labels_cannot_inject_markup() -> None:
    labels = ['"><script>alert(1)</script>', "dog"]
    out = render('<x categories="{{ task.input.labels | to_json | escape }}">', labels)
    assert "<script>" not in out
    value = re.search(r'categories="([^"]*)"', out).group(1)
    assert json.loads(html.unescape(value)) == labels
    # Autoescape on: data is escaped even without `escape` (escape_once: never twice).
    data = ["<b>", "&lt;b&gt; <i>"]
    assert render("{{ task.input.labels[0] }}", data) == "&lt;b&gt;"
    assert render("{{ task.input.labels[1] | escape_once }}", data) == "&lt;b&gt; &lt;i&gt;"
    assert render("{{ task.input.labels[0] | skip_autoescape }}", data) == "<b>"


def test_grant_read_access_only_for_the_task_object() -> None:
    out = render('<img src="{{ task.input.taskObject | grant_read_access }}">')
    assert out == f'<img src="{html.escape(presign(OBJECT))}">'
    assert render("{{ 's3://bucket/secret.csv' | grant_read_access }}") == ""


def test_aws_script_is_served_locally() -> None:
    out = render('<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>')
    assert out == f'<script src="{LOCAL_CROWD_SCRIPT}"></script>'


def test_broken_template_is_a_clear_error() -> None:
    with pytest.raises(TemplateError, match="cannot be rendered"):
        render("{% if %}")
