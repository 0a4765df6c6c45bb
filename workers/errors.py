"""Refusals of the running system (not rules of the notices, not bad input): exit 1."""

from __future__ import annotations

from optimizer.domain.errors import ZoufangError


class ConcurrentReplanError(ZoufangError):
    """Another re-plan of the same campaign is running."""


class NotPlannedError(ZoufangError):
    """The campaign has no published plan yet."""
