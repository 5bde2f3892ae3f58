"""Read rows of a memory-mapped array from its file, not through the mapping.

Reading a :class:`numpy.memmap` maps the pages it touches into the process and
the kernel leaves them there, so after one pass over a 4 GB file of windows the
process's resident set (RSS) is 4 GB, although the pages are clean and
reclaimable. On current Linux kernels it is worse than that: the page cache holds
large folios and a fault maps a whole folio, so reading 4.6 kB windows at random
maps about 1.3 MB each. Batch schedulers (Slurm, Kubernetes) count that RSS
against the job.

:class:`RowReader` reads rows (items along the first axis) of an array backed by
a shared file mapping (``np.memmap`` modes ``"r"``, ``"r+"``, ``"w+"``, or any view
of one whose last axis is contiguous) with ``pread`` from the file: the data comes
from the same page cache, the writes made through a shared mapping are visible,
and nothing is mapped into the process. Anything else (arrays in memory,
copy-on-write memmaps, whose private changes the file does not have, platforms
without ``pread``) is read by ordinary indexing.
"""

from __future__ import annotations

import mmap
import os
from typing import Any

import numpy as np

_SHARED_MODES = frozenset({"r", "r+", "w+"})


def _root_memmap(X: Any) -> np.memmap | None:
    """The ``np.memmap`` that owns the shared file mapping behind ``X``, or None."""
    obj = X
    while obj is not None and not isinstance(obj, mmap.mmap):
        if isinstance(obj, np.memmap) and isinstance(obj.base, mmap.mmap):
            return obj if obj.mode in _SHARED_MODES else None
        obj = getattr(obj, "base", None)
    return None


class RowReader:
    """Copy rows of ``X`` into fresh arrays, from the file when ``X`` is one.

    Parameters
    ----------
    X : numpy.ndarray
        The array to read, at least 1D.

    Attributes
    ----------
    from_file : bool
        Whether rows are read from the file with ``pread``; the reader then
        keeps no reference to ``X`` and pickles without its data.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from skmicrobi._memmap import RowReader
    >>> path = os.path.join(tempfile.mkdtemp(), "w.npy")
    >>> np.save(path, np.arange(24, dtype=np.float32).reshape(4, 2, 3))
    >>> reader = RowReader(np.load(path, mmap_mode="r"))
    >>> reader.from_file
    True
    >>> reader[2]
    array([[12., 13., 14.],
           [15., 16., 17.]], dtype=float32)
    >>> reader[np.array([0, 1, 3])].shape
    (3, 2, 3)
    """

    def __init__(self, X: np.ndarray) -> None:
        self.X = X
        self._fd = None
        self._pid = None
        root = _root_memmap(X) if hasattr(os, "pread") and X.ndim >= 1 else None
        item = X.dtype.itemsize
        row_shape, row_strides = X.shape[1:], X.strides[1:]
        # the trailing axes of a row that are contiguous in the file form one
        # segment, read with one call; a row is one or more segments.
        n_contiguous, size = 0, item
        for length, stride in zip(row_shape[::-1], row_strides[::-1]):
            if stride != size and length > 1:
                break
            n_contiguous += 1
            size *= length
        self.from_file = bool(
            root is not None
            and root.filename is not None
            and (n_contiguous > 0 or not row_shape)
        )
        if not self.from_file:
            return
        self._filename = root.filename
        self._origin = root.offset + (
            X.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        )
        self._segment_bytes = size
        self._shape, self._dtype, self._row_stride = X.shape, X.dtype, X.strides[0]
        outer = len(row_shape) - n_contiguous
        grids = np.meshgrid(*[np.arange(n) for n in row_shape[:outer]], indexing="ij")
        self._segment_offsets = sum(
            (g.ravel() * st for g, st in zip(grids, row_strides[:outer])),
            np.zeros(1, dtype=np.int64),
        ).astype(np.int64)
        # rows that follow each other in the file are read in runs
        self._rows_contiguous = outer == 0 and X.strides[0] == size
        # reads need the file, not the array: a pickled reader leaves it out
        self.X = None
        # opened now, while the memmap holds the file, not later by a name that
        # may have been removed or reused since
        self._file()

    def __len__(self) -> int:
        return self._shape[0] if self.from_file else len(self.X)

    def __getitem__(self, index: Any) -> np.ndarray:
        """Row ``index`` (an int) or rows ``index`` (a slice or an integer array)."""
        if not self.from_file:
            rows = self.X[index]
            # fancy indexing has copied already; a view must not alias X
            return rows.copy() if np.may_share_memory(rows, self.X) else rows
        if isinstance(index, (int, np.integer)):
            n = len(self)
            if not -n <= index < n:
                raise IndexError(
                    f"index {index} is out of bounds for axis 0 with size {n}"
                )
            row = int(index) % n
            out = np.empty(self._shape[1:], dtype=self._dtype)
            self._read_rows(row, 1, out)
            return out
        rows = np.arange(len(self))[index]
        out = np.empty((len(rows), *self._shape[1:]), dtype=self._dtype)
        if not self._rows_contiguous:
            for k, row in enumerate(rows):
                self._read_rows(int(row), 1, out[k : k + 1])
            return out
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        for lo, hi in zip(np.r_[0, breaks], np.r_[breaks, len(rows)]):
            self._read_rows(int(rows[lo]), int(hi - lo), out[lo:hi])
        return out

    def _read_rows(self, first: int, count: int, out: np.ndarray) -> None:
        """Read ``count`` rows from ``first`` (``count > 1`` for contiguous rows)."""
        fd = self._file()
        start = self._origin + first * self._row_stride
        buffer = memoryview(out.reshape(-1)).cast("B")
        size = self._segment_bytes * count
        for k, offset in enumerate(self._segment_offsets):
            _pread_into(fd, buffer[k * size : (k + 1) * size], int(start + offset))

    def _file(self) -> int:
        # a descriptor per process: a DataLoader worker forked from this one
        # must not share the parent's
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(
                self._filename, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
            )
            self._pid = os.getpid()
        return self._fd

    def close(self) -> None:
        """Close the file; a later read opens it again."""
        if getattr(self, "_fd", None) is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = self._pid = None

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_fd"] = state["_pid"] = None
        return state

    def __del__(self) -> None:
        self.close()


def _pread_into(fd: int, buffer: memoryview, offset: int) -> None:
    """Fill ``buffer`` from the file at ``offset``, across short reads."""
    done = 0
    while done < len(buffer):
        if hasattr(os, "preadv"):
            n = os.preadv(fd, [buffer[done:]], offset + done)
        else:
            data = os.pread(fd, len(buffer) - done, offset + done)
            buffer[done : done + len(data)] = data
            n = len(data)
        if n == 0:
            raise OSError(
                f"the memmap's file ended at byte {offset + done}: it was truncated "
                "after the array was opened."
            )
        done += n
