"""Find, download and unpack dataset archives: one small, careful helper.

Every loader in :mod:`skmicrobi.datasets` calls :func:`fetch_archive` with a
:class:`RemoteArchive`. The archive's unpacked folder is looked for in
``data_home`` first, so a folder placed there by hand (or a read-only shared
copy) is used as is. Otherwise the archive is downloaded and unpacked so that a
failure at any point leaves nothing that a later call could mistake for data:

* the download streams into a temporary file in ``data_home`` (same file system)
  and is renamed into place with :func:`os.replace` only once it is complete and
  its SHA-256 matches; a short transfer, a checksum mismatch, an interrupt or
  any other error deletes the temporary file;
* unpacking goes into a temporary folder, which is renamed to the final folder
  only once the archive's marker file is found in it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

#: Environment variable that overrides the default data home.
DATA_HOME_ENV = "SKMICROBI_DATA"

#: Default data home, as ``sklearn.datasets.get_data_home`` does with
#: ``~/scikit_learn_data``.
DEFAULT_DATA_HOME = "~/skmicrobi_data"

#: Bytes read from the network per iteration: large enough to be fast, small
#: enough that progress updates stay smooth.
CHUNK_SIZE = 1 << 20

#: Seconds without any byte from the server before the download gives up.
TIMEOUT_S = 60

#: How deep in an unpacked archive the marker file is searched for.
_MAX_SEARCH_DEPTH = 4


@dataclass(frozen=True)
class RemoteArchive:
    """Where a dataset archive comes from and what it unpacks to.

    Parameters
    ----------
    name : str
        Human-readable dataset name, used in messages.
    url : str
        Official download URL.
    filename : str
        Name of the downloaded archive in ``data_home``.
    sha256 : str or None
        Expected SHA-256 of the downloaded file, or ``None`` when no checksum
        has been pinned (the download is then not verified).
    folder : str
        Name of the unpacked folder in ``data_home``.
    marker : str
        Path, relative to ``folder``, of a file that only a complete copy of
        the archive has; it tells a usable folder from an unrelated one.

    Examples
    --------
    >>> from skmicrobi.datasets._fetch import RemoteArchive
    >>> a = RemoteArchive("Toy", "https://example.org/toy.zip", "toy.zip", None,
    ...                   "toy", "data.txt")
    >>> a.folder
    'toy'
    """

    name: str
    url: str
    filename: str
    sha256: str | None
    folder: str
    marker: str


class ArchiveNotFoundError(OSError):
    """A dataset is not in ``data_home`` and could not (or may not) be downloaded.

    Examples
    --------
    >>> from skmicrobi.datasets._fetch import ArchiveNotFoundError
    >>> issubclass(ArchiveNotFoundError, OSError)
    True
    """


class ChecksumError(OSError):
    """A downloaded file's SHA-256 differs from the pinned one; nothing was kept.

    Examples
    --------
    >>> from skmicrobi.datasets._fetch import ChecksumError
    >>> issubclass(ChecksumError, OSError)
    True
    """


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """Return the folder where skmicrobi keeps datasets.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder to use. ``None`` means ``$SKMICROBI_DATA`` when that is set,
        else ``~/skmicrobi_data``. ``~`` is expanded. The folder is not created
        here; downloads create it when they need it, so a read-only folder of
        unpacked datasets works.

    Returns
    -------
    pathlib.Path
        The data home.

    Examples
    --------
    >>> from skmicrobi.datasets import get_data_home
    >>> str(get_data_home("/tmp/my_data"))
    '/tmp/my_data'
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV, DEFAULT_DATA_HOME)
    return Path(os.fspath(data_home)).expanduser()


