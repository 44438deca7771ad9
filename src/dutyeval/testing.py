"""pytest plugin (`-p dutyeval.testing` in pyproject's addopts): the test suite runs as the demo.

Loaded by pytest before pytest-django imports the settings, so the settings see DUTYEVAL_DEMO and
give the tests a throw-away SECRET_KEY instead of refusing to start (production must set one).
"""

import os

os.environ.setdefault("DUTYEVAL_DEMO", "true")
