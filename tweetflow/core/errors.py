"""Errors of the local stack, each worded so a user knows what to do next."""


class StackError(RuntimeError):
    """A problem starting or stopping the local stack, with an actionable message."""
