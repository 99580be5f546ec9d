"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
REFERENCE_DATA = SHARED / "reference-data"
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """Return the folder of real public reference layers; skip where it is absent."""
    if not REFERENCE_DATA.is_dir():
        pytest.skip(
            f"reference data folder {REFERENCE_DATA} is absent (it sits beside the repository)"
        )
    return REFERENCE_DATA


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Folder for test artifacts such as screenshots (kept after the run)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


CHROMIUM = Path("/usr/bin/chromium")
#: Launch flags for headless Chromium on a closed network, as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_or_skip(reason: str) -> None:
    """Skip with ``reason``; where ``AREAS_REQUIRE_SYSTEM_TOOLS=1`` (CI), fail instead."""
    import os

    if os.environ.get("AREAS_REQUIRE_SYSTEM_TOOLS"):
        pytest.fail(f"{reason} (AREAS_REQUIRE_SYSTEM_TOOLS is set, so this is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium; skip where it is not installed (fail in CI)."""
    if not CHROMIUM.exists():
        require_or_skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def axe():
    """axe-core for the browser tests (:class:`a11y.Axe`); skip where absent (fail in CI)."""
    from a11y import AXE_JS, Axe, missing_message

    if not AXE_JS.is_file():
        require_or_skip(missing_message(AXE_JS))
    return Axe(AXE_JS)
