"""A stable hash of the tables, equal on two replicas exactly when their tables are."""

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def digest(tables: Mapping[str, Mapping[str, Any]]) -> str:
    """Hash `State.snapshot()` (or a copy of it): the indexes are derived, so left out."""
    canonical = json.dumps(tables, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
