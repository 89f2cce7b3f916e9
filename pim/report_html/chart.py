"""Completeness as an inline SVG bar chart: no script, no external asset, readable when printed."""

from __future__ import annotations

from markupsafe import Markup, escape

ROW = 22  # px per bar
LABEL = 190  # px for "channel · locale"
BAR = 420  # px for 100 %


def completeness_chart(rows: list[dict]) -> Markup:
    """One horizontal bar per channel x locale: the mean completeness of its products, in percent."""
    if not rows:
        return Markup("")
    height = ROW * len(rows) + 8
    width = LABEL + BAR + 60
    parts = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        "<title>Mean completeness per channel and locale, in percent</title>",
    ]
    for index, row in enumerate(rows):
        y = 4 + index * ROW
        filled = round(BAR * row["percent"] / 100)
        level = "good" if row["percent"] >= 90 else "fair" if row["percent"] >= 60 else "poor"
        label = escape(f"{row['channel']} · {row['locale']}")
        parts.append(
            f'<g><text x="{LABEL - 8}" y="{y + 15}" text-anchor="end">{label}</text>'
            f'<rect class="track" x="{LABEL}" y="{y + 3}" width="{BAR}" height="{ROW - 8}" rx="3"/>'
            f'<rect class="bar {level}" x="{LABEL}" y="{y + 3}" width="{filled}" height="{ROW - 8}" rx="3"/>'
            f'<text x="{LABEL + BAR + 8}" y="{y + 15}">{row["percent"]} %</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
