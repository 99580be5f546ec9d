"""Run the command line as ``python -m areas``."""

from areas.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
