"""File modes for what the package writes (no heavy imports: the CLI uses it)."""

from __future__ import annotations

import os


def new_file_mode() -> int:
    """The mode any tool gives a new file: ``0o666`` less the process's umask.

    Files written through :func:`tempfile.mkstemp` (private ``0o600``) and then
    renamed into place are set to this mode first.

    Returns
    -------
    int

    Examples
    --------
    >>> import os
    >>> from skmicrobi._files import new_file_mode
    >>> old = os.umask(0o022)
    >>> oct(new_file_mode())
    '0o644'
    >>> _ = os.umask(old)
    """
    mask = os.umask(0o022)  # reading the umask means setting it: set it back
    os.umask(mask)
    return 0o666 & ~mask
