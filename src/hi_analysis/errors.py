"""Exceptions with messages written for the analyst who has to fix the input.

Every error raised for bad input names the file, and where it applies the
column and the offending rows, so the command line can print it as one
readable reason and exit non-zero.
"""

from __future__ import annotations


class HiAnalysisError(Exception):
    """Base class of every error the command line reports as a one-line reason."""


class ConfigError(HiAnalysisError):
    """A parameter file is missing, malformed or inconsistent."""


class DataValidationError(HiAnalysisError):
    """An input data file failed validation.

    Parameters
    ----------
    file : str
        The file that failed (path relative to the project where possible).
    problems : list of str
        One line per problem, each naming the column and offending rows.
    """

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = list(problems)
        shown = self.problems[:10]
        more = len(self.problems) - len(shown)
        text = f"{file}: " + "; ".join(shown)
        if more > 0:
            text += f"; and {more} more problem(s)"
        super().__init__(text)


class NotebookRunError(HiAnalysisError):
    """A chapter notebook failed while running for a place."""
