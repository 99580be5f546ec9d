"""Accessibility checks in a real browser: axe-core run inside headless Chromium.

axe-core is the npm package (``axe-core@4``), installed beside the repository in
``.ci/node`` (``.ci/run`` does it; by hand, see :data:`INSTALL`). The tests
inject its ``axe.min.js`` into a page opened with Playwright, run ``axe.run``
with the WCAG 2.0 / 2.1 level A and AA rules (the rules behind the Danish web
accessibility law, EN 301 549) and get back every violation: its rule id,
impact, help text and the CSS selectors of the offending elements.

Usage, with the ``axe`` fixture of ``conftest.py``::

    def test_page(axe, page):
        page.goto(path.as_uri())
        axe.assert_clean(page)          # fails with a readable list of violations

``Axe.run`` returns the violations as :class:`Violation` objects for tests that
want to look at them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: Where ``.ci/run`` (and the command in :data:`INSTALL`) installs the npm package.
NODE_PREFIX = REPO / ".ci" / "node"
AXE_JS = NODE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
INSTALL = f"npm install --no-save --prefix {NODE_PREFIX} axe-core@4"
#: The rule sets of WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

# Runs in the page: axe.run on the document, only the WCAG A/AA rules, and a
# plain-JSON digest of each violation.
_RUN = """async ([tags, iframes]) => {
    const result = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        iframes: iframes,
        resultTypes: ["violations"],
    });
    return {
        version: axe.version,
        url: result.url,
        violations: result.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            tags: v.tags.filter((t) => /^wcag/.test(t)),
            nodes: v.nodes.map((n) => ({
                target: n.target.map((t) => Array.isArray(t) ? t.join(" >> ") : String(t)),
                html: n.html.slice(0, 160),
                summary: (n.failureSummary || "").slice(0, 300),
            })),
        })),
    };
}"""


def missing_message(path: Path = AXE_JS) -> str:
    """Say that axe-core is missing and how to install it."""
    return f"axe-core is not installed (no {path}); install it with `{INSTALL}`"


@dataclass(frozen=True)
class Violation:
    """One axe-core rule that failed, with the elements that failed it."""

    id: str
    impact: str | None
    help: str
    tags: tuple[str, ...]
    targets: tuple[str, ...]
    nodes: tuple[dict, ...] = field(repr=False, compare=False, default=())

    def describe(self, max_nodes: int = 8) -> str:
        """Return the violation as a few readable lines."""
        lines = [f"- {self.id} [{self.impact}] {self.help} ({', '.join(self.tags)})"]
        for node in self.nodes[:max_nodes]:
            lines.append(f"    at {' | '.join(node['target'])}: {node['html']}")
        if len(self.nodes) > max_nodes:
            lines.append(f"    ... and {len(self.nodes) - max_nodes} more elements")
        return "\n".join(lines)


def describe(violations: Sequence[Violation], where: str = "") -> str:
    """Return a readable report of ``violations`` (for an assertion message)."""
    head = f"{len(violations)} WCAG 2.1 A/AA violation(s)" + (f" on {where}" if where else "")
    return "\n".join([head + ":", *(v.describe() for v in violations)])


class Axe:
    """axe-core's ``axe.min.js``, ready to inject into Playwright pages.

    Parameters
    ----------
    path
        The ``axe.min.js`` file of the npm package.
    tags
        The axe rule tags to run (default: :data:`WCAG_TAGS`).
    """

    def __init__(self, path: Path = AXE_JS, *, tags: Iterable[str] = WCAG_TAGS) -> None:
        if not path.is_file():
            raise FileNotFoundError(missing_message(path))
        self.path = path
        self.tags = tuple(tags)
        self.version: str | None = None

    def inject(self, page, *, iframes: bool = True) -> None:
        """Load axe into the page and, with ``iframes``, each of its frames (once per document).

        Lazily loaded ``<iframe>`` elements are scrolled into view first, so
        that their documents exist and are checked too.
        """
        if not iframes:
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.add_script_tag(path=str(self.path))
            return
        frames = page.locator("iframe")
        for i in range(frames.count()):
            frame_element = frames.nth(i)
            if frame_element.is_visible():
                frame_element.scroll_into_view_if_needed()
                handle = frame_element.element_handle()
                content = handle.content_frame() if handle else None
                if content is not None:
                    content.wait_for_load_state("load")
        page.evaluate("() => window.scrollTo(0, 0)")
        for frame in page.frames:
            if frame.is_detached():
                continue
            if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
                frame.add_script_tag(path=str(self.path))

    def run(self, page, *, iframes: bool = True) -> list[Violation]:
        """Run the WCAG rules on ``page`` and return the violations.

        With ``iframes`` each frame's document is checked as well, on its own
        (axe's cross-frame messaging does not work between ``file://``
        documents, whose origin is opaque); a frame's targets start with its URL.
        """
        self.inject(page, iframes=iframes)
        found: list[Violation] = []
        frames = page.frames if iframes else [page.main_frame]
        for frame in frames:
            if frame.is_detached() or frame.url in ("", "about:blank"):
                continue
            result = frame.evaluate(_RUN, [list(self.tags), False])
            self.version = result["version"]
            prefix = "" if frame is page.main_frame else f"{frame.url} >> "
            for v in result["violations"]:
                nodes = tuple(
                    {**n, "target": [prefix + n["target"][0], *n["target"][1:]]} for n in v["nodes"]
                )
                found.append(
                    Violation(
                        id=v["id"],
                        impact=v["impact"],
                        help=v["help"],
                        tags=tuple(v["tags"]),
                        targets=tuple(" | ".join(n["target"]) for n in nodes),
                        nodes=nodes,
                    )
                )
        return found

    def assert_clean(self, page, where: str = "", *, iframes: bool = True) -> None:
        """Fail with a readable list when ``page`` has any WCAG A/AA violation."""
        violations = self.run(page, iframes=iframes)
        assert not violations, describe(violations, where or page.url)


def as_json(violations: Sequence[Violation]) -> str:
    """Return the violations as JSON (rule id, impact, targets), for artifacts."""
    return json.dumps(
        [
            {"id": v.id, "impact": v.impact, "help": v.help, "targets": v.targets}
            for v in violations
        ],
        ensure_ascii=False,
        indent=1,
    )
