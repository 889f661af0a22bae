"""Enforce SigV4 presigned S3 URLs, which moto's S3 accepts without checking.

The portal hands workers presigned URLs scoped to one object for a short time; that only
means something if the server refuses a URL that expired or was altered (another key, a
longer expiry). This recomputes the query signature the way S3 does, for the local fixed
credentials, and checks the expiry for any credentials. Requests without a query signature
pass through untouched.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote

from werkzeug.wrappers import Request, Response

from groundtruth_local.context import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY

MAX_EXPIRES = 7 * 24 * 3600  # S3's own limit for SigV4 presigned URLs


def _denied(message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>AccessDenied</Code><Message>{message}</Message></Error>"
    )
    return Response(body, status=403, mimetype="application/xml")


def _sign(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def expected_signature(request: Request, params: list[tuple[str, str]], secret: str) -> str | None:
    """The SigV4 query signature S3 would expect, or None when the URL is malformed."""
    values = dict(params)
    try:
        _, date, region, service, _ = values["X-Amz-Credential"].split("/")
        amz_date = values["X-Amz-Date"]
        signed_headers = values["X-Amz-SignedHeaders"].split(";")
    except (KeyError, ValueError):
        return None
    raw_uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
    path = raw_uri.split("?", 1)[0]
    query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
        for k, v in sorted(params)
        if k != "X-Amz-Signature"
    )
    headers = "".join(
        f"{name}:{' '.join((request.headers.get(name) or '').split())}\n" for name in signed_headers
    )
    canonical = "\n".join(
        [request.method, path, query, headers, ";".join(signed_headers), "UNSIGNED-PAYLOAD"]
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _sign(f"AWS4{secret}".encode(), date)
    for part in (region, service, "aws4_request"):
        key = _sign(key, part)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def refuse_bad_presigned(request: Request, now: float) -> Response | None:  # noqa: PLR0911
    """A 403 for an expired or altered SigV4 presigned URL; None to let the request pass."""
    if "X-Amz-Signature" not in request.args:
        return None
    params = parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True)
    values = dict(params)
    try:
        issued = datetime.strptime(values["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        expires = int(values["X-Amz-Expires"])
    except (KeyError, ValueError):
        return _denied("Query-string authentication requires X-Amz-Date and X-Amz-Expires.")
    if not 1 <= expires <= MAX_EXPIRES:
        return _denied("X-Amz-Expires must be between 1 and 604800 seconds.")
    if now > issued.timestamp() + expires:
        return _denied("Request has expired")
    if values.get("X-Amz-Credential", "").split("/", 1)[0] != TEST_ACCESS_KEY_ID:
        return None  # a secret we do not know: moto's own (lenient) checks apply
    expected = expected_signature(request, params, TEST_SECRET_ACCESS_KEY)
    if expected is None or not hmac.compare_digest(expected, values["X-Amz-Signature"]):
        return _denied(
            "The request signature we calculated does not match the signature you provided."
        )
    return None
