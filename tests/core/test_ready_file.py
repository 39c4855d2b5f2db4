"""A ready file is there whole or not at all (core/ready_file.py)."""

import json
import threading
from pathlib import Path

from core.ready_file import publish


def test_a_reader_polling_for_the_file_never_parses_half_of_it(tmp_path: Path) -> None:
    path = tmp_path / "ready.json"
    documents = [{"n": n, "nodes": ["x" * 1000] * 200} for n in range(60)]  # 200 KB each
    torn: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            if path.exists():
                text = path.read_text()
                try:
                    json.loads(text)
                except ValueError:
                    torn.append(text[:40])

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for document in documents:
            publish(path, document)
    finally:
        done.set()
        reader.join()
    assert torn == []
    assert json.loads(path.read_text()) == documents[-1]
    assert [p.name for p in tmp_path.iterdir()] == ["ready.json"]  # nothing left beside
