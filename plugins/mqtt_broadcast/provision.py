"""Before a cluster starts: a broker for it, unless one is configured.

With `broker` empty the launcher starts a private broker (see `broker`) in the
cluster's work directory, writes its address into the cluster's options, so every
server connects to it, and stops it when the cluster stops. A configured broker is
used as is and reported as an "external" service.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from core.config import ClusterConfig
from core.strategy import Provisioned, Service
from plugins.mqtt_broadcast import broker
from plugins.mqtt_broadcast.settings import OPTIONS, broker_kind


@contextmanager
def provision(config: ClusterConfig, workdir: Path) -> Iterator[Provisioned]:
    options = {name: option.default for name, option in OPTIONS.items()} | dict(config.options)
    if options["broker"]:
        yield Provisioned(config, (Service("broker", "external", str(options["broker"])),))
        return
    kind = broker.choose_kind(broker_kind(options))
    with broker.running(kind, workdir) as started:
        completed = replace(config, options={**config.options, "broker": started.address})
        yield Provisioned(completed, (Service("broker", kind, started.address),))
