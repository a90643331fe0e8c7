"""Server-rendered inline SVG charts: no JavaScript and nothing loaded from the internet.

Every label is escaped; the charts scale to the width of their container.
"""

from __future__ import annotations

from typing import Sequence

from markupsafe import Markup, escape

PALETTE = ["#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457",
           "#5d4037", "#9e9d24", "#546e7a"]
WIDTH, HEIGHT = 420, 220
LEFT, RIGHT, TOP, BOTTOM = 36, 20, 10, 26
LABEL_SPACING = 44  # minimum distance between two x labels, in viewBox units


def _svg(body: list[str], label: str, height: int = HEIGHT) -> Markup:
    return Markup(f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label)}" '
                  f'xmlns="http://www.w3.org/2000/svg" font-size="12" '
                  f'font-family="sans-serif">{"".join(body)}</svg>')


def nice_max(value: float) -> float:
    """A round axis maximum at or above value (1, 2, 5 times a power of ten)."""
    if value <= 0:
        return 1
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if value <= factor * step:
            return factor * step
    return 10 * step


def tick_count(top_value: float, percent: bool) -> int:
    """How many steps the y axis has: whole numbers for counts, quarters for percentages."""
    if percent:
        return 4
    return next(n for n in (5, 4, 2, 1) if (top_value / n).is_integer())


def _axes(top_value: float, percent: bool) -> list[str]:
    """Horizontal grid lines with their values on the left."""
    parts = []
    plot_h = HEIGHT - TOP - BOTTOM
    steps = tick_count(top_value, percent)
    for i in range(steps + 1):
        value = top_value * i / steps
        y = HEIGHT - BOTTOM - plot_h * i / steps
        text = f"{value:.0%}" if percent else f"{value:g}"
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e8ef"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#6b7785">{text}</text>')
    return parts


def _x_labels(labels: Sequence[str], slot: float) -> list[str]:
    """As many x labels as fit without overlapping, always including the last, centred under their slots."""
    every = max(1, int(-(-LABEL_SPACING // slot)))
    parts = []
    for i in range((len(labels) - 1) % every, len(labels), every):
        x = LEFT + slot * (i + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                     f'fill="#6b7785">{escape(labels[i])}</text>')
    return parts


def stacked_bars(labels: Sequence[str], series: dict[str, Sequence[float]], title: str,
                 colors: dict[str, str] | None = None) -> Markup:
    """Vertical bars per label, stacked by series (one series gives a plain bar chart)."""
    colors = colors or series_colors(series)
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    top = nice_max(max(totals, default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    parts = _axes(top, percent=False)
    for i, label in enumerate(labels):
        base = HEIGHT - BOTTOM
        for name, values in series.items():
            h = plot_h * values[i] / top
            if h <= 0:
                continue
            base -= h
            parts.append(f'<rect class="bar" x="{LEFT + slot * i + slot * 0.15:.1f}" y="{base:.1f}" '
                         f'width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{colors[name]}">'
                         f'<title>{escape(label)} {escape(name)}: {values[i]:g}</title></rect>')
    parts += _x_labels(labels, slot)
    return _svg(parts, title)


def line_chart(labels: Sequence[str], values: Sequence[float | None], title: str,
               percent: bool = False, color: str = PALETTE[1]) -> Markup:
    """A line with a dot per point; None leaves a gap (no data that day)."""
    top = 1.0 if percent else nice_max(max((v for v in values if v is not None), default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    parts = _axes(top, percent)
    points = []
    for i, (label, value) in enumerate(zip(labels, values)):
        if value is None:
            continue
        x, y = LEFT + slot * (i + 0.5), HEIGHT - BOTTOM - plot_h * value / top
        points.append(f"{x:.1f},{y:.1f}")
        shown = f"{value:.0%}" if percent else f"{value:g}"
        parts.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                     f'<title>{escape(label)}: {shown}</title></circle>')
    if len(points) > 1:
        parts.insert(tick_count(top, percent) + 1, f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(points)}"/>')
    parts += _x_labels(labels, slot)
    return _svg(parts, title)


def rising_bars(rows: Sequence[tuple[str, int, int]], title: str) -> Markup:
    """Horizontal bars comparing this week with last week, one row per category."""
    row_h, label_w = 30, 128
    height = TOP + BOTTOM // 2 + row_h * max(1, len(rows))
    top = nice_max(max((max(now, before) for _, now, before in rows), default=0))
    span = WIDTH - label_w - RIGHT - 36
    parts = []
    for i, (name, now, before) in enumerate(rows):
        y = TOP + row_h * i
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" fill="#1f2933">{escape(name)}</text>'
                     f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{span * now / top:.1f}" height="11" '
                     f'fill="{PALETTE[1]}"><title>本周 {now}</title></rect>'
                     f'<rect x="{label_w}" y="{y + 15}" width="{span * before / top:.1f}" height="7" '
                     f'fill="#b0bec5"><title>上周 {before}</title></rect>'
                     f'<text x="{label_w + span * max(now, before) / top + 6:.1f}" y="{y + 16}" '
                     f'fill="#6b7785">{now - before:+d}</text>')
    return _svg(parts, title, height)


def series_colors(series: dict[str, Sequence[float]]) -> dict[str, str]:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(series)}
