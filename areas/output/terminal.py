r"""Text for the terminal: user data shown as it is, never as markup or control codes.

Names and ids come from the user's files. Printed raw, a name such as
``Lokalplan 123 [udkast]`` would lose ``[udkast]`` to Rich's markup, and an
id holding an escape sequence (``\x1b[2J``) would clear or retitle the
terminal. :func:`terminal_text` writes every control character (C0, DEL, C1)
and every bidirectional-override character as a visible escape such as
``\x1b``; :func:`rich_cell` also keeps Rich from reading markup in it.
"""

from __future__ import annotations

import re

__all__ = ["terminal_text", "rich_cell"]

# C0 controls, DEL, C1 controls, and the bidi embedding/override/isolate marks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_KEEP_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(value: object, *, keep_newlines: bool = False) -> str:
    r"""Return ``str(value)`` with control characters written as visible escapes.

    Examples
    --------
    >>> terminal_text("Lokalplan 123 [udkast]")
    'Lokalplan 123 [udkast]'
    >>> terminal_text("a\x1b[2Jb\tc")
    'a\\x1b[2Jb\\x09c'
    """
    pattern = _CONTROL_KEEP_NEWLINE if keep_newlines else _CONTROL
    return pattern.sub(_escape, str(value))


def rich_cell(value: object):
    """Return a Rich ``Text`` that shows ``value`` verbatim (no markup, no control codes)."""
    from rich.text import Text

    return Text(terminal_text(value))
