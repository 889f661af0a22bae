"""`groundtruth sample-data`: a small labeled image dataset, drawn locally, uploaded to S3.

Each image is a 48x48 PNG of one shape (the class) in a random colour on a random, noisy
background, drawn with numpy and encoded with zlib: no downloads, no imaging library. The
input manifest's lines carry the true class under `truth` (what `groundtruth workers
simulate` answers from); the label-category file and the standard worker template sit next
to it, so a `CreateLabelingJob` needs nothing else.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import boto3
import click
import numpy as np
import numpy.typing as npt
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

log = logging.getLogger(__name__)

SHAPES = ("circle", "square", "triangle", "cross")
SIZE = 48


def png(pixels: npt.NDArray[np.uint8]) -> bytes:
    """Encode an (H, W, 3) uint8 array as a PNG (filter type 0 on every row)."""
    height, width, _ = pixels.shape

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, -1)], axis=1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
        + chunk(b"IEND", b"")
    )


def _mask(shape: str, rng: np.random.Generator) -> npt.NDArray[np.bool_]:
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(float)
    cy, cx = rng.uniform(SIZE * 0.35, SIZE * 0.65, 2)
    r = rng.uniform(SIZE * 0.18, SIZE * 0.3)
    if shape == "circle":
        return bool_array((y - cy) ** 2 + (x - cx) ** 2 <= r**2)
    if shape == "square":
        return bool_array((abs(y - cy) <= r * 0.85) & (abs(x - cx) <= r * 0.85))
    if shape == "triangle":
        top = cy - r
        inside = (y >= top) & (y <= cy + r) & (abs(x - cx) <= (y - top) * 0.6)
        return bool_array(inside)
    if shape == "cross":
        bar = r * 0.3
        horizontal = (abs(y - cy) <= bar) & (abs(x - cx) <= r)
        vertical = (abs(x - cx) <= bar) & (abs(y - cy) <= r)
        return bool_array(horizontal | vertical)
    raise ValueError(f"unknown shape {shape!r}; known: {', '.join(SHAPES)}")


def bool_array(values: Any) -> npt.NDArray[np.bool_]:
    return np.asarray(values, dtype=bool)


def draw(shape: str, rng: np.random.Generator) -> bytes:
    """One PNG of `shape`: contrasting colours so a person can tell it at a glance."""
    background = rng.integers(0, 110, 3)
    foreground = rng.integers(150, 256, 3)
    image = np.broadcast_to(background, (SIZE, SIZE, 3)).astype(np.int16)
    image = image + rng.integers(-20, 21, (SIZE, SIZE, 3))
    image[_mask(shape, rng)] = foreground
    return png(np.clip(image, 0, 255).astype(np.uint8))


@dataclass(frozen=True)
class SampleData:
    manifest_uri: str
    labels_uri: str
    template_uri: str
    count: int
    labels: tuple[str, ...]


def standard_template() -> str:
    folder = resources.files("groundtruth_local") / "templates"
    return (folder / "image_classification.liquid").read_text()


def make_sample_data(  # noqa: PLR0917 - mirrors the command's options one to one
    s3: Any,
    bucket: str,
    prefix: str,
    count: int,
    labels: tuple[str, ...],
    seed: int,
    progress: Callable[[int], None] = lambda _: None,
) -> SampleData:
    """Draw and upload `count` images, then the manifest, label file and template."""
    rng = np.random.default_rng(seed)
    prefix = prefix.strip("/")
    base = f"{prefix}/" if prefix else ""
    lines = []
    for index in range(count):
        shape = labels[index % len(labels)]
        key = f"{base}images/{index:05d}.png"
        s3.put_object(Bucket=bucket, Key=key, Body=draw(shape, rng), ContentType="image/png")
        lines.append(json.dumps({"source-ref": f"s3://{bucket}/{key}", "truth": shape}))
        progress(index + 1)
    order = rng.permutation(len(lines))  # classes interleaved unpredictably
    manifest = "\n".join(lines[i] for i in order) + "\n"
    s3.put_object(Bucket=bucket, Key=f"{base}input.manifest", Body=manifest.encode())
    categories = {"document-version": "2018-11-28", "labels": [{"label": x} for x in labels]}
    s3.put_object(Bucket=bucket, Key=f"{base}labels.json", Body=json.dumps(categories).encode())
    s3.put_object(Bucket=bucket, Key=f"{base}template.liquid", Body=standard_template().encode())
    return SampleData(
        manifest_uri=f"s3://{bucket}/{base}input.manifest",
        labels_uri=f"s3://{bucket}/{base}labels.json",
        template_uri=f"s3://{bucket}/{base}template.liquid",
        count=count,
        labels=labels,
    )


@click.command("sample-data", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--endpoint",
    default=lambda: os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"),
    show_default="$AWS_ENDPOINT_URL or http://127.0.0.1:4566",
    help="S3 endpoint to upload to (the local Ground Truth).",
)
@click.option(
    "--region",
    default=lambda: os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    show_default="$AWS_DEFAULT_REGION or us-east-1",
    help="Region of the bucket.",
)
@click.option("--bucket", required=True, help="Bucket to upload to (created if missing).")
@click.option("--prefix", default="sample", show_default=True, help="Key prefix in the bucket.")
@click.option(
    "--count",
    type=click.IntRange(2, 100_000),
    default=300,
    show_default=True,
    help="Number of images.",
)
@click.option(
    "--labels",
    default=",".join(SHAPES),
    show_default=True,
    help=f"Comma-separated classes to draw, from: {', '.join(SHAPES)}.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
def sample_data(  # noqa: PLR0917 - click passes options as arguments
    endpoint: str, region: str, bucket: str, prefix: str, count: int, labels: str, seed: int
) -> None:
    """Draw small labeled images and upload them with a manifest, labels and template."""
    chosen = tuple(label.strip() for label in labels.split(",") if label.strip())
    unknown = [label for label in chosen if label not in SHAPES]
    if unknown or len(set(chosen)) < 2:
        raise click.BadParameter(
            f"need at least 2 distinct shapes from {', '.join(SHAPES)}; got {labels!r}",
            param_hint="--labels",
        )
    s3 = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        config=Config(s3={"addressing_style": "path"}),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
    )
    try:
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError:
            s3.create_bucket(Bucket=bucket)
        with click.progressbar(length=count, label="Uploading images") as bar:
            last = [0]

            def advance(done: int) -> None:
                bar.update(done - last[0])
                last[0] = done

            data = make_sample_data(s3, bucket, prefix, count, chosen, seed, advance)
    except (ClientError, BotoCoreError) as error:
        raise click.ClickException(f"Upload to {endpoint} failed: {error}") from error
    click.echo(f"images:          {data.count} ({', '.join(data.labels)})")
    click.echo(f"input manifest:  {data.manifest_uri}  (true class under 'truth')")
    click.echo(f"label categories: {data.labels_uri}")
    click.echo(f"worker template: {data.template_uri}")
