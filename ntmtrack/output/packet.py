"""Writing an exchange packet: one line of JSON (the manifest), then the content, a gzip member
of JSON Lines records. The content is compressed to a temporary file first, so the manifest
can give its size, its uncompressed size, its SHA-256 and its record counts; memory stays flat
whatever the packet holds. The format is in the README ("Exchange packets").
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

COUNTED = ("observation", "plan", "indicator", "criteria_set", "lineage")


def write(target: Path, manifest: dict, records: Iterable[dict], stats: dict) -> dict:
    """Write the packet to `target` (an OutputFile's temporary path); returns the manifest as
    written. `stats` is filled by the records' producer while they are written (first and
    last sequence, newest date) and joins the manifest."""
    counts = dict.fromkeys(COUNTED, 0)
    uncompressed = 0
    with tempfile.TemporaryFile(dir=target.parent) as content:
        # mtime 0 and no file name: the same records always make the same bytes.
        with gzip.GzipFile(filename="", fileobj=content, mode="wb", mtime=0, compresslevel=6) as z:
            buffer: list[bytes] = []
            for record in records:
                counts[record["type"]] += 1
                line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
                uncompressed += len(line)
                buffer.append(line)
                if len(buffer) >= 2000:
                    z.write(b"".join(buffer))
                    buffer.clear()
            z.write(b"".join(buffer))
        size = content.tell()
        content.seek(0)
        digest = hashlib.sha256()
        while chunk := content.read(1 << 20):
            digest.update(chunk)
        full = {**manifest, **stats, "counts": counts,
                "content": {"compression": "gzip", "bytes": size, "uncompressed_bytes": uncompressed,
                            "sha256": digest.hexdigest()}}
        content.seek(0)
        with open(target, "wb") as out:
            out.write((json.dumps(full, ensure_ascii=False, separators=(",", ":")) + "\n").encode())
            shutil.copyfileobj(content, out, 1 << 20)
    return full
