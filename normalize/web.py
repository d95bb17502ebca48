"""Web clean-up passes: HTML tags and entities, URLs, e-mail addresses, @mentions.

Each is a ``str -> str`` function that returns its input unchanged (and fast)
when a cheap check finds nothing to do. Nothing here touches Arabic letters.

>>> remove_urls(strip_html("<b>انظر</b> https://example.com"))
' انظر  '
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

# No pattern crosses U+0000, which joins the texts of a batch.
_TAG_RE = re.compile(
    r"<(script|style)\b[^\x00]*?</\1\s*>|<!--[^\x00]*?-->|</?[A-Za-z][^<>\x00]*>", re.IGNORECASE
)
_URL_RE = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s\x00<>\"]+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MENTION_RE = re.compile(r"(?<![\w@])@\w+")


def _until_stable(fn: Callable[[str], str], text: str, limit: int = 8) -> str:
    for _ in range(limit):
        new = fn(text)
        if new == text:
            break
        text = new
    return text


def strip_html(text: str) -> str:
    """Decode entities (repeatedly: ``&amp;lt;`` -> ``<``), then drop tags,
    comments and script/style blocks, each replaced by one space. A ``<`` not
    followed by a tag name (``a < b``) is text and stays.

    >>> strip_html("<p>أهلا&nbsp;بكم</p>")
    ' أهلا\\xa0بكم '
    """
    if "&" in text:
        text = _until_stable(html.unescape, text)
    if "<" in text:
        text = _until_stable(lambda t: _TAG_RE.sub(" ", t), text)
    return text


def remove_urls(text: str) -> str:
    """Delete web addresses (``scheme://...`` and ``www....``).

    >>> remove_urls("المصدر: https://example.com/a?b=1 اليوم")
    'المصدر:  اليوم'
    """
    if "://" in text or "www." in text or "WWW." in text:
        return _URL_RE.sub("", text)
    return text


def remove_emails(text: str) -> str:
    """Delete e-mail addresses.

    >>> remove_emails("راسلونا على info@example.com")
    'راسلونا على '
    """
    return _EMAIL_RE.sub("", text) if "@" in text else text


def remove_mentions(text: str) -> str:
    """Delete @mentions (a word right after ``@`` that does not follow a letter).

    >>> remove_mentions("شكرا @user_1 و @علي")
    'شكرا  و '
    """
    return _MENTION_RE.sub("", text) if "@" in text else text
