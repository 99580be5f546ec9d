"""Run the command line as ``python -m areas``."""

from .cli import main

raise SystemExit(main())
