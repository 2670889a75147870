"""Article Markdown: front matter, shortcodes that become linked cards, sanitised HTML."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import nh3
import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

SHORTCODE = re.compile(r"\[\[([a-z]+):([a-z0-9][a-z0-9-]*)\]\]")
BLOCK_SHORTCODE = re.compile(r"<p>\[\[([a-z]+):([a-z0-9][a-z0-9-]*)\]\]</p>")
SHORTCODE_KINDS = ("exercise", "product")

# Commonmark without raw HTML: a writer's `<script>` comes out as text.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})

_ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "aside": {"class"}, "p": {"class"}, "a": {"href", "title", "class"},
    "h3": {"class"}, "span": {"class"},
}


class ContentError(ValueError):
    """A content file that cannot be loaded, with the file and line where that is known."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        where = path or ""
        if path and line:
            where += f":{line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.path, self.line = path, line


@dataclass(frozen=True)
class Card:
    """What a shortcode stands for: a titled, linked box."""

    kind: str
    title: str
    url: str
    text: str = ""
    meta: str = ""


def split_front_matter(source: str, path: str | None = None) -> tuple[dict, str, int]:
    """Front matter (YAML between `---` lines), the Markdown body and the body's first line."""
    lines = source.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ContentError("the file must start with '---' and YAML front matter",
                           path=path, line=1)
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            try:
                meta = yaml.safe_load("".join(lines[1:index])) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                problem = getattr(exc, "problem", exc)
                raise ContentError(f"front matter is not valid YAML ({problem})",
                                   path=path, line=(mark.line + 2) if mark else None) from None
            if not isinstance(meta, dict):
                raise ContentError("front matter must be a mapping", path=path, line=2)
            return meta, "".join(lines[index + 1:]), index + 2
    raise ContentError("front matter has no closing '---'", path=path, line=1)


def shortcodes(body: str) -> list[tuple[str, str, int]]:
    """Every shortcode in a Markdown body as (kind, slug, line number within the body)."""
    found = []
    for number, line in enumerate(body.splitlines(), start=1):
        for match in SHORTCODE.finditer(line):
            found.append((match.group(1), match.group(2), number))
    return found


def render_prose(body: str) -> str:
    """Markdown to sanitised HTML with each block shortcode left as its `<p>[[kind:slug]]</p>`
    placeholder: the costly part of `render`, which depends on the Markdown alone and so is
    stored with the article (`Article.body_html`)."""
    return nh3.clean(_md.render(body), attributes=_ALLOWED_ATTRIBUTES)


def prose_key(body: str) -> str:
    """A fingerprint of the Markdown a stored `render_prose` output was built from, so a
    reader can tell a stored body from a stale one (the Markdown changed by plain SQL)."""
    return hashlib.blake2b(body.encode(), digest_size=16).hexdigest()


def fill_cards(prose: str, cards: dict[tuple[str, str], Card]) -> Markup:
    """`render_prose` output with each placeholder replaced by its card (or by nothing).

    Each card is sanitised on its own: a card is a whole top-level element, so cleaning it
    apart gives the same HTML as cleaning the page with the card in place.
    """
    def card_html(match: re.Match) -> str:
        card = cards.get((match.group(1), match.group(2)))
        if card is None:
            return ""
        return nh3.clean(
            f'<aside class="card card-{escape(card.kind)}">'
            f'<p class="card-kind">{escape(card.kind.title())}</p>'
            f'<h3 class="card-title"><a href="{escape(card.url)}">{escape(card.title)}</a></h3>'
            + (f"<p>{escape(card.text)}</p>" if card.text else "")
            + (f'<p class="card-meta">{escape(card.meta)}</p>' if card.meta else "")
            + "</aside>", attributes=_ALLOWED_ATTRIBUTES)

    return Markup(BLOCK_SHORTCODE.sub(card_html, prose))


def render(body: str, cards: dict[tuple[str, str], Card]) -> Markup:
    """Markdown to safe HTML; each shortcode on its own line becomes its card.

    `cards` maps (kind, slug) to a Card; a shortcode without one is left out and
    must have been refused earlier, when the content was loaded.
    """
    return fill_cards(render_prose(body), cards)
