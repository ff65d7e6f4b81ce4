"""File writing shared by the command line, reports, charts and streaming (not public)."""

from __future__ import annotations

import os


def write_atomic(path, write, *, binary: bool = False, fsync: bool = False) -> str:
    """Call ``write(fh)`` on a temporary file beside ``path``, then rename it into place.

    A reader never sees a half-written file, and a failure leaves the
    previous file (if any) untouched and no temporary file behind.

    Parameters
    ----------
    path : str or os.PathLike
    write : callable
        Receives the open file (text in UTF-8 without newline translation,
        or binary with ``binary=True``).
    fsync : bool, default=False
        Flush the file to disk before the rename.

    Returns
    -------
    str
        ``path``.
    """
    path = os.fspath(path)
    tmp = os.path.join(
        os.path.dirname(os.path.abspath(path)), f".{os.path.basename(path)}.tmp-{os.getpid()}"
    )
    try:
        if binary:
            fh = open(tmp, "wb")
        else:
            fh = open(tmp, "w", encoding="utf-8", newline="")
        with fh:
            write(fh)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
