"""The `testbed` command line: servers, interactive clients and the testbed's tools."""
