"""Ready files: a JSON document that another process polls for, there whole or not at all.

A reader waits for the file to exist and then parses it; a file written in place can
exist half written (seen: a test read an empty `cluster up` ready file). So it is
written beside and renamed over, which POSIX makes atomic.
"""

import json
from pathlib import Path
from typing import Any


def publish(path: Path, document: Any, indent: int | None = None) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(document, indent=indent))
    partial.replace(path)