def fetch_archive(
    archive: RemoteArchive,
    data_home: str | os.PathLike | None = None,
    download_if_missing: bool = True,
) -> Path:
    """Return the unpacked folder of ``archive``, downloading it if needed.

    Parameters
    ----------
    archive : RemoteArchive
        The dataset archive.
    data_home : str or path-like, default=None
        See :func:`get_data_home`.
    download_if_missing : bool, default=True
        Download the archive when it is not in ``data_home``; otherwise raise.

    Returns
    -------
    pathlib.Path
        ``data_home / archive.folder``, which contains ``archive.marker``.

    Raises
    ------
    ArchiveNotFoundError
        The folder is absent and ``download_if_missing`` is False, or the
        download failed (offline, server error); the message names the URL and
        where to place the files by hand.
    ChecksumError
        The downloaded file does not match ``archive.sha256``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skmicrobi.datasets._fetch import RemoteArchive, fetch_archive
    >>> home = pathlib.Path(tempfile.mkdtemp())
    >>> (home / "toy").mkdir()
    >>> _ = (home / "toy" / "data.txt").write_text("1 2 3")
    >>> a = RemoteArchive("Toy", "https://example.org/toy.zip", "toy.zip", None,
    ...                   "toy", "data.txt")
    >>> fetch_archive(a, data_home=home, download_if_missing=False).name
    'toy'
    """
    home = get_data_home(data_home)
    folder = home / archive.folder
    if (folder / archive.marker).is_file():
        return folder
    if not download_if_missing:
        raise ArchiveNotFoundError(
            f"{archive.name} was not found: {folder / archive.marker} does not "
            f"exist. Pass download_if_missing=True to download it from "
            f"{archive.url}, or download that file by hand and unpack it so that "
            f"{folder} holds the archive's contents."
        )
    if folder.exists():
        raise ArchiveNotFoundError(
            f"{folder} exists but has no {archive.marker}, so it is not a complete "
            f"copy of {archive.name}. Remove or rename it, then call again to "
            f"download {archive.url}."
        )
    home.mkdir(parents=True, exist_ok=True)
    archive_path = home / archive.filename
    if archive_path.is_file():
        # A file placed by hand is checked too, but never deleted: it is theirs.
        if archive.sha256 is not None and _sha256(archive_path) != archive.sha256:
            raise ChecksumError(
                f"{archive_path} does not have the SHA-256 {archive.sha256} of "
                f"{archive.name} from {archive.url}. Replace it with the official "
                f"file, or delete it so that it is downloaded again."
            )
    else:
        try:
            download(archive.url, archive_path, sha256=archive.sha256)
        except (urllib.error.URLError, OSError) as exc:
            if isinstance(exc, (ChecksumError, ArchiveNotFoundError)):
                raise
            raise ArchiveNotFoundError(
                f"Could not download {archive.name} from {archive.url} ({exc}). "
                f"Without network access, download it on another machine and "
                f"place the file at {archive_path} (or unpack it so that "
                f"{folder} holds the archive's contents), then call again."
            ) from exc
    extract(archive_path, folder, marker=archive.marker)
    return folder


