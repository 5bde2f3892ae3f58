"""Order of the gallery: the data path, from a first fit to deployment."""

from __future__ import annotations

#: Examples in reading order; any other example follows, by file name.
ORDER = (
    "plot_quickstart.py",
    "plot_streams_to_predictions.py",
    "plot_grid_search_subjects.py",
    "plot_quantize_and_export.py",
    "plot_load_hapt.py",
    "plot_sktime_side_by_side.py",
    "plot_benchmark_results.py",
)


class ExampleOrder:
    """Sort key for sphinx-gallery's ``within_subsection_order``."""

    def __init__(self, src_dir: str) -> None:
        self.src_dir = src_dir

    def __call__(self, filename: str) -> tuple[int, str]:
        rank = ORDER.index(filename) if filename in ORDER else len(ORDER)
        return rank, filename

    def __repr__(self) -> str:
        # sphinx caches the configuration and compares it by repr between builds.
        return f"<{type(self).__name__}>"


def reset_torch_threads(gallery_conf, fname, when=None) -> None:
    """Run every example with one torch thread (sphinx-gallery ``reset_modules``).

    The networks in the examples are small enough that one thread trains them as
    fast as several, and a docs build shares its CPUs; an example that runs numba
    (sktime's MiniRocket) also changes the OpenMP thread count torch uses, which
    must not carry over into the next example.
    """
    import torch

    torch.set_num_threads(1)
