"""The `dutyeval` console script.

Sub-commands that need the database delegate to Django's manage.py machinery; the pure ones
(`balance`, `ingest`, `draw`) run without Django so they stay fast and usable on a laptop.
"""

from __future__ import annotations

import os
import sys


def _pure_commands() -> dict:
    # imported lazily: each command pulls in only what it needs
    def balance(argv):
        from dutyeval.core.balance_cli import main

        return main(argv)

    def ingest(argv):
        from dutyeval.core.textfacts.cli import main

        return main(argv)

    def draw(argv):
        from dutyeval.core.lottery_cli import main

        return main(argv)

    return {"balance": balance, "ingest": ingest, "draw": draw}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pure = _pure_commands()
    if argv and argv[0] in pure:
        return int(pure[argv[0]](argv[1:]) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dutyeval.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dutyeval", *argv])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
