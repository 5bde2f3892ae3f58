"""The names an exported model may take in C (no heavy imports: the CLI checks
its arguments with this before it loads numpy or torch)."""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_RUNTIME_NAMES = re.compile(r"(mb|microbi)(_|\Z)", re.IGNORECASE)


def check_model_name(name: object) -> str:
    """Return ``name`` if it can name an exported model, else raise ValueError.

    It must be a C identifier that starts with a letter and has no ``__`` (C
    reserves ``_x`` and ``__``), and must not start with ``mb_`` or ``microbi``
    (the runtime's functions and files).

    Parameters
    ----------
    name : object
        The proposed name.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Saying which rule ``name`` breaks.

    Examples
    --------
    >>> from skmicrobi._cnames import check_model_name
    >>> check_model_name("har")
    'har'
    """
    if not isinstance(name, str) or not _IDENTIFIER.match(name) or "__" in name:
        raise ValueError(
            f"name must be a C identifier of letters, digits and single underscores "
            f"that starts with a letter (C reserves _x and __), got {name!r}."
        )
    if _RUNTIME_NAMES.match(name):
        raise ValueError(
            f"name {name!r} would collide with the runtime's mb_/microbi names; "
            "choose another."
        )
    return name
