"""A real local Kubernetes control plane: etcd plus kube-apiserver on 127.0.0.1.

No controller-manager, scheduler or kubelet: objects are stored and served (CRDs, RBAC,
TokenRequest, admission, CEL validation) but nothing reconciles them, so namespaces never
finish deleting and Deployments never get Pods. The operator runs as a local process.

    with ControlPlane() as cp:
        cp.kubectl("get", "namespaces")
"""

from groundtruth_local.controlplane.binaries import (
    Binaries,
    BinariesMissingError,
    cache_dir,
    find_binaries,
)
from groundtruth_local.controlplane.cluster import ControlPlane, ControlPlaneError

__all__ = [
    "Binaries",
    "BinariesMissingError",
    "ControlPlane",
    "ControlPlaneError",
    "cache_dir",
    "find_binaries",
]
