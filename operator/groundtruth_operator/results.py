"""Summarise a finished job's output manifest: objects per class and mean confidence."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

logger = logging.getLogger(__name__)


def summarise(lines: Iterable[bytes | str], label_attribute: str) -> dict[str, Any]:
    """Per-class counts and mean confidence from output manifest lines.

    Lines without the label attribute (objects whose tasks all expired) count as unlabeled.
    """
    metadata_key = f"{label_attribute}-metadata"
    per_class: dict[str, list[float]] = {}
    unlabeled = 0
    malformed = 0
    for raw in lines:
        text = raw.decode() if isinstance(raw, bytes) else raw
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError:
            malformed += 1
            continue
        metadata = record.get(metadata_key) if isinstance(record, dict) else None
        if not isinstance(metadata, dict) or "class-name" not in metadata:
            unlabeled += 1
            continue
        confidence = metadata.get("confidence")
        values = per_class.setdefault(str(metadata["class-name"]), [])
        values.append(float(confidence) if isinstance(confidence, int | float) else 0.0)
    if malformed:
        logger.warning("output manifest has malformed lines", extra={"malformed": malformed})
    classes = [
        {
            "label": label,
            "count": len(values),
            "meanConfidence": round(sum(values) / len(values), 4),
        }
        for label, values in sorted(per_class.items())
    ]
    labeled = sum(item["count"] for item in classes)
    all_values = [value for values in per_class.values() for value in values]
    return {
        "labeledObjects": labeled,
        "unlabeledObjects": unlabeled,
        "meanConfidence": round(sum(all_values) / len(all_values), 4) if all_values else 0.0,
        "classes": classes,
    }
