"""Helpers every view uses to fetch objects within the user's region scope."""

from dutyeval.evaluation.rules import submission_for

__all__ = ["submission_for"]
