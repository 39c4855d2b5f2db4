"""`testbed cluster up --layout course-part2`: the course's Part 2 (2 partitions x 3
replicas on Raft, then the portals) passes the course's script on the course's ports.

Its own module: the Part 1 cluster of test_course_layouts.py holds the same ports for
as long as that module runs, so beside it this test would only ever skip.
"""

from pathlib import Path

import pytest

from tests.cli.course_flow import COURSE_PORTS, require_free, run_script
from tests.cli.support import cluster_up


@pytest.mark.parametrize("prefix", ["", "project."])
def test_part2_passes_the_course_script(tmp_path: Path, prefix: str) -> None:
    require_free(*COURSE_PORTS)
    with cluster_up(tmp_path, "--layout", "course-part2"):
        run_script(prefix)
