"""The gRPC face of the service: the two portals and the testbed's control service."""
