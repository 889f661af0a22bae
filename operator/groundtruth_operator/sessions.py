"""One boto3/botocore session for the whole operator.

Each botocore session loads and keeps its own copy of the SageMaker service model (about
25 MiB in memory); sharing one between every region's clients and the request validator
keeps the operator's footprint flat as regions are added. (A boto3 Session must wrap a
botocore session only once: boto3 registers its handlers on it.)
"""

from __future__ import annotations

import functools
import threading

import boto3
import botocore.session

# botocore sessions are not safe for concurrent client creation.
LOCK = threading.RLock()


@functools.cache
def shared() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def shared_boto3() -> boto3.session.Session:
    return boto3.session.Session(botocore_session=shared())
