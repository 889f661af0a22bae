"""Ground Truth job names for LabelingJob resources.

Ground Truth never frees a job name, so deleting and re-creating a resource with the same
metadata.name must not collide: the default name carries a suffix derived from the UID.
"""

from __future__ import annotations

import re

MAX_LENGTH = 63
JOB_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
_NOT_ALLOWED = re.compile(r"[^a-zA-Z0-9]+")
SUFFIX_LENGTH = 8


def default_job_name(name: str, uid: str) -> str:
    """`metadata.name` made valid, plus `-` and 8 hex digits of the UID, at most 63 chars."""
    suffix = uid.replace("-", "").lower()[:SUFFIX_LENGTH] or "0" * SUFFIX_LENGTH
    base = _NOT_ALLOWED.sub("-", name).strip("-")
    base = base[: MAX_LENGTH - SUFFIX_LENGTH - 1].rstrip("-")
    return f"{base}-{suffix}" if base else f"lj-{suffix}"


def is_valid_job_name(name: str) -> bool:
    return len(name) <= MAX_LENGTH and JOB_NAME.fullmatch(name) is not None
