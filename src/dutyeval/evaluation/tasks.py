"""Task-queue entry points of this app, so the huey worker (`run_huey` imports every app's tasks.py)
registers them whatever else it happens to import."""

from .recompute import recompute_task  # noqa: F401
