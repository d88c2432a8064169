"""How a person's name is compared: case, accents, punctuation and titles set aside.

"Dr Helen Ward", "helen ward" and "HELEN  WARD" share one key; so do "Zoë" and "zoe", and
"Łukasz" and "Lukasz". The key is stored beside each visit's name (`Visit.name_key`, kept in
step by an ORM hook in storage/models.py) so the visitor log and `/desk forget` find a person
with one indexed comparison.

Transliteration is `anyascii` (ISC licence, maintained, pure Python, no data download): unlike
stdlib `unicodedata` decomposition it also folds letters that are not a base letter plus an
accent (ø, ł, đ, ß, æ), and unlike `unidecode` it is not GPL.
"""

from __future__ import annotations

import re

from anyascii import anyascii

# Words before a name that say how to address someone, not who they are.
TITLES = frozenset(
    [
        "dr",
        "doctor",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "prof",
        "professor",
        "sir",
        "dame",
        "lady",
        "lord",
        "rev",
        "reverend",
        "fr",
        "father",
        "sr",
        "sister",
        "br",
        "brother",
        "hon",
        "judge",
        "capt",
        "captain",
        "col",
        "sgt",
    ]
)
# Words after a name that do not tell two people apart either.
SUFFIXES = frozenset(["jr", "junior", "sr", "senior", "phd", "md", "esq", "ii", "iii"])
_APOSTROPHES = re.compile(r"['’`´]")
_NOT_A_LETTER = re.compile(r"[^a-z0-9]+")


def name_key(name: str) -> str:
    """The form of `name` that two spellings of one person share ("Dr Zoë O'Brien" → "zoe obrien")."""
    folded = _APOSTROPHES.sub("", anyascii(name).casefold())
    words = _NOT_A_LETTER.sub(" ", folded).split()
    while len(words) > 1 and words[0] in TITLES:
        words.pop(0)
    while len(words) > 1 and words[-1] in SUFFIXES:
        words.pop()
    return " ".join(words)


def matches(key: str, wanted: str) -> bool:
    """Whether a name whose key is `key` answers to a search for the key `wanted` (the whole
    name or part of it: "ward" finds "Dr Helen Ward")."""
    return bool(wanted) and wanted in key
