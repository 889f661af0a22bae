"""Load the bad-input corpus: YAML data files, each carrying its own expected outcome.

`labelingjobs/*.yaml`: two documents, `{expect: ...}` then the LabelingJob manifest exactly
as a user would `kubectl apply` it. `${BUCKET}` and `${WORKTEAM_ARN}` are filled in by the
runner (a real bucket of the test's world, or placeholders for the API server).

`sagemaker/*.yaml`: one document, `{operation, from?, set?, drop?, params?, objects?, expect}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
LABELING_JOBS = HERE / "labelingjobs"
SAGEMAKER = HERE / "sagemaker"


@dataclass(frozen=True)
class Case:
    path: Path
    why: str
    text: str

    @property
    def id(self) -> str:
        return self.path.stem

    def documents(self, **placeholders: str) -> list[Any]:
        text = self.text
        for key, value in placeholders.items():
            text = text.replace("${" + key + "}", value)
        return list(yaml.safe_load_all(text))


def load(directory: Path) -> list[Case]:
    cases = []
    for path in sorted(directory.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        cases.append(Case(path, first.removeprefix("#").strip(), text))
    return cases


def object_body(value: str | dict[str, Any]) -> bytes:
    """An S3 object's body from the corpus: text, or `{repeat, times}` for huge values."""
    if isinstance(value, dict):
        return (str(value["repeat"]) * int(value["times"])).encode()
    return value.encode()
