"""Routing on the one endpoint: our own paths are whole segments, so S3 buckets keep theirs."""

from __future__ import annotations

import urllib.request


def test_buckets_named_like_our_routes_are_served_by_s3(local_gt, unique_name) -> None:
    s3 = local_gt.client("s3")
    for bucket in (f"portal-{unique_name()}", f"gt-{unique_name()}"):
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="a.txt", Body=b"hello")
        assert s3.get_object(Bucket=bucket, Key="a.txt")["Body"].read() == b"hello"


def test_portal_and_health_still_answer(local_gt) -> None:
    with urllib.request.urlopen(f"{local_gt.endpoint}/_gt/health", timeout=5) as answer:
        assert answer.status == 200
    with urllib.request.urlopen(f"{local_gt.endpoint}/portal", timeout=5) as answer:
        assert answer.status == 200
