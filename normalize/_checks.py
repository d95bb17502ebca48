"""Argument checks the public entry points share."""

from __future__ import annotations


def check_texts(texts: object, call: str) -> None:
    """TypeError when ``texts``, which ``call`` iterates for its texts, is
    itself one text: a ``str`` would give a text per character.

    >>> check_texts("نص", "normalize_many")
    Traceback (most recent call last):
    ...
    TypeError: normalize_many() takes an iterable of str, not a str: put the one text in a list
    """
    if isinstance(texts, (str, bytes, bytearray)):
        kind = type(texts).__name__
        msg = f"{call}() takes an iterable of str, not a {kind}: put the one text in a list"
        raise TypeError(msg)
