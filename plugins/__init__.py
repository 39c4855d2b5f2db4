"""The built-in replication strategies, one module each (registered in core/registry.py)."""
