"""Whether this node can get a command committed right now, checked before submitting it.

A command handed to PySyncObj without a reachable majority or leader would wait for
its whole timeout and end "outcome unknown"; refused here, it never enters any log, so
the caller learns at once that nothing was committed. The check is advisory: a peer
lost right after it still ends in a timeout, which then honestly says "unknown".
"""

from plugins.pysyncobj_raft.node import RaftNode


def obstacle(node: RaftNode, names: dict[str, str]) -> str | None:
    """Why a command cannot commit through `node` now, or None when it may."""
    peers = node.otherNodes
    if not node.hasQuorum:
        reached = 1 + sum(1 for peer in peers if node.isNodeConnected(peer))
        return f"this node reaches {reached} of {len(peers) + 1} Raft members, not a majority"
    leader = node._getLeader()
    if leader is None:
        return "there is no Raft leader right now (an election is under way)"
    if leader != node.selfNode and not node.isNodeConnected(leader):
        name = names.get(leader.address, leader.address)
        return f"the Raft leader {name} is unreachable from this node"
    return None
