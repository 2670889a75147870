"""Attribution rules: count views and adds per source, and report what each source sold.

Page views and adds to cart are counted in a small per-process buffer and written in
batches (one upsert statement for every source, day and metric held), so reading an
article never waits on a write and adds to cart never queue behind one hot counter row.
A batch goes out when it holds `batch` counts (`STOREFRONT_VIEW_BATCH`, 500), when its
oldest count has waited `FLUSH_SECONDS` (1 s; written by a thread of the worker, not by
the request that filled it, and also when no further request comes), when a report is
built, and at exit. Orders and revenue come from the orders themselves.

Crash guarantee: a worker killed without warning (`kill -9`, the OOM killer) loses at
most the counts it held, which is at most one batch (500) and at most the counts of its
last second or so (`FLUSH_SECONDS` plus the time of one write); a worker that exits
normally writes what it holds. While the database is unreachable counts are kept in
memory and retried every second, and a hard kill then loses all of them.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..database import upsert_insert
from ..money import Money
from ..orders.models import PAID_STATUSES, Order, OrderLine
from ..search.models import SearchEntry
from .models import OrderTouch, SourceMetric

log = logging.getLogger(__name__)

DIRECT = "direct"
FLUSH_EVERY = 500
FLUSH_SECONDS = 1.0  # the longest a count waits in the buffer: what a hard kill can lose
# What a source looks like, as OpenAPI (ECMA-262) reads a pattern; Python checks the
# same form with `fullmatch`, since its `$` would also let a trailing newline through.
SOURCE_PATTERN = (r"^(direct|(article|exercise):[a-z0-9][a-z0-9-]{0,150}"
                  r"|campaign:[a-z0-9][a-z0-9._-]{0,79})$")
_SOURCE_FORM = re.compile(SOURCE_PATTERN[1:-1])
CAMPAIGN_PREFIX = "campaign:"
CONTENT_KINDS = ("article", "exercise")


def is_source(value: str | None) -> bool:
    """Whether `value` has the form of a source: `direct`, `article:<slug>`,
    `exercise:<slug>` or `campaign:<name>`."""
    return isinstance(value, str) and _SOURCE_FORM.fullmatch(value) is not None


def source_exists(session, source: str) -> bool:
    """Whether a well-formed source names something the shop can credit: `direct`, a
    campaign (any well-formed name: campaigns live in the links that carry them), or an
    article or exercise in the search index (which holds published content only). The
    index is how the core knows what content exists without importing the plugin that
    owns it."""
    if source == DIRECT or source.startswith(CAMPAIGN_PREFIX):
        return True
    kind, _, slug = source.partition(":")
    return session.scalar(select(SearchEntry.id).where(
        SearchEntry.type == kind, SearchEntry.slug == slug).limit(1)) is not None


def _upsert(session, rows: dict[tuple[str, date, str], int]) -> None:
    """Add counts to (source, day, metric) rows, creating them as needed, in key order, so
    concurrent batches lock rows in the same order. One statement with a row of parameters
    per count: it is built and compiled once, however many sources a batch holds."""
    if not rows:
        return
    stmt = upsert_insert(session, SourceMetric)
    stmt = stmt.on_conflict_do_update(
        index_elements=["source", "day", "metric"],
        set_={"count": SourceMetric.count + stmt.excluded.count})
    session.connection().execute(stmt, [
        {"source": source, "day": day, "metric": metric, "count": count}
        for (source, day, metric), count in sorted(rows.items())])


class CountBuffer:
    """Counts (views, adds) waiting to be written, shared by the threads of one process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: Counter = Counter()
        self._total = 0
        self._batch = FLUSH_EVERY
        self._oldest: float | None = None  # when the oldest count held was added
        self.engine = None  # where the waiting counts belong

    def add(self, source: str, engine, batch: int, metric: str = "view") -> bool:
        """Count one view (or other metric); True when the writer must look now: the
        batch is full, or this is the first count held (its clock starts)."""
        with self._lock:
            self._counts[(source, datetime.now(UTC).date(), metric)] += 1
            self._total += 1
            self._batch = batch
            self.engine = engine
            first = self._oldest is None
            if first:
                self._oldest = time.monotonic()
            return first or self._total >= batch

    def seconds_until_due(self) -> float | None:
        """How long until the counts held must be written (0: now); None when none are."""
        with self._lock:
            if self._oldest is None:
                return None
            if self._total >= self._batch:
                return 0.0
            return max(0.0, self._oldest + FLUSH_SECONDS - time.monotonic())

    def take(self) -> dict:
        """Everything waiting, handed over once."""
        with self._lock:
            counts, self._counts, self._total = dict(self._counts), Counter(), 0
            self._oldest = None
        return counts

    def give_back(self, counts: dict) -> None:
        """Counts a write could not keep, to go out with the next batch."""
        with self._lock:
            self._counts.update(counts)
            self._total += sum(counts.values())
            if self._oldest is None:
                self._oldest = time.monotonic()


