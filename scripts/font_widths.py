#!/usr/bin/env python
"""Write the advance widths of DejaVu Sans used to lay out the report's SVG charts.

The charts of :mod:`areas.output.charts` are written as SVG text without a
layout engine; to place legends and wrap long names they need the width of a
text. This script measures every character from U+0020 to U+024F (Basic
Latin, Latin-1, Latin Extended-A and -B: Danish, Nordic and most European
names) in the regular and bold DejaVu Sans that matplotlib ships, and writes
the widths in thousandths of an em to ``areas/output/svg/dejavu_widths.json``.
Characters outside that range are taken as one em wide (a conservative guess
for CJK and other scripts).

Usage::

    python scripts/font_widths.py
"""

from __future__ import annotations

import json
from pathlib import Path

FIRST, LAST = 0x20, 0x24F
OUT = Path(__file__).resolve().parent.parent / "areas" / "output" / "svg" / "dejavu_widths.json"


def widths(weight: str) -> list[int]:
    """Return the advance widths (1/1000 em) of FIRST..LAST in DejaVu Sans ``weight``."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font, LoadFlags

    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", weight=weight))
    font = FT2Font(path)
    font.set_size(1000, 72)  # 1 em = 1000 units
    out = []
    for code in range(FIRST, LAST + 1):
        if font.get_char_index(code) == 0:
            out.append(1000)
            continue
        glyph = font.load_char(code, flags=LoadFlags.NO_HINTING)
        out.append(round(glyph.linearHoriAdvance / 65536))
    return out


def main() -> None:
    data = {
        "font": "DejaVu Sans",
        "first": FIRST,
        "unit": "1/1000 em",
        "regular": widths("normal"),
        "bold": widths("bold"),
    }
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
