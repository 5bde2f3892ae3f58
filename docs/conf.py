"""Sphinx configuration of the skmicrobi documentation.

CI builds it from the repository root with

    python -m sphinx -W --keep-going -q -b html docs docs/_build/html

which executes the gallery (``examples/plot_*.py``) and must give no warning.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import matplotlib

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
# Document the checkout these docs belong to, whatever else is installed; the
# "How it compares" page also imports its benchmarks package.
sys.path.insert(0, str(ROOT))

import skmicrobi  # noqa: E402

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

# -- project ------------------------------------------------------------------
project = "skmicrobi"
author = "skmicrobi developers"
copyright = "2026, skmicrobi developers"
version = release = skmicrobi.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "benchmark_results",
    "skmicrobi_aliases",
    "optional_pages",
    "cli_help",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
root_doc = "index"
default_role = "literal"
# The numpy-style arithmetic in docstrings (``2**-n``, ``*``) is literal text.
smartquotes = False

# -- autodoc, autosummary, numpydoc -------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False



def _skip_sklearn_request_methods(app, what, name, obj, skip, options):
    # scikit-learn generates set_{fit,score,...}_request on every estimator class;
    # their docstrings point into scikit-learn's own user guide, which is not
    # here, and they are documented there.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_sklearn_request_methods)


# -- intersphinx --------------------------------------------------------------
# Each project's remote inventory first, then an empty local one. Online, links
# to scikit-learn, sktime, skorch, numpy and torch resolve; offline (CI reaches
# only package registries) the remote fetch fails and sphinx falls back to the
# empty inventory, which it reports at info level only, so ``-W`` still passes
# and those names render as plain code instead of links. Without the fallback,
# sphinx warns "failed to reach any of the inventories" for each project.
_EMPTY_INVENTORY = DOCS / "_build" / "empty-objects.inv"


def _write_empty_inventory(path: Path) -> str:
    import zlib

    header = (
        b"# Sphinx inventory version 2\n# Project: none\n# Version: 0\n"
        b"# The remainder of this file is compressed using zlib.\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + zlib.compress(b""))
    return str(path)


_fallback = _write_empty_inventory(_EMPTY_INVENTORY)
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", (None, _fallback)),
    "numpy": ("https://numpy.org/doc/stable", (None, _fallback)),
    "sklearn": ("https://scikit-learn.org/stable", (None, _fallback)),
    "sktime": ("https://www.sktime.net/en/stable", (None, _fallback)),
    "skorch": ("https://skorch.readthedocs.io/en/stable", (None, _fallback)),
    "torch": ("https://docs.pytorch.org/docs/stable", (None, _fallback)),
}
intersphinx_timeout = 10

# -- sphinx-gallery -----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": str(DOCS / "auto_examples"),
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "gallery_order.ExampleOrder",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "doc_module": ("skmicrobi",),
    "backreferences_dir": str(DOCS / "gen_modules" / "backreferences"),
    "reference_url": {"skmicrobi": None},
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib", "gallery_order.reset_torch_threads"),
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 5,
    "download_all_examples": True,
    "plot_gallery": "True",
}

# -- HTML -----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skmicrobi {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
# Pages with no sub-pages need no section navigation; the wide benchmark tables
# get the room.
html_sidebars = {page: [] for page in ("index", "install", "comparison", "changelog")}
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "navigation_with_keys": False,
}
html_context = {"default_mode": "light"}

# torch and sktime warn about their own deprecations while autodoc imports them;
# those are not ours to fix and are not sphinx warnings.
warnings.filterwarnings("ignore", category=FutureWarning, module="sktime")