pending = CountBuffer()


class BatchWriter:
    """A thread of each worker process that writes due batches, so that the request which
    fills a batch answers as fast as any other, and counts left waiting by the last
    request before a quiet spell still go out within `FLUSH_SECONDS`."""

    def __init__(self):
        self._pid = None
        self._due = threading.Event()

    def wake(self) -> None:
        """Start this process's writer if needed and have it look at the buffer."""
        if self._pid != os.getpid():  # first batch of this (forked) process
            self._pid, self._due = os.getpid(), threading.Event()
            threading.Thread(target=self._run, name="storefront-counts", daemon=True).start()
        self._due.set()

    def _run(self) -> None:
        while True:
            # Asleep while nothing is held; otherwise until the oldest count is due (or
            # a full batch wakes it sooner).
            self._due.wait(pending.seconds_until_due())
            self._due.clear()
            if pending.seconds_until_due() != 0.0:
                continue
            engine, counts = pending.engine, pending.take()
            try:
                _write(engine, counts)
            except Exception:  # noqa: BLE001 - the database is away: keep them for later
                log.warning("could not write %d counts; keeping them", len(counts),
                            exc_info=True)
                pending.give_back(counts)
                time.sleep(1)


writer = BatchWriter()


def count_later(bind, source: str | None, batch: int = FLUSH_EVERY,
                metric: str = "view") -> None:
    """Count a view of a piece of content (or another `metric`, such as an add to cart)
    for `source`, written in batches of `batch` counts. `bind` is the engine, or a
    session bound to it (a cached page passes the engine, so counting opens no session)."""
    engine = bind if isinstance(bind, Engine) else bind.get_bind()
    if pending.engine is not None and pending.engine is not engine:
        _write(pending.engine, pending.take())  # counts held for another database go there
    if pending.add(source or DIRECT, engine, batch, metric):
        if batch <= 1:
            _write(engine, pending.take())  # "write each at once": here, in this request
        else:
            writer.wake()


def flush_counts(session) -> None:
    """Write the waiting counts in their own short transaction."""
    _write(session.get_bind(), pending.take())


def _write(engine, counts: dict) -> None:
    if counts:
        with Session(engine) as own:
            _upsert(own, counts)
            own.commit()


@atexit.register
def _flush_at_exit() -> None:
    """Best effort: a worker going away writes what it still holds."""
    if pending.engine is not None:
        try:
            _write(pending.engine, pending.take())
        except Exception:  # noqa: BLE001 - the process is ending; nothing to report to
            pass


@dataclass(frozen=True)
class SourceRow:
    """One line of the attribution report. `orders`, `units` and `revenue` are last
    touch (the sources of the order lines); `first_orders`/`first_revenue` count the
    orders whose journey began here, `assisted_orders` those it touched on the way."""

    source: str
    views: int
    add_to_carts: int
    orders: int
    units: int
    revenue: Money
    title: str = ""
    url_kind: str | None = None  # "article" or "exercise": the page the title links to
    first_orders: int = 0
    first_revenue: Money | None = None
    assisted_orders: int = 0


def order_revenue(subtotal: int, discount: int, total: int, refunded: int) -> int:
    """What an order brought in for its goods: subtotal less discount, scaled by the part
    of its total not refunded (minor units, rounded down)."""
    goods = max(0, subtotal - discount)
    if total <= 0:
        return goods if refunded <= 0 else 0
    kept = max(0, total - refunded)
    return goods * kept // total


