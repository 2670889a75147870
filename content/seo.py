"""Structured data for exercise and article pages, and content's sitemap and feed entries."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

from sqlalchemy import select

from plugins.types import FeedEntry, SitemapEntry
from storefront.plugin_api import (
    SCHEMA,
    absolute_url,
    breadcrumb_list,
    endpoint_url,
    organization,
    page_meta,
    w3c_datetime,
)

from .models import Article, Exercise
from .services import public_exercises, published
from .urls import page_url


def last_changed(published_at, updated_at):
    """An article's last change: never before it was published."""
    return max(published_at, updated_at) if updated_at else published_at


class _FirstImage(HTMLParser):
    """Finds the first `<img src>` of rendered HTML."""

    def __init__(self):
        super().__init__()
        self.src = None

    def handle_starttag(self, tag, attrs):
        if tag == "img" and self.src is None:
            self.src = dict(attrs).get("src") or None


def first_image(html: str, page: str) -> str | None:
    """The absolute address of the first image in an article's body, if it has one."""
    if "<img" not in html.lower():  # most bodies have none: skip parsing them
        return None
    finder = _FirstImage()
    finder.feed(html)
    finder.close()
    if not finder.src:
        return None
    url = urljoin(page, finder.src)
    return url if url.startswith(("https://", "http://")) else None


def exercise_page(detail: dict) -> dict:
    """An exercise page: HowTo (its steps, its bands as tools) and BreadcrumbList."""
    url = absolute_url(detail["url"])
    howto = {
        "@context": SCHEMA, "@type": "HowTo", "name": detail["name"],
        "description": detail["summary"], "url": url,
        "step": [{"@type": "HowToStep", "position": position, "text": step}
                 for position, step in enumerate(detail["steps"], start=1)],
        "tool": [{"@type": "HowToTool", "name": product["name"],
                  "url": absolute_url(page_url("product", product["slug"]))}
                 for product in detail["products"]],
    }
    crumbs = breadcrumb_list([("Home", endpoint_url("web.home")),
                              ("Exercises", endpoint_url("content.exercises")),
                              (detail["name"], url)])
    return page_meta(title=detail["name"], description=detail["summary"], url=url,
                     structured=[howto, crumbs])


def article_page(article: Article, detail: dict) -> dict:
    """An article page: Article (by and from the shop) and BreadcrumbList."""
    url = absolute_url(detail["url"])
    image = first_image(detail["body_html"], url)
    published_at = w3c_datetime(article.published_at or article.updated_at)  # a preview
    modified_at = w3c_datetime(last_changed(article.published_at, article.updated_at))
    data = {
        "@context": SCHEMA, "@type": "Article", "headline": article.title,
        "description": article.summary, "datePublished": published_at,
        "dateModified": modified_at, "url": url, "mainEntityOfPage": url,
        "author": organization(), "publisher": organization(),
    }
    if image:
        data["image"] = image
    crumbs = breadcrumb_list([("Home", endpoint_url("web.home")),
                              ("Articles", endpoint_url("content.articles")),
                              (article.title, url)])
    return page_meta(title=article.title, description=article.summary, url=url,
                     kind="article", image=image, structured=[data, crumbs],
                     properties=[("article:published_time", published_at),
                                 ("article:modified_time", modified_at)])


def sitemap_entries(session) -> list[SitemapEntry]:
    """Every published exercise and article, with its last change (two queries)."""
    entries = [SitemapEntry(url=page_url("exercise", slug), lastmod=updated_at, kind="exercise")
               for slug, updated_at in session.execute(public_exercises(
                   select(Exercise.slug, Exercise.updated_at)).order_by(Exercise.id))]
    articles = session.execute(published(
        select(Article.slug, Article.published_at, Article.updated_at))
        .order_by(Article.published_at.desc(), Article.id.desc()))
    entries += [SitemapEntry(url=page_url("article", slug), kind="article",
                             lastmod=last_changed(published_at, updated_at))
                for slug, published_at, updated_at in articles]
    return entries


def feed_entries(session, limit: int) -> list[FeedEntry]:
    """The newest published articles (one query)."""
    rows = session.execute(published(
        select(Article.slug, Article.title, Article.summary, Article.published_at,
               Article.updated_at))
        .order_by(Article.published_at.desc(), Article.id.desc()).limit(limit))
    return [FeedEntry(url=page_url("article", slug), title=title, summary=summary,
                      published=published_at, updated=last_changed(published_at, updated_at))
            for slug, title, summary, published_at, updated_at in rows]
