"""A rule-based spam filter for reviews and comments.

Each signal adds a weight to the score and a short reason for moderators. Only the
strong signals (honeypot, too many links, a banned word, the same text sent again)
make a submission spam; the weak ones (a long run of one character, mostly capital
letters, a text that is nothing but a link) only raise its score.

Every pattern is compiled once, and none can backtrack catastrophically: a repeated
group always ends in a character its inside cannot match, and open-ended parts are
bounded or possessive, so the work grows with the length of the text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from plugins.hookspecs import hookimpl
from plugins.types import ModerationSettings, Submission, Verdict

# Strong signals: any of these makes the submission spam.
HONEYPOT_WEIGHT = 1.0
LINK_FLOOD_WEIGHT = 0.7
BANNED_WORD_WEIGHT = 0.7
REPEATED_TEXT_WEIGHT = 0.6

# Weak signals: they raise the score but never make spam on their own.
LINKS_AT_LIMIT_WEIGHT = 0.1
CHARACTER_RUN_WEIGHT = 0.2
SHOUTING_WEIGHT = 0.25
ONLY_LINKS_WEIGHT = 0.3

CHARACTER_RUN_LENGTH = 12  # this many of one character in a row
SHOUTING_SHARE = 0.7  # more than this share of cased letters are capitals...
SHOUTING_MIN_LETTERS = 20  # ...counting only texts with at least this many cased letters

# Top-level domains that make a bare domain ("example.com", "example.com/path") a link.
# Short ones that are also everyday words ("in", "it", "at", "no", "to", "me", "us"...)
# are left out, as are file name endings ("js", "py", "md"), so "Node.js" is no link.
KNOWN_TLDS = frozenset("""
    com net org info biz io co xyz top online site shop store club app dev ly gl gg
    tk ml ga cf pw cc tv ws eu uk de fr ru cn su nl pl br au ca ch es jp kr se fi dk
    cz ua ro hu pt gr ir vn tr mx ar id pk ng za nz link click live pro mobi icu vip
    win bid loan work today space website tech fun buzz rest cyou monster quest sbs
