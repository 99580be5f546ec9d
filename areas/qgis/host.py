"""Run Python code in QGIS's Python with this toolkit importable.

QGIS embeds its own Python (on Debian and Ubuntu ``/usr/bin/python3`` with
the ``python3-qgis`` package; on Windows the OSGeo4W ``python-qgis``). The
toolkit and its dependencies may live elsewhere, e.g. in a virtual
environment. :func:`qgis_python` finds an interpreter that imports
``qgis.core``, and :func:`qgis_environment` the environment under which it
also imports ``areas`` and its dependencies from the running interpreter's
site-packages (placed first on ``sys.path``, so the toolkit's numpy and pandas
are used, not older system copies; QGIS's own libraries do not use numpy).

``python -m areas.qgis check`` uses them to tell whether QGIS can run the
toolkit here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping
from pathlib import Path

__all__ = ["qgis_python", "qgis_environment", "run_in_qgis", "QGIS_PYTHON_CANDIDATES"]

#: Interpreters tried, in order, after the ``AREAS_QGIS_PYTHON`` environment variable.
QGIS_PYTHON_CANDIDATES = ("/usr/bin/python3", "/usr/local/bin/python3", "python3")

#: Where QGIS keeps its bundled plugins (``processing``) on Debian and Ubuntu.
_PLUGIN_DIRS = ("/usr/share/qgis/python/plugins", "/usr/lib/qgis/python/plugins")


def _imports_qgis(python: str) -> bool:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    try:
        done = subprocess.run(
            [python, "-c", "import qgis.core"],
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def qgis_python() -> str | None:
    """Return the path of a Python interpreter that imports ``qgis.core``, or None.

    ``AREAS_QGIS_PYTHON`` names one explicitly; otherwise the running
    interpreter and :data:`QGIS_PYTHON_CANDIDATES` are tried.
    """
    named = os.environ.get("AREAS_QGIS_PYTHON")
    candidates = [named] if named else [sys.executable, *QGIS_PYTHON_CANDIDATES]
    seen: set[str] = set()
    for candidate in candidates:
        found = shutil.which(candidate) if candidate else None
        if not found or found in seen:
            continue
        seen.add(found)
        if _imports_qgis(found):
            return found
    return None


def qgis_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return environment variables under which QGIS's Python imports this toolkit.

    ``PYTHONPATH`` lists the folder holding the ``areas`` package, this
    interpreter's site-packages and QGIS's plugin folder (for ``processing``);
    Qt draws off screen (``QT_QPA_PLATFORM=offscreen``) unless a platform is set.
    """
    env = dict(os.environ if base is None else base)
    root = str(Path(__file__).resolve().parents[2])
    paths = [root]
    for key in ("purelib", "platlib"):
        p = sysconfig.get_paths()[key]
        if p not in paths:
            paths.append(p)
    paths += [d for d in _PLUGIN_DIRS if Path(d).is_dir()]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.pop("PYTHONHOME", None)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def run_in_qgis(
    script: str | os.PathLike,
    *args: str,
    python: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run a Python script file in QGIS's Python (see :func:`qgis_environment`).

    Returns the completed process (text output captured); raises
    ``FileNotFoundError`` when no interpreter imports ``qgis.core``.
    """
    python = python or qgis_python()
    if python is None:
        msg = "no Python with QGIS found: install QGIS (Debian: apt-get install python3-qgis)"
        raise FileNotFoundError(msg)
    return subprocess.run(
        [python, str(script), *args],
        env=qgis_environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
