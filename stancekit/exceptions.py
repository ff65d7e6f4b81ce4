"""Exceptions raised by stancekit.

Each subclasses the builtin that callers already catch (``ValueError``), as
scikit-learn's ``NotFittedError`` does, so ``except ValueError`` keeps working.
"""

from __future__ import annotations

import os


class StancekitError(Exception):
    """Base class of every error stancekit raises on purpose."""


class CorpusError(StancekitError, ValueError):
    """An annotated file or frame breaks the format of ANNOTATION.md.

    Parameters
    ----------
    message : str
        What is wrong, what was expected and how to fix it.
    path : str or os.PathLike, default=None
        The file, when the data came from one.
    row : int, default=None
        1-based data row (the header is row 0), when one row is at fault.
    column : str, default=None
        The column at fault.
    """

    def __init__(self, message, *, path=None, row=None, column=None):
        self.message = message
        self.path = None if path is None else os.fspath(path)
        self.row = row
        self.column = column
        where = []
        if self.path is not None:
            where.append(os.path.basename(self.path))
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ModelFileError(StancekitError, ValueError):
    """A model folder or file is missing, corrupt, foreign or tampered with."""


class InputTextError(StancekitError, ValueError):
    """An article cannot be scored (too large, undecodable, not text)."""
