"""Daily counters per source (`article:<slug>`, `exercise:<slug>`, `direct`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model


class SourceMetric(Model):
    """How often something happened for one source on one day (views, adds to cart)."""

    __tablename__ = "source_metric"

    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
