"""Reading a file the user names (a profile, a bench JSON file) without blocking on it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from advisor.errors import InputError
from advisor.limits import MAX_INPUT_BYTES


def read_text(path: str | Path, what: str) -> str:
    """The UTF-8 text of a regular file of at most MAX_INPUT_BYTES. Anything else is one
    InputError line: a FIFO would block, /dev/zero would never end, a huge file fill the
    memory."""
    file = Path(path).expanduser()
    problem = f"cannot read {what} {str(file)!r}"
    try:
        # Non-blocking, so that opening a FIFO without a writer returns at once.
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as stream:
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                raise InputError(f"{problem}: it is a directory")
            if not stat.S_ISREG(mode):
                raise InputError(f"{problem}: not a regular file")
            data = stream.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{problem}: {exc.strerror or exc}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{problem}: larger than {MAX_INPUT_BYTES // 2**20} MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{problem}: not UTF-8 text") from None
