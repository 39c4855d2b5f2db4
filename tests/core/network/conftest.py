from collections.abc import Iterator

import pytest

from core.network import available
from tests.core.network.support import Children, children


@pytest.fixture
def nft_usable() -> None:
    """Skip, with the reason and how to enable it, where rules cannot be installed."""
    reason = available()
    if reason is not None:
        pytest.skip(reason)


@pytest.fixture
def kids() -> Iterator[Children]:
    with children() as running:
        yield running
