"""``python -m areas.qgis``: write the QGIS plugin zip, or check QGIS's Python.

- ``python -m areas.qgis zip [OUT.zip]``: the plugin for *Plugins ▸ Install from ZIP*;
- ``python -m areas.qgis check``: can QGIS's Python here run the toolkit?
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

_CHECK = """\
import os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import Qgis, QgsApplication
app = QgsApplication([], False)
app.initQgis()
import areas, areas.qgis
from processing.core.Processing import Processing
Processing.initialize()
provider = areas.qgis.provider()
QgsApplication.processingRegistry().addProvider(provider)
names = sorted(a.id() for a in provider.algorithms())
print(f"QGIS {Qgis.QGIS_VERSION} ({sys.executable}) runs areas {areas.__version__}: "
      + ", ".join(names))
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m areas.qgis", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    z = sub.add_parser("zip", help="write the QGIS plugin zip")
    z.add_argument("out", nargs="?", default="areas_processing.zip", help="the zip to write")
    sub.add_parser("check", help="check that QGIS's Python imports and runs the toolkit")
    args = parser.parse_args(argv)
    if args.command == "zip":
        from areas.qgis import write_plugin_zip

        print(write_plugin_zip(args.out))
        return 0
    from areas.qgis.host import qgis_python, run_in_qgis

    python = qgis_python()
    if python is None:
        print(
            "areas: error: no Python with QGIS found (Debian: apt-get install python3-qgis)",
            file=sys.stderr,
        )
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "check.py"
        script.write_text(_CHECK, encoding="utf-8")
        done = run_in_qgis(script, python=python)
    sys.stdout.write(done.stdout)
    if done.returncode:
        sys.stderr.write(done.stderr)
        print(f"areas: error: QGIS's Python {python} cannot run the toolkit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
