"""session: each user is a session bound to one server, reading its own and others' writes there.

No shared setup. Every user creates a client of its own on start; the server that
created it is the user's home for the whole run: every later call goes there. A
client is written only by its owner, each write with the owner's label as "session"
and the next number of the owner's counter as "version", so a record's versions only
grow, in the order its owner wrote them. Users publish their first client to the other users of
their process (in distributed mode, of their worker). Then each takes these steps, by
weight:

    3  update its first client to its next version (UpdateClient), then read it back
       (RetrieveClient): it must show that write or a later one
    1  create another client of its own (CreateClient), then read it back: the same
    3  read the first client of another user (RetrieveClient), one of the few it
       follows: it must not show a version older than one it already saw there

The sessions checker counts reads that break the first rule (read-your-writes) and
the second (monotonic reads), per user and server. A strategy whose server answers a
write before applying it breaks the first at once, on every server; one whose server
serves reads from copies that do not move together breaks the second.

    locust -f loadtests/session.py --headless -u 8 -r 8 -t 30s --servers A,B,C
"""

import itertools
from typing import Any, Final

from loadtests.fixtures import put
from loadtests.grpc_user import GrpcUser, step

FOLLOWED: Final = 4  # others' clients a user re-reads: few, so it reads each often
FIRST: Final[list[str]] = []  # the first client of each user of this process, in order


class Session(GrpcUser):
    def on_start(self) -> None:
        self.versions = itertools.count(1)
        cid = self.new_id("c")
        self.home = put(self.shop, "Client", cid, self.data()).server
        self.clients = [cid]
        FIRST.append(cid)

    def data(self) -> dict[str, Any]:
        version = next(self.versions)
        return {"name": f"Session {self.label}", "session": self.label, "version": version}

    def followed(self) -> list[str]:
        """The first clients of the first few other users: the ones their owners update."""
        return [cid for cid in FIRST if cid != self.clients[0]][:FOLLOWED]

    @step(3)
    def update(self) -> None:
        cid = self.clients[0]
        self.shop.call("UpdateClient", CID=cid, data=self.data(), server=self.home)
        self.shop.call("RetrieveClient", ID=cid, server=self.home)

    @step(1)
    def create(self) -> None:
        cid = self.new_id("c")
        created = self.shop.call("CreateClient", CID=cid, data=self.data(), server=self.home)
        if created.outcome == "ok":
            self.clients.append(cid)
        self.shop.call("RetrieveClient", ID=cid, server=self.home)

    @step(3)
    def follow(self) -> None:
        cid = self.rng.choice(self.followed() or self.clients)
        self.shop.call("RetrieveClient", ID=cid, server=self.home)