def split_revenue(revenue: int, amounts: list[int]) -> list[int]:
    """`revenue` shared in proportion to `amounts` by largest remainder, so the shares
    add up to `revenue` exactly (equal remainders: the earlier line first)."""
    whole = sum(amounts)
    if whole <= 0:
        return [revenue if n == 0 else 0 for n in range(len(amounts))] if amounts else []
    shares = [revenue * amount // whole for amount in amounts]
    rest = revenue - sum(shares)
    order = sorted(range(len(amounts)),
                   key=lambda n: (-(revenue * amounts[n] % whole), n))
    for n in order[:rest]:
        shares[n] += 1
    return shares


def _title(source: str, titles: dict[tuple[str, str], str]) -> str:
    kind, _, name = source.partition(":")
    if source == DIRECT:
        return "Direct"
    if kind == "campaign":
        return name
    return titles.get((kind, name), name)


def report(session, *, since: date, until: date, currency: str = "usd") -> list[SourceRow]:
    """Per source, from `since` to `until` (both included): views, adds, and the paid
    orders and revenue it led to, last touch, first touch and assisted.

    Orders count when paid or fulfilled, by the day they were paid, with their revenue
    net of discounts and refunds (a refunded order counts nowhere). A fixed number of
    queries, however many orders the range holds.
    """
    flush_counts(session)
    metrics: dict[str, Counter] = {}
    for source, metric, count in session.execute(
            select(SourceMetric.source, SourceMetric.metric, func.sum(SourceMetric.count))
            .where(SourceMetric.day >= since, SourceMetric.day <= until)
            .group_by(SourceMetric.source, SourceMetric.metric)):
        metrics.setdefault(source, Counter())[metric] = int(count)
    start = datetime.combine(since, dtime.min, UTC)
    end = datetime.combine(until + timedelta(days=1), dtime.min, UTC)
    in_range = (Order.status.in_(PAID_STATUSES), Order.paid_at >= start, Order.paid_at < end)
    revenue_of = {row.id: order_revenue(row.subtotal_amount, row.discount_amount,
                                        row.total_amount, row.refunded_amount)
                  for row in session.execute(
                      select(Order.id, Order.subtotal_amount, Order.discount_amount,
                             Order.total_amount, Order.refunded_amount).where(*in_range))}
    lines: dict[int, list] = {}
    for line in session.execute(
            select(OrderLine.order_id, OrderLine.source, OrderLine.quantity,
                   OrderLine.unit_amount).join(Order, Order.id == OrderLine.order_id)
            .where(*in_range).order_by(OrderLine.order_id, OrderLine.id)):
        lines.setdefault(line.order_id, []).append(line)
    last: dict[str, list] = {}  # source -> [order ids, units, revenue]
    for order_id, held in lines.items():
        shares = split_revenue(revenue_of.get(order_id, 0),
                               [line.quantity * line.unit_amount for line in held])
        for line, share in zip(held, shares, strict=True):
            tally = last.setdefault(line.source or DIRECT, [set(), 0, 0])
            tally[0].add(order_id)
            tally[1] += line.quantity
            tally[2] += share
    first: dict[str, list] = {}  # source -> [orders, revenue]
    assisted: Counter = Counter()
    for order_id, source, role in session.execute(
            select(OrderTouch.order_id, OrderTouch.source, OrderTouch.role)
            .join(Order, Order.id == OrderTouch.order_id).where(*in_range)):
        if role == "first":
            tally = first.setdefault(source, [0, 0])
            tally[0] += 1
            tally[1] += revenue_of.get(order_id, 0)
        else:
            assisted[source] += 1
    sources = set(metrics) | set(last) | set(first) | set(assisted)
    wanted = [tuple(s.split(":", 1)) for s in sources if s.partition(":")[0] in CONTENT_KINDS]
    titles: dict[tuple[str, str], str] = {}
    if wanted:
        for kind, slug, title in session.execute(
                select(SearchEntry.type, SearchEntry.slug, SearchEntry.title).where(
                    SearchEntry.type.in_(CONTENT_KINDS),
                    SearchEntry.slug.in_({slug for _, slug in wanted}))):
            titles[kind, slug] = title
    rows = []
    for source in sources:
        counts, sold = metrics.get(source, Counter()), last.get(source)
        began = first.get(source, [0, 0])
        kind = source.partition(":")[0]
        rows.append(SourceRow(
            source=source, views=counts["view"], add_to_carts=counts["add_to_cart"],
            orders=len(sold[0]) if sold else 0, units=sold[1] if sold else 0,
            revenue=Money(sold[2] if sold else 0, currency),
            title=_title(source, titles),
            url_kind=kind if kind in CONTENT_KINDS and (kind, source[len(kind) + 1:]) in titles
            else None,
            first_orders=began[0], first_revenue=Money(began[1], currency),
            assisted_orders=assisted[source]))
    return sorted(rows, key=lambda r: (-r.revenue.amount, -r.orders, -r.views, r.source))
