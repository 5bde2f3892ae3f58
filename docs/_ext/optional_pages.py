"""Add pages that other work streams own to a toctree only once they exist.

``docs/user_guide/scaling.rst`` (scaling out training and search) is written
with issue 8; until then the user guide must build without it, and a toctree
entry or glob that names a missing page is a warning (an error under ``-W``).
"""

from __future__ import annotations

from pathlib import Path

#: (document holding the toctree, marker line in it, page added when it exists)
OPTIONAL = (("user_guide/index", "   .. optional: scaling", "scaling"),)


def _add_existing(app, docname: str, source: list[str]) -> None:
    for doc, marker, page in OPTIONAL:
        if docname != doc:
            continue
        exists = (Path(app.srcdir) / doc).parent.joinpath(page + ".rst").is_file()
        source[0] = source[0].replace(marker, f"   {page}" if exists else "")


def setup(app):
    app.connect("source-read", _add_existing)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
