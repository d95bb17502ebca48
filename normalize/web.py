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
_URL_RE = re.compile(r"(?:(?:https?|ftps?|file)://|www\.)[^\s\x00<>\"]+", re.IGNORECASE)
#: what ends a sentence or a bracket right after a web address, not part of it
_URL_TAIL = frozenset(".,;:!?)]}»\"'\u060c\u061b\u061f\u06d4")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MENTION_RE = re.compile(r"(?<![\w@])@\w+")


def _until_stable(fn: Callable[[str], str], text: str, limit: int = 16) -> str:
    """Apply ``fn`` until the text stops changing, so a removal that uncovers
    another (``@a@b``) is finished now, not on the next call."""
    for _ in range(limit):
        new = fn(text)
        if new == text:
            break
        text = new
    return text


def decode_entities(text: str) -> str:
    """Decode HTML entities, repeatedly (``&amp;lt;`` -> ``<``).

    >>> decode_entities("أ &amp;amp; ب&nbsp;")
    'أ & ب\\xa0'
    """
    return _until_stable(html.unescape, text) if "&" in text else text


def strip_tags(text: str) -> str:
    """Drop tags, comments and script/style blocks, each replaced by one space.
    A ``<`` not followed by a tag name (``a < b``) is text and stays.

    >>> strip_tags("<p>أهلا</p><script>x()</script>")
    ' أهلا  '
    """
    return _until_stable(lambda t: _TAG_RE.sub(" ", t), text) if "<" in text else text


def strip_html(text: str) -> str:
    """Decode entities, then drop tags (:func:`decode_entities`, :func:`strip_tags`).

    >>> strip_html("<p>أهلا&nbsp;بكم</p>")
    ' أهلا\\xa0بكم '
    """
    return strip_tags(decode_entities(text))


def remove_urls(text: str) -> str:
    """Delete web addresses (``http(s)://``, ``ftp(s)://``, ``file://`` and
    ``www.`` up to the next space), also when glued to the word before them.

    >>> remove_urls("المصدر: https://example.com/a?b=1 اليوم")
    'المصدر:  اليوم'

    Punctuation that ends it is the sentence's (a closing bracket unless the
    address opened one):

    >>> remove_urls("(انظر https://example.com/a_(b)). وقال")
    '(انظر ). وقال'
    """
    if "://" in text or "www." in text.lower():
        return _until_stable(lambda t: _URL_RE.sub(_url_tail, t), text)
    return text


def _url_tail(match: re.Match[str]) -> str:
    """What follows the address in a match: its trailing punctuation."""
    url = match.group()
    end = len(url)
    while end and url[end - 1] in _URL_TAIL:
        if url[end - 1] == ")" and url.count("(", 0, end) >= url.count(")", 0, end):
            break  # the address's own bracket: a_(b)
        end -= 1
    return url[end:]


def remove_emails(text: str) -> str:
    """Delete e-mail addresses.

    >>> remove_emails("راسلونا على info@example.com")
    'راسلونا على '
    """
    return _until_stable(lambda t: _EMAIL_RE.sub("", t), text) if "@" in text else text


def remove_mentions(text: str) -> str:
    """Delete @mentions (a word right after ``@`` that does not follow a letter).

    >>> remove_mentions("شكرا @user_1 و @علي")
    'شكرا  و '
    """
    return _until_stable(lambda t: _MENTION_RE.sub("", t), text) if "@" in text else text
