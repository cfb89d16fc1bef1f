"""A line chart of monthly completeness as inline SVG: no script, no external service."""

from django.utils.dates import MONTHS_3
from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 240, 40, 30, 12


def _month(number):
    """The axis' short month name in the active language, as the `date` filter's "M" writes it:
    Jan … Mei … Des (id), Jan … May … Dec (en)."""
    return MONTHS_3[number].title()


def trend_svg(points, title):
    """The SVG (safe HTML) of `points` (month 1-12, share 0-100 or None), `title` its accessible
    name, in the page's language; "" when no month has a share."""
    plotted = [p for p in points if p["share"] is not None]
    if not plotted:
        return ""
    inner_w, inner_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP

    def x(month):
        return LEFT + inner_w * (month - 1) / 11

    def y(share):
        return TOP + inner_h * (1 - share / 100)

    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart__grid"/>'
        '<text x="{}" y="{}" class="chart__axis" text-anchor="end">{}%</text>',
        ((LEFT, WIDTH - 10, y(s), y(s), LEFT - 6, y(s) + 4, s) for s in (0, 25, 50, 75, 100)),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" class="chart__axis" text-anchor="middle">{}</text>',
        ((x(m), HEIGHT - 10, _month(m)) for m in range(1, 13)),
    )
    line = " ".join(f"{x(p['month']):.1f},{y(p['share']):.1f}" for p in plotted)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" class="chart__dot"><title>{}: {}%</title></circle>',
        (
            (f"{x(p['month']):.1f}", f"{y(p['share']):.1f}", _month(p["month"]), p["share"])
            for p in plotted
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}{}'
        '<polyline points="{}" class="chart__line"/>{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        grid,
        labels,
        line,
        dots,
    )
