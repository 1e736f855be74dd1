"""The pinned PyMongo source distribution: downloaded once with pip, unpacked in a cache."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

PYMONGO_VERSION = "4.20.1"
CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache" / "conformance"


def source_tree(cache: Path = CACHE_DIR) -> Path:
    """The unpacked source tree of PyMongo ``PYMONGO_VERSION`` (downloading it when missing)."""
    tree = cache / f"pymongo-{PYMONGO_VERSION}"
    if (tree / "test" / "unified_format.py").is_file():
        return tree
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / f"pymongo-{PYMONGO_VERSION}.tar.gz"
    if not archive.is_file():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                f"pymongo=={PYMONGO_VERSION}",
                "--no-binary",
                ":all:",
                "--no-deps",
                "--dest",
                str(cache),
                "--quiet",
            ],
            check=True,
        )
    with tarfile.open(archive) as tar:
        tar.extractall(cache, filter="data")
    return tree
