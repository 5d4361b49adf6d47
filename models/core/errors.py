"""Errors that carry a message fit to show a user (in Chinese)."""

from __future__ import annotations


class AppError(Exception):
    """An expected failure whose ``str()`` is a Chinese message for the user."""


class DataFileError(AppError):
    """A resource file (task list, units, score sheet) is missing or malformed."""


class InstanceLockedError(AppError):
    """Another instance of the program already uses this data folder."""


class ValidationError(AppError):
    """Input refused; ``problems`` lists (field, message) pairs, fields named in Chinese."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = list(problems)
        super().__init__("；".join(f"{field}：{message}" for field, message in self.problems))


class UnusableDatabaseError(AppError):
    """The ledger file cannot be used as it is (damaged, or not this program's ledger).

    ``path`` names the file, ``problems`` lists what is wrong (Chinese). The GUI and every
    command answer it the same way: explain, and offer the newest good backup.
    """

    def __init__(self, message: str, *, path: object = None, problems: list[str] | None = None):
        self.path = path
        self.problems = list(problems or [])
        super().__init__(message)