def download(url: str, path: str | os.PathLike, sha256: str | None = None) -> Path:
    """Download ``url`` to ``path`` atomically, checking its SHA-256.

    The bytes stream into a temporary file next to ``path``; it is renamed to
    ``path`` only when the transfer is complete (as many bytes as the server
    announced) and the digest matches. On any failure, including an interrupt,
    the temporary file is removed and ``path`` is left untouched.

    Parameters
    ----------
    url : str
        ``http(s)://`` or ``file://`` URL.
    path : str or path-like
        Destination file.
    sha256 : str or None, default=None
        Expected hex digest; ``None`` skips the check.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ChecksumError
        The digest differs from ``sha256``.
    OSError
        The transfer ended before the announced length, or a network error.

    Examples
    --------
    >>> import hashlib, pathlib, tempfile
    >>> from skmicrobi.datasets._fetch import download
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> src = tmp / "src.txt"
    >>> _ = src.write_bytes(b"hello")
    >>> digest = hashlib.sha256(b"hello").hexdigest()
    >>> download(src.as_uri(), tmp / "copy.txt", sha256=digest).read_bytes()
    b'hello'
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".part", dir=path.parent
    )
    digest = hashlib.sha256()
    received = 0
    try:
        with os.fdopen(fd, "wb") as out:
            request = urllib.request.Request(url, headers={"User-Agent": "skmicrobi"})
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                length = response.headers.get("Content-Length")
                total = int(length) if length is not None else None
                with _progress(total, path.name) as progress:
                    while True:
                        chunk = response.read(CHUNK_SIZE)
                        if not chunk:
                            break
                        out.write(chunk)
                        digest.update(chunk)
                        received += len(chunk)
                        progress(len(chunk))
        # http.client returns a short body without raising when the server
        # closes the connection early, so the length is checked here.
        if total is not None and received != total:
            raise OSError(
                f"Download of {url} stopped after {received} of {total} bytes; "
                "nothing was kept. Call again to retry."
            )
        if sha256 is not None and digest.hexdigest() != sha256.lower():
            raise ChecksumError(
                f"{url} has SHA-256 {digest.hexdigest()}, expected {sha256}; the "
                "file was deleted. The server may have changed the archive; "
                "check the dataset's page before trusting another copy."
            )
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def extract(
    archive_path: str | os.PathLike, folder: str | os.PathLike, marker: str
) -> Path:
    """Unpack a zip or tar archive to ``folder`` atomically.

    The archive is unpacked into a temporary folder beside ``folder``. The
    directory that holds ``marker`` (the top level, a folder inside it, or the
    contents of an archive nested inside the archive, as the UCI repository's
    wrapped downloads have) is then renamed to ``folder``.

    Parameters
    ----------
    archive_path : str or path-like
        ``.zip``, ``.tar``, ``.tar.gz`` or ``.tgz`` file.
    folder : str or path-like
        Final folder; must not exist.
    marker : str
        Relative path of a file that identifies the archive's root.

    Returns
    -------
    pathlib.Path
        ``folder``.

    Raises
    ------
    ValueError
        No directory in the archive holds ``marker``, or a member would be
        written outside the target folder.

    Examples
    --------
    >>> import pathlib, tempfile, zipfile
    >>> from skmicrobi.datasets._fetch import extract
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> with zipfile.ZipFile(tmp / "a.zip", "w") as zf:
    ...     zf.writestr("Top/data.txt", "1 2 3")
    >>> out = extract(tmp / "a.zip", tmp / "unpacked", marker="data.txt")
    >>> (out / "data.txt").read_text()
    '1 2 3'
    """
    archive_path = Path(archive_path)
    folder = Path(folder)
    tmp_dir = Path(
        tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".unpack", dir=folder.parent)
    )
    try:
        _unpack(archive_path, tmp_dir)
        root = _find_root(tmp_dir, marker)
        if root is None:
            # Some official downloads wrap the real archive in another one.
            for inner in sorted(_archives_in(tmp_dir)):
                _unpack(inner, inner.parent / (inner.name + ".unpacked"))
            root = _find_root(tmp_dir, marker)
        if root is None:
            raise ValueError(
                f"{archive_path} holds no {marker}; it is not the expected archive. "
                f"Delete it and call again to download a fresh copy."
            )
        os.replace(root, folder)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return folder


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _unpack(archive_path: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    resolved = target.resolve()
    if zipfile.is_zipfile(archive_path):
        with zipfile.ZipFile(archive_path) as zf:
            for member in zf.namelist():
                dest = (target / member).resolve()
                if not dest.is_relative_to(resolved):
                    raise ValueError(
                        f"{archive_path} member {member!r} would be written "
                        f"outside {target}; refusing to unpack it."
                    )
            zf.extractall(target)
    elif tarfile.is_tarfile(archive_path):
        with tarfile.open(archive_path) as tf:
            # The "data" filter rejects absolute paths, links out of the target
            # and device files (PEP 706).
            tf.extractall(target, filter="data")
    else:
        raise ValueError(
            f"{archive_path} is neither a zip nor a tar archive. Delete it and "
            f"call again to download a fresh copy."
        )


def _find_root(top: Path, marker: str) -> Path | None:
    candidates = [top]
    for _ in range(_MAX_SEARCH_DEPTH):
        for directory in candidates:
            if (directory / marker).is_file():
                return directory
        candidates = sorted(
            child
            for directory in candidates
            for child in directory.iterdir()
            if child.is_dir() and child.name != "__MACOSX"
        )
    return None


def _archives_in(top: Path) -> list[Path]:
    suffixes = (".zip", ".tar", ".tar.gz", ".tgz")
    return [
        p
        for p in top.rglob("*")
        if p.is_file() and p.name.endswith(suffixes) and "__MACOSX" not in p.parts
    ]


class _progress:
    """Progress of a download: a tqdm bar on a terminal, else nothing."""

    def __init__(self, total: int | None, desc: str) -> None:
        self.total = total
        self.desc = desc
        self._bar = None

    def __enter__(self):
        try:
            from tqdm.auto import tqdm
        except ImportError:  # tqdm comes with skorch, but stay usable without it
            tqdm = None
        if tqdm is not None:
            # disable=None turns the bar off when stderr is not a terminal.
            self._bar = tqdm(
                total=self.total,
                desc=self.desc,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                disable=None,
                file=sys.stderr,
            )
        return self._update

    def _update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()
