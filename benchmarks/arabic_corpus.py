"""Realistic scraped Arabic lines for the normalization benchmarks.

Words come from the bundled seed page (news prose) and a fully vocalized
passage (Quranic/hadith-like). Lines then get what scraped text has: harakat,
shadda in either order, tatweel, presentation forms, ZWNJ/RLM/ZWSP, NBSP,
Arabic-Indic and Extended digits, Latin words and emoji. Fixed seed.
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

SEED_FILE = Path(__file__).resolve().parent.parent / "seeds" / "000_c0df1516230a6e23.txt"

VOCALIZED = (
    "بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ الْحَمْدُ لِلَّهِ رَبِّ الْعَالَمِينَ الرَّحْمَٰنِ الرَّحِيمِ "
    "مَالِكِ يَوْمِ الدِّينِ إِيَّاكَ نَعْبُدُ وَإِيَّاكَ نَسْتَعِينُ اهْدِنَا الصِّرَاطَ الْمُسْتَقِيمَ "
    "صِرَاطَ الَّذِينَ أَنْعَمْتَ عَلَيْهِمْ غَيْرِ الْمَغْضُوبِ عَلَيْهِمْ وَلَا الضَّالِّينَ "
    "إِنَّمَا الْأَعْمَالُ بِالنِّيَّاتِ وَإِنَّمَا لِكُلِّ امْرِئٍ مَا نَوَى فَمَنْ كَانَتْ هِجْرَتُهُ "
    "إِلَى اللَّهِ وَرَسُولِهِ فَهِجْرَتُهُ إِلَى اللَّهِ وَرَسُولِهِ قَالَ رَسُولُ اللَّهِ ﷺ "
    "الْمُسْلِمُ مَنْ سَلِمَ الْمُسْلِمُونَ مِنْ لِسَانِهِ وَيَدِهِ هَٰذَا كِتَابٌ مُبَارَكٌ أَنْزَلْنَاهُ"
)

LATIN = ["ISIS", "Reuters", "CNN", "Mosul", "2017", "iPhone", "COVID-19", "https://t.co/x1"]
EMOJI = [
    "\U0001f600",
    "\U0001f1ee\U0001f1f6",
    "\u2764\ufe0f",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
]
INVISIBLE = ["\u200c", "\u200f", "\u200b", "\u200e", "\u061c"]
HARAKAT = "\u064e\u064f\u0650\u0652\u064b\u064c\u064d"


def _presentation_form(word: str) -> str:
    """The word in isolated presentation forms (as old PDFs and web fonts emit)."""
    out = []
    for c in word:
        form = (
            unicodedata.lookup(f"ARABIC LETTER {unicodedata.name(c)[14:]} ISOLATED FORM")
            if (unicodedata.name(c, "").startswith("ARABIC LETTER "))
            else c
        )
        out.append(form)
    return "".join(out)


def _safe_presentation(word: str) -> str:
    try:
        return _presentation_form(word)
    except KeyError:
        return word


def _vocalize(word: str, rng: random.Random) -> str:
    out = []
    for c in word:
        out.append(c)
        if "\u0621" <= c <= "\u064a" and rng.random() < 0.7:
            if rng.random() < 0.12:
                out.append(rng.choice(["\u0651\u064e", "\u064e\u0651", "\u0651\u0650"]))
            else:
                out.append(rng.choice(HARAKAT))
    return "".join(out)


def _digits(rng: random.Random) -> str:
    n = str(rng.randint(1, 20000))
    table = rng.choice(
        [str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"), str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"), {}]
    )
    return n.translate(table)


def lines(count: int, *, seed: int = 0, length: int = 100) -> list[str]:
    """``count`` lines of about ``length`` characters, mixed news and vocalized prose."""
    rng = random.Random(seed)
    news = SEED_FILE.read_text(encoding="utf-8").split()
    vocal = VOCALIZED.split()
    result = []
    for _ in range(count):
        quranic = rng.random() < 0.3
        words: list[str] = []
        size = 0
        while size < length:
            r = rng.random()
            if quranic:
                word = rng.choice(vocal)
            else:
                word = rng.choice(news)
                if r < 0.25:
                    word = _vocalize(word, rng)
            if r < 0.04:
                word = word[:1] + "\u0640\u0640\u0640" + word[1:]
            elif r < 0.06:
                word = _safe_presentation(word)
            elif r < 0.09:
                word = word + rng.choice(INVISIBLE)
            elif r < 0.12:
                word = _digits(rng)
            elif r < 0.14:
                word = rng.choice(LATIN)
            elif r < 0.15:
                word = rng.choice(EMOJI)
            words.append(word)
            size += len(word) + 1
        sep = "\u00a0" if rng.random() < 0.1 else " "
        result.append(sep.join(words))
    return result
