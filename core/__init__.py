"""The service: domain state machine, replication contract, registry, portals, CLI."""
