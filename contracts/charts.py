"""Horizontal bar charts laid out for an inline SVG: no script, no external service.

No charting library in the environment draws server-side SVG (the one chart before this, the
supervisors' completeness trend in dashboards.charts, is hand-drawn too), and the need is
small: bars whose length is proportional to their value, a label above each group and the
value beside each bar. This module only computes the geometry and the texts; the partial
`_partials/bar_chart.html` writes the `<svg>` and the table of the same numbers beside it.

Horizontal bars suit a phone: the label has the chart's whole width above its bars, and
the chart grows downwards, never sideways. The coordinates are in a 360-unit-wide viewBox,
the width of a small phone, so the 13-unit text stays readable when the SVG is scaled to
the screen (width 100%).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import translation

from contracts.templatetags.rupiah import decimal_here, desimal, money, number

WIDTH = 360
MARGIN = 4
VALUE_ROOM = 88  # the widest short value, "Rp 999,9 jt", beside the longest bar
BAR_HEIGHT, BAR_GAP = 14, 3
LABEL_HEIGHT = 17  # from a group's top to its label's baseline, and room below it
GROUP_GAP = 10
LEGEND_HEIGHT = 24
# Series colours: each contrasts more than 3:1 with the white page (WCAG 1.4.11) and they
# stay apart for the common colour blindnesses (blue against orange).
COLOURS = ("#0b4a6f", "#b35900", "#5b3a8c")
MAX_BAR = WIDTH - 2 * MARGIN - VALUE_ROOM

SHORT_UNITS = ((10**12, "T"), (10**9, "M"), (10**6, "jt"), (10**3, "rb"))
# English's own short units (trillion, billion, million, thousand), written against the figure
# as the financial press writes them: "IDR 12.5bn". The Indonesian "M" (miliar) is a thousand
# times the English "m" (million), so the units are the language's, never one set for both.
SHORT_UNITS_ENGLISH = ((10**12, "tn"), (10**9, "bn"), (10**6, "m"), (10**3, "k"))


def short_rupiah(amount):
    """A money amount short enough for a bar's end, in Indonesian units: 12_500_000_000 ->
    'Rp 12,5 M', 350_000_000 -> 'Rp 350 jt', 1_200_000_000_000 -> 'Rp 1,2 T', 750 -> 'Rp 750';
    None -> '—'. One decimal below a hundred units, none above; the table beside the chart
    holds the whole figure."""
    return _short(amount, SHORT_UNITS, "Rp {number} {unit}", "Rp {number}", desimal)


def short_money(amount):
    """`short_rupiah` in the active language: 12_500_000_000 -> 'Rp 12,5 M' (id),
    'IDR 12.5bn' (en); 350_000_000 -> 'IDR 350m', 750 -> 'IDR 750'; None -> '—'."""
    if (translation.get_language() or settings.LANGUAGE_CODE) == "id":
        return short_rupiah(amount)
    return _short(amount, SHORT_UNITS_ENGLISH, "IDR {number}{unit}", "IDR {number}", decimal_here)


def _short(amount, units, pattern, plain, decimal):
    if amount is None:
        return "—"
    value = int(amount)
    sign = "-" if value < 0 else ""
    value = abs(value)
    for index, (unit, name) in enumerate(units):
        if value >= unit:
            scaled = Decimal(value) / unit
            places = Decimal("1") if scaled >= 100 else Decimal("0.1")
            scaled = scaled.quantize(places, rounding=ROUND_HALF_UP)
            if scaled >= 1000 and index > 0:  # 999.96 jt rounds to 1.000 jt: say 1 M
                bigger, bigger_name = units[index - 1]
                return sign + pattern.format(
                    number=decimal(Decimal(value) / bigger), unit=bigger_name
                )
            return sign + pattern.format(number=decimal(scaled), unit=name)
    return sign + plain.format(number=value)


@dataclass(frozen=True)
class Series:
    """One measure drawn as bars: `key` names it in each row, `name` in the legend and the
    table's heading (a lazy translation: read in the page's language); money is written in
    Rupiah, anything else as a count, both in the active language."""

    key: str
    name: str
    money: bool = True
    unknown: str = "—"  # the table's words for an unknown value (None); the bar reads "—"

    def short(self, value):
        return short_money(value) if self.money else number(value)

    def full(self, value):
        if value is None:
            return self.unknown
        return money(value) if self.money else number(value)


@dataclass
class Bar:
    series_name: str
    value: object
    text: str  # the short value written beside the bar
    full: str  # the whole value, for the table and the text alternative
    colour: str
    x: float
    y: float
    length: float
    height: int
    drawn: bool  # False for an unknown value (None): nothing drawn, "—" written
    shown: bool = True  # False in a group of zeros written as one line (`zero_row_text`)

    @property
    def text_x(self):
        return round(self.x + self.length + 4, 2)

    @property
    def text_y(self):
        return self.y + self.height - 3


@dataclass
class Group:
    label: str
    href: str
    label_y: float
    bars: list = field(default_factory=list)
    note: str = ""  # written at the label line's end when the group draws no bar


@dataclass
class LegendEntry:
    name: str
    colour: str
    x: float
    text_x: float


@dataclass
class TableRow:
    label: str
    href: str
    cells: list  # (column heading, whole value)


@dataclass
class BarChart:
    """What the partial draws: `groups` of bars (one per series) in a `WIDTH` x `height`
    viewBox, the `legend` when there are several series, and the texts: `title`, a
    `description` naming every value (the text alternative), `empty_text` when there are no
    groups at all."""

    slug: str
    title: str
    series: list
    groups: list
    height: float
    legend: list
    description: str
    empty_text: str
    label_heading: str
    table_headings: list  # the columns after the label's
    table_rows: list  # TableRow per group: the same numbers, whole
    width: int = WIDTH
    legend_y: float = 0
    notes: list = field(default_factory=list)  # sentences under the chart, before its table

    @property
    def is_empty(self):
        return not self.groups


def bar_chart(
    rows,
    *,
    slug,
    title,
    series,
    label,
    label_heading,
    empty_text,
    href=None,
    extra_columns=(),
    zero_row_text="",
    aside=(),
    notes=(),
):
    """Lay out `rows` (dicts) as groups of horizontal bars, one group per row in the given
    order and one bar per `series` in each. `label(row)` and `href(row)` give a group's
    label and the address its table row links to ("" for none). Bar lengths share one
    scale, the largest value across every series drawn `MAX_BAR` units long; a value of
    None draws no bar and reads "—", a negative one is drawn as zero. `extra_columns`
    (Series) appear in the table only. With `zero_row_text`, a row whose every value is
    zero takes one line, its label and that text, instead of a group of empty bars (a long
    list of places, most with nothing). `aside` rows are in the table only, after the
    others: neither drawn nor counted in the scale (a catch-all row that would shrink every
    bar to a sliver); `notes` are sentences written under the chart, which should name them.
    `slug` makes the SVG's element ids unique in the page."""
    rows, series, aside = list(rows), list(series), list(aside)
    values = [
        row[s.key] for row in rows for s in series if row[s.key] is not None and row[s.key] > 0
    ]
    largest = max(values, default=0)
    legend = []
    top = MARGIN
    if len(series) > 1:
        x = MARGIN
        for index, s in enumerate(series):
            name = str(s.name)  # the label in the page's language, measured as written
            legend.append(LegendEntry(name, COLOURS[index], x, x + 16))
            x += 16 + 8 * len(name) + 16
        top += LEGEND_HEIGHT
    groups = []
    for row in rows:
        group = Group(
            label=label(row), href=href(row) if href else "", label_y=top + LABEL_HEIGHT - 4
        )
        y = top + LABEL_HEIGHT + 2
        quiet = bool(zero_row_text) and all(row[s.key] == 0 for s in series)
        if quiet:
            group.note = zero_row_text
        for index, s in enumerate(series):
            value = row[s.key]
            length = MAX_BAR * max(value, 0) / largest if value is not None and largest else 0
            group.bars.append(
                Bar(
                    series_name=s.name,
                    value=value,
                    text=s.short(value),
                    full=s.full(value),
                    colour=COLOURS[index],
                    x=MARGIN,
                    y=y,
                    length=round(length, 2),
                    height=BAR_HEIGHT,
                    drawn=value is not None,
                    shown=not quiet,
                )
            )
            if not quiet:
                y += BAR_HEIGHT + BAR_GAP
        groups.append(group)
        bottom = top + LABEL_HEIGHT if quiet else y - BAR_GAP
        top = bottom + (GROUP_GAP if not quiet else 2)
    description = "; ".join(
        f"{group.label}: " + ", ".join(f"{bar.series_name} {bar.full}" for bar in group.bars)
        for group in groups
    )
    columns = [*series, *extra_columns]
    table_rows = [
        TableRow(group.label, group.href, [(s.name, s.full(row[s.key])) for s in columns])
        for group, row in zip(groups, rows, strict=True)
    ] + [
        TableRow(
            label(row), href(row) if href else "", [(s.name, s.full(row[s.key])) for s in columns]
        )
        for row in aside
    ]
    return BarChart(
        slug=slug,
        title=title,
        series=series,
        groups=groups,
        height=bottom + MARGIN if groups else 0,
        legend=legend,
        legend_y=MARGIN + 12,
        description=f"{title}. {description}." if groups else empty_text,
        empty_text=empty_text,
        label_heading=label_heading,
        table_headings=[s.name for s in columns],
        table_rows=table_rows,
        notes=list(notes),
    )
