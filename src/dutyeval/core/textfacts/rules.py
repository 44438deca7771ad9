"""The reader's word lists, loaded from rules.yaml (issue 13 item 4).

Each list is a tuple of words in file order; the fast-path sets the code uses (first and last
characters, one alternation per list) are derived here, so nothing is kept by hand beside the
data. ``examples()`` yields every entry's example sentence for the tests.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_KEYS = ("word", "words", "char", "unit", "typo", "pattern")


@lru_cache(maxsize=1)
def raw() -> dict[str, list[dict[str, Any]]]:
    text = resources.files(__package__).joinpath("rules.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    for name, entries in data.items():
        for e in entries:
            if "example" not in e:
                raise ValueError(f"rules.yaml: an entry of {name} has no example: {e}")
    return data


def words(name: str) -> tuple[str, ...]:
    """The words of list ``name`` in file order (the entry's word/char/unit/typo field)."""
    out = []
    for e in raw()[name]:
        for k in _KEYS:
            if k in e:
                out.append(str(e[k]))
                break
    return tuple(out)


def examples(name: str) -> list[tuple[str, str]]:
    """(word, example sentence) of every entry of ``name``; word is "" for pattern-only lists."""
    out = []
    for e in raw()[name]:
        w = next((str(e[k]) for k in _KEYS if k in e), "")
        out.append((w, e["example"]))
    return out


def alternation(items: tuple[str, ...] | list[str]) -> str:
    """Regex alternation of literal words, longest first (so 人次 is tried before 人)."""
    return "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True))


def first_chars(items) -> str:
    return "".join(sorted({w[0] for w in items}))


def last_chars(items) -> frozenset[str]:
    return frozenset(w[-1] for w in items)
