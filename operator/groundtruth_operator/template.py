"""Render the standard crowd-image-classifier worker template from plain instructions.

This is the template of the AWS image-classification page with only the parts AWS says to
change (short instructions, full instructions, header) filled in. The instructions are the
user's HTML; they are wrapped in Liquid `raw` so braces in them are shown, not evaluated.
"""

from __future__ import annotations

import html

_TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-image-classifier
    name="crowd-image-classifier"
    src="{{{{ task.input.taskObject | grant_read_access }}}}"
    header="{header}"
    categories="{{{{ task.input.labels | to_json | escape }}}}"
  >
    <full-instructions header="Image classification instructions">
      {{% raw %}}{full}{{% endraw %}}
    </full-instructions>
    <short-instructions>
      {{% raw %}}{short}{{% endraw %}}
    </short-instructions>
  </crowd-image-classifier>
</crowd-form>
"""

DEFAULT_HEADER = "please classify"


def _raw_safe(text: str) -> str:
    # An `endraw` inside the user's text would end the raw block early.
    return text.replace("{% endraw %}", "{% endraw %}{{ '{% endraw %}' }}{% raw %}")


def render_template(short: str, full: str, header: str | None = None) -> str:
    return _TEMPLATE.format(
        header=html.escape(header or DEFAULT_HEADER, quote=True),
        short=_raw_safe(short),
        full=_raw_safe(full),
    )


def label_categories(labels: list[str]) -> dict[str, object]:
    """The label-category file Ground Truth reads (document-version is required)."""
    return {"document-version": "2018-11-28", "labels": [{"label": label} for label in labels]}
