"""What a store raises. Every error is a `StoreError`, so a replica can stop on any of them."""


class StoreError(Exception):
    """The storage medium failed, or a call broke the store's contract; see the subclass."""


class UnknownTable(StoreError):
    """A table this store was not opened with."""


class InvalidKey(StoreError):
    """A key that is not a non-empty string of Unicode text within `MAX_KEY_BYTES`."""


class InvalidValue(StoreError):
    """A value that is not a JSON value which reads back equal, or a null record."""


class StaleIndex(StoreError):
    """An `apply` whose index is not an integer above the applied index."""


class StoreFull(StoreError):
    """The batch does not fit in the store's configured size; nothing of it was applied."""


class StoreClosed(StoreError):
    """A call after `close()`."""


class CorruptSnapshot(StoreError):
    """A snapshot stream that is truncated, altered, or of another store's tables."""


class IncompatibleStore(StoreError):
    """A data directory that holds another format or table set, or is open already."""
