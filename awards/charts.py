"""Horizontal bar charts drawn on the server as inline SVG (``templates/awards/_bar_chart.html``):
no script, nothing fetched. Widths are percentages of the chart's own width and the text keeps
its size, so the chart fills a phone's screen as well as a desktop's; each row's label stands
above its bar, so long Chinese names are never cut. The SVG has a title and a description that
reads every value, for screen readers; the table next to it holds the same figures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ROW_HEIGHT = 42
BAR_SPAN = 70.0  # percent of the width the longest bar takes; the rest holds its figure


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    note: str  # the figure printed after the bar, e.g. "3" or "3（名额 5）"
    width: float  # percent
    marker: float | None  # percent: where a limit (the quota) stands, drawn as a tick
    y: int

    @property
    def note_at(self) -> float:
        """Where the figure starts (percent): after the bar and after the limit's tick."""
        return max(self.width, self.marker or 0)


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    desc: str
    bars: Sequence[Bar]
    height: int


def bar_chart(
    chart_id: str,
    title: str,
    rows: Iterable[tuple[str, int]],
    *,
    unit: str = "",
    limits: Sequence[int | None] = (),
    limit_label: str = "",
) -> BarChart:
    """A chart of ``rows`` (label, value); ``limits[i]`` marks a limit on row i (e.g. its quota)."""
    rows = list(rows)
    top = max([v for _label, v in rows] + [m for m in limits if m is not None] + [1])
    bars = []
    for i, (label, value) in enumerate(rows):
        limit = limits[i] if i < len(limits) else None
        note = f"{value}{unit}" + (f"（{limit_label} {limit}）" if limit is not None else "")
        bars.append(
            Bar(
                label=label,
                value=value,
                note=note,
                width=round(value / top * BAR_SPAN, 2),
                marker=round(limit / top * BAR_SPAN, 2) if limit is not None else None,
                y=i * ROW_HEIGHT,
            )  # fmt: skip
        )
    desc = "；".join(f"{b.label}：{b.note}" for b in bars) or "—"
    return BarChart(id=chart_id, title=title, desc=desc, bars=bars, height=max(len(bars), 1) * ROW_HEIGHT + 4)
