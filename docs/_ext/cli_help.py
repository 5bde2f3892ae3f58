"""``.. cli-help:: demo``: the ``skmicrobi`` command's own ``--help`` text.

Run in-process at build time, so the page shows the options the installed
command really has.
"""

from __future__ import annotations

import contextlib
import io

from docutils import nodes
from docutils.parsers.rst import Directive


class CliHelp(Directive):
    optional_arguments = 1

    def run(self):
        from skmicrobi.cli import main

        argv = [*self.arguments, "--help"]
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            main(argv)
        text = "$ skmicrobi " + " ".join(argv) + "\n" + out.getvalue().rstrip()
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


def setup(app):
    app.add_directive("cli-help", CliHelp)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
