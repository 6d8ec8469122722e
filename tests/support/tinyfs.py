"""A real tiny file system for disk-full tests: a tmpfs of a few MB mounted on a test directory.

Needs root (``mount``); the fixture skips the test elsewhere. ``fill()`` writes a filler file
until the file system answers ENOSPC, ``free()`` removes it.

Usage::

    with tiny_fs(tmp_path / "state", size_kb=4096) as fs:
        ...            # the state lives on fs.path
        fs.fill()      # from now on every new block is refused
        fs.free()
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


class TinyFs:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / "filler"

    def fill(self) -> None:
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            for size in (1 << 16, 1 << 12, 1):
                block = b"\0" * size
                while True:
                    try:
                        os.write(fd, block)
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def available(self) -> int:
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize


@contextlib.contextmanager
def tiny_fs(path: Path, size_kb: int = 4096) -> Iterator[TinyFs]:
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"no tiny file system here (mount tmpfs needs root): {mounted.stderr.strip()}")
    try:
        yield TinyFs(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)
