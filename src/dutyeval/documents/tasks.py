"""The documents app's queue tasks, where the huey consumer looks for them: `dutyeval run_huey`
imports each installed app's tasks module, so a worker knows the bulk generation task by name."""

from .services import bulk_task

__all__ = ["bulk_task"]
