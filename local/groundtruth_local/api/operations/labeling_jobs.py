"""(being written)"""

from groundtruth_local.api.call import Handler

OPERATIONS: dict[str, Handler] = {}