""".split())

_URL_CHARS = r"[^\s<>\"'`()\[\]{}]"

# An HTML anchor, with the link text and closing tag when they follow closely.
_ANCHOR = re.compile(r"<a\s(?=[^<>]*?\bhref\b)[^<>]*+>(?:[^<]{0,500}+</a\s*+>)?",
                     re.IGNORECASE)
# A Markdown link or image: [text](target).
_MARKDOWN_LINK = re.compile(
    r"!?\[[^\[\]\n]{0,500}+\]\(\s*+[^()\s]{1,2000}+(?:\s++[^()]{0,500}+)?\)")
# A URL with a scheme, a www. address, or a bare domain (its ending checked in _is_link).
_URL = re.compile(
    rf"""
    (?P<scheme>\b(?:https?|ftp)://{_URL_CHARS}+)
    | (?P<www>(?<![\w.@/-])www\.{_URL_CHARS}+)
    | (?P<domain>(?<![\w.@/-])
        (?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+
        (?P<tld>[a-z]{{2,24}})(?![\w-])
        (?:/{_URL_CHARS}*+)?)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_CHARACTER_RUN = re.compile(rf"(\S)\1{{{CHARACTER_RUN_LENGTH - 1},}}")
_WORDISH = re.compile(r"\w")


def _fold(text: str) -> str:
    """Text compared without regard to case or compatibility forms (fullwidth, ligatures)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _squash(text: str) -> str:
    """Folded text with every run of whitespace made one space."""
    return " ".join(_fold(text).split())


def _is_link(match: re.Match) -> bool:
    if match.group("domain") is None:
        return True
    return match.group("tld").casefold() in KNOWN_TLDS


def _find_links(text: str) -> tuple[int, str]:
    """How many links `text` holds, and the text left over once they are taken out.

    Anchors and Markdown links are counted once each, whatever URL they contain.
    """
    text = unicodedata.normalize("NFKC", text)
    count = 0
    for pattern in (_ANCHOR, _MARKDOWN_LINK):
        text, found = pattern.subn(" ", text)
        count += found
    rest = []
    position = 0
    for match in _URL.finditer(text):
        if _is_link(match):
            count += 1
            rest.append(text[position:match.start()])
            position = match.end()
    rest.append(text[position:])
    return count, " ".join(rest)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@lru_cache(maxsize=32)
def _banned_pattern(banned_words: tuple[str, ...]) -> tuple[re.Pattern | None, dict[str, str]]:
    """One pattern for every banned word or phrase, and each folded form's original."""
    originals: dict[str, str] = {}
    for word in banned_words:
        folded = " ".join(_fold(word).split())
        if folded and folded not in originals:
            originals[folded] = word.strip()
    if not originals:
        return None, originals
    # Longest first, so a phrase wins over a word it starts with.
    alternatives = sorted(originals, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(part) for part in word.split(" "))
                    for word in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)"), originals


def _banned_words_found(text: str, banned_words: tuple[str, ...]) -> list[str]:
    pattern, originals = _banned_pattern(banned_words)
    if pattern is None:
        return []
    found: dict[str, None] = {}
    for match in pattern.finditer(_fold(text)):
        found.setdefault(originals[" ".join(match.group().split())], None)
    return list(found)


def _longest_run(text: str) -> tuple[str, int] | None:
    longest = max(_CHARACTER_RUN.finditer(text), key=lambda m: len(m.group()), default=None)
    return (longest.group(1), len(longest.group())) if longest else None


def _mostly_capitals(text: str) -> bool:
    upper = lower = 0
    for char in text:
        if char.isupper():
            upper += 1
        elif char.islower():
            lower += 1
    letters = upper + lower
    return letters >= SHOUTING_MIN_LETTERS and upper > SHOUTING_SHARE * letters


def judge(submission: Submission, settings: ModerationSettings) -> Verdict:
    """The verdict on one submission (see the module docstring for the signals)."""
    spam = False
    score = 0.0
    reasons: list[str] = []

    def signal(weight: float, reason: str, *, strong: bool = False) -> None:
        nonlocal spam, score
        spam = spam or strong
        score += weight
        reasons.append(reason)

    title = submission.title or ""
    body = submission.body or ""
    text = f"{title}\n{body}"

    if (submission.honeypot or "").strip():
        signal(HONEYPOT_WEIGHT, "honeypot field filled in", strong=True)

    max_links = max(0, settings.max_links)
    links, _ = _find_links(text)
    if links > max_links:
        signal(LINK_FLOOD_WEIGHT, f"{_plural(links, 'link')} (at most {max_links} allowed)",
               strong=True)
    elif links and links == max_links:
        signal(LINKS_AT_LIMIT_WEIGHT, f"{_plural(links, 'link')} (the most allowed)")

    for word in _banned_words_found(text, tuple(settings.banned_words)):
        signal(BANNED_WORD_WEIGHT, f"banned word: {word}", strong=True)

    squashed = _squash(body)
    if squashed and any(_squash(earlier) == squashed for earlier in submission.recent_bodies):
        signal(REPEATED_TEXT_WEIGHT, "same text sent before", strong=True)

    run = _longest_run(text)
    if run:
        char, length = run
        signal(CHARACTER_RUN_WEIGHT, f"{char!r} repeated {length} times")

    if _mostly_capitals(text):
        signal(SHOUTING_WEIGHT, "mostly capital letters")

    body_links, rest = _find_links(body)
    if body_links and not _WORDISH.search(rest):
        signal(ONLY_LINKS_WEIGHT, "text is only a link" if body_links == 1
               else "text is only links")

    return Verdict(spam=spam, score=round(min(1.0, score), 3), reasons=tuple(reasons))


@hookimpl
def moderation_verdict(submission, settings):
    """Judge a new review or comment by the rules above."""
    return judge(submission, settings)
