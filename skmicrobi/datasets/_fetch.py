"""Find, download and unpack dataset archives: one small, careful helper.

Every loader in :mod:`skmicrobi.datasets` calls :func:`fetch_archive` with a
:class:`RemoteArchive`. The archive's unpacked folder is looked for in
``data_home`` first, so a folder placed there by hand (or a read-only shared
copy) is used as is. Otherwise the archive is downloaded and unpacked so that a
failure at any point leaves nothing that a later call could mistake for data:

* one process at a time downloads and unpacks a given archive in a given
  ``data_home``: the others wait on a lock file (``fcntl.flock`` on POSIX,
  ``msvcrt.locking`` on Windows) and then find the unpacked folder;
* the download streams into a temporary file in ``data_home`` (same file system)
  and is renamed into place with :func:`os.replace` only once it is complete,
  its SHA-256 matches (where one is pinned) and the archive reads back whole
  (every zip member's CRC, every byte of a tar); a short or stalled transfer, a
  damaged archive, an interrupt or any other error deletes the temporary file;
* unpacking goes into a temporary folder, which is renamed to the final folder
  only once the archive's marker file is found in it.

Tar archives are unpacked member by member, regular files and folders only,
each checked to land inside the target folder. ``tarfile``'s own safe mode
(``filter="data"``, PEP 706) exists only from Python 3.10.12 and 3.11.4, and
``requires-python`` cannot exclude the older patch releases that still ship
(Debian 12 has 3.11.2); the dataset archives hold nothing but files and folders,
so refusing everything else is both stricter and available everywhere.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterator
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

#: Seconds between two progress lines when stderr is not a terminal (a log
#: file gets a line now and then, not one per chunk).
PROGRESS_LOG_INTERVAL_S = 10.0

#: Seconds between two redraws of the progress line on a terminal.
_PROGRESS_TTY_INTERVAL_S = 0.2

#: How deep in an unpacked archive the marker file is searched for.
_MAX_SEARCH_DEPTH = 4

#: Whether downloads report progress when the caller does not say; see
#: :func:`download_progress`.
_SHOW_PROGRESS: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "skmicrobi_download_progress", default=False
)


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
        Name of the downloaded archive in ``data_home``; its suffix (``.zip``,
        ``.tar.gz``, ``.tgz``, ``.tar``) says how the download is verified.
    sha256 : str or None
        Expected SHA-256 of the downloaded file, or ``None`` when no checksum
        has been pinned (the download is then only checked to be a complete,
        readable archive).
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


class CorruptArchiveError(OSError):
    """An archive is truncated or damaged: a zip CRC fails or a tar ends early.

    A download that fails this check is deleted; an archive found in
    ``data_home`` is left alone and the message names it, so that you can
    delete it and download it again.

    Examples
    --------
    >>> from skmicrobi.datasets import CorruptArchiveError
    >>> issubclass(CorruptArchiveError, OSError)
    True
    """


@contextlib.contextmanager
def download_progress(enabled: bool = True) -> Iterator[None]:
    """Report the progress of dataset downloads on stderr within a ``with`` block.

    Downloads are silent by default. Inside the block, each download writes
    the bytes received, the total when the server announces it, and the rate:
    one line redrawn in place on a terminal, else a line every
    ``PROGRESS_LOG_INTERVAL_S`` seconds and one at the end.

    Parameters
    ----------
    enabled : bool, default=True
        Whether to report progress inside the block; ``False`` silences a
        caller's enclosing block.

    Yields
    ------
    None

    Examples
    --------
    >>> from skmicrobi.datasets import download_progress, load_daphnet
    >>> with download_progress():
    ...     daphnet = load_daphnet()  # doctest: +SKIP
    Downloading daphnet.zip: 86.4 MiB of 86.4 MiB (100%), 5.2 MiB/s, done
    """
    token = _SHOW_PROGRESS.set(bool(enabled))
    try:
        yield
    finally:
        _SHOW_PROGRESS.reset(token)


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
    *,
    progress: bool | None = None,
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
    progress : bool or None, default=None
        Report the download's progress on stderr; ``None`` follows
        :func:`download_progress` (off by default).

    Returns
    -------
    pathlib.Path
        ``data_home / archive.folder``, which contains ``archive.marker``.

    Raises
    ------
    ArchiveNotFoundError
        The folder is absent and ``download_if_missing`` is False, or the
        download failed (offline, server error, stalled); the message names the
        URL and where to place the files by hand.
    ChecksumError
        The downloaded file does not match ``archive.sha256``.
    CorruptArchiveError
        The downloaded archive (deleted) or the one found in ``data_home``
        (kept, and named) is truncated or damaged.
    NotADirectoryError
        ``data_home`` (or a folder above it) is a file.
    PermissionError
        The dataset must be downloaded or unpacked, but ``data_home`` is not
        writable.

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
    _check_not_a_file(home)
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
    _check_incomplete(folder, archive)
    show = _SHOW_PROGRESS.get() if progress is None else bool(progress)
    _make_data_home(home, archive)
    with _exclusive_lock(home / f".{archive.folder}.lock", archive, show):
        # Another process may have fetched it while this one waited.
        if (folder / archive.marker).is_file():
            return folder
        _check_incomplete(folder, archive)
        _remove_leftovers(home, archive)
        archive_path = home / archive.filename
        if archive_path.is_file():
            _check_kept_archive(archive_path, archive)
        else:
            _download_archive(archive, archive_path, show)
        extract(archive_path, folder, marker=archive.marker)
    return folder


def download(
    url: str,
    path: str | os.PathLike,
    sha256: str | None = None,
    *,
    check: Callable[[Path], None] | None = None,
    progress: bool | None = None,
) -> Path:
    """Download ``url`` to ``path`` atomically, checking its SHA-256.

    The bytes stream into a temporary file next to ``path``; it is renamed to
    ``path`` only when the transfer is complete (as many bytes as the server
    announced), the digest matches and ``check`` accepts the file. On any
    failure, including an interrupt, the temporary file is removed and
    ``path`` is left untouched. Each read waits at most ``TIMEOUT_S`` seconds.

    Parameters
    ----------
    url : str
        ``http(s)://`` or ``file://`` URL.
    path : str or path-like
        Destination file.
    sha256 : str or None, default=None
        Expected hex digest; ``None`` skips the check.
    check : callable or None, default=None
        Called with the path of the complete temporary file; raises to reject
        it (e.g. an archive that does not read back whole).
    progress : bool or None, default=None
        Report progress on stderr; ``None`` follows :func:`download_progress`.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ChecksumError
        The digest differs from ``sha256``.
    OSError
        The transfer ended before the announced length, stalled for
        ``TIMEOUT_S`` seconds, or a network error; or what ``check`` raised.

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
    show = _SHOW_PROGRESS.get() if progress is None else bool(progress)
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
                with _progress(total, path.name, show) as report:
                    while True:
                        try:
                            chunk = response.read(CHUNK_SIZE)
                        except TimeoutError as exc:
                            raise TimeoutError(
                                f"no data from {url} for {TIMEOUT_S} s after "
                                f"{received} bytes"
                            ) from exc
                        if not chunk:
                            break
                        out.write(chunk)
                        digest.update(chunk)
                        received += len(chunk)
                        report(len(chunk))
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
        if check is not None:
            check(Path(tmp_name))
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
        No directory in the archive holds ``marker``, a member would be
        written outside the target folder, or a tar member is a link or a
        device.
    CorruptArchiveError
        The archive ends early or a member fails its CRC check.

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


def check_archive(path: str | os.PathLike, kind: str | None = None) -> None:
    """Read an archive whole; raise if it is truncated or damaged.

    A zip's central directory is read and every member's CRC-32 checked
    (:meth:`zipfile.ZipFile.testzip`); a tar is read to its last byte, which
    also checks a gzip stream's length and CRC.

    Parameters
    ----------
    path : str or path-like
        The archive.
    kind : {"zip", "tar"} or None, default=None
        The expected format; ``None`` takes it from the file's name, else from
        its content.

    Raises
    ------
    CorruptArchiveError
        The file is not a complete, intact archive of that kind.

    Examples
    --------
    >>> import pathlib, tempfile, zipfile
    >>> from skmicrobi.datasets._fetch import check_archive
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> with zipfile.ZipFile(tmp / "a.zip", "w") as zf:
    ...     zf.writestr("data.txt", "1 2 3")
    >>> check_archive(tmp / "a.zip")
    >>> _ = (tmp / "b.zip").write_bytes((tmp / "a.zip").read_bytes()[:-10])
    >>> check_archive(tmp / "b.zip")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    skmicrobi.datasets._fetch.CorruptArchiveError: ... is not a complete zip archive ...
    """
    path = Path(path)
    kind = kind or _archive_kind(path)
    if kind == "zip":
        try:
            with zipfile.ZipFile(path) as zf:
                bad = zf.testzip()
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            raise CorruptArchiveError(
                f"{path} is not a complete zip archive ({exc})"
            ) from exc
        if bad is not None:
            raise CorruptArchiveError(f"{path}: zip member {bad!r} fails its CRC check")
    elif kind == "tar":
        try:
            with tarfile.open(path) as tf:
                for member in tf:
                    if member.isfile():
                        with tf.extractfile(member) as f:
                            while f.read(CHUNK_SIZE):
                                pass
                # Past the end-of-archive blocks to the end of the (compressed)
                # stream, where gzip checks its length and CRC.
                while tf.fileobj.read(CHUNK_SIZE):
                    pass
        except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
            raise CorruptArchiveError(
                f"{path} is not a complete tar archive ({type(exc).__name__}: {exc})"
            ) from exc
    else:
        raise CorruptArchiveError(f"{path} is neither a zip nor a tar archive")


def _archive_kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".zip"):
        return "zip"
    if name.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")):
        return "tar"
    if zipfile.is_zipfile(path):
        return "zip"
    with contextlib.suppress(OSError):
        if tarfile.is_tarfile(path):
            return "tar"
    return None


def _check_not_a_file(home: Path) -> None:
    """Raise when ``data_home`` or a folder above it is a file."""
    for path in (home, *home.parents):
        if path.exists() and not path.is_dir():
            raise NotADirectoryError(
                f"The data home {home} cannot be used: {path} is a file, not a "
                "folder. Pass another data_home (or set $SKMICROBI_DATA), or move "
                "that file away."
            )


def _check_incomplete(folder: Path, archive: RemoteArchive) -> None:
    if folder.exists():
        raise ArchiveNotFoundError(
            f"{folder} exists but has no {archive.marker}, so it is not a complete "
            f"copy of {archive.name}. Remove or rename it, then call again to "
            f"download {archive.url}."
        )


def _not_writable(home: Path, archive: RemoteArchive, exc: OSError) -> PermissionError:
    return PermissionError(
        exc.errno,
        f"{archive.name} must be downloaded and unpacked into {home}, but that "
        f"folder is not writable ({exc.strerror}). Pass a writable data_home, or "
        f"unpack {archive.url} by hand so that {home / archive.folder} holds its "
        "contents (a read-only folder is then fine).",
    )


def _make_data_home(home: Path, archive: RemoteArchive) -> None:
    try:
        home.mkdir(parents=True, exist_ok=True)
    except PermissionError as exc:
        raise _not_writable(home, archive, exc) from exc
    except (FileExistsError, NotADirectoryError):
        _check_not_a_file(home)  # raced with someone creating a file there
        raise


@contextlib.contextmanager
def _exclusive_lock(path: Path, archive: RemoteArchive, show: bool) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created, and removed on release).

    The file is removed while the lock is held; a process that was waiting on
    the removed file then finds that the path no longer names what it locked,
    and locks the path again.
    """
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except PermissionError as exc:
            raise _not_writable(path.parent, archive, exc) from exc
        try:
            if not _try_lock(fd):
                if show:
                    print(
                        f"Waiting for another process to fetch {archive.name} "
                        f"into {path.parent} ...",
                        file=sys.stderr,
                        flush=True,
                    )
                _lock(fd)
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)  # releases the lock


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    #: Seconds between two attempts to take a lock held by another process.
    _LOCK_POLL_S = 0.5

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _lock(fd: int) -> None:
        while not _try_lock(fd):
            time.sleep(_LOCK_POLL_S)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)


def _remove_leftovers(home: Path, archive: RemoteArchive) -> None:
    """Delete temporary files a killed process left (the lock is held: none is live)."""
    patterns = (f".{archive.filename}.*.part", f".{archive.folder}.*.unpack")
    for pattern in patterns:
        for path in home.glob(pattern):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _check_kept_archive(archive_path: Path, archive: RemoteArchive) -> None:
    """Check an archive found in ``data_home``; never delete it: it may be theirs."""
    if archive.sha256 is not None and _sha256(archive_path) != archive.sha256:
        raise ChecksumError(
            f"{archive_path} does not have the SHA-256 {archive.sha256} of "
            f"{archive.name} from {archive.url}. Replace it with the official "
            f"file, or delete it so that it is downloaded again."
        )
    try:
        check_archive(archive_path)
    except CorruptArchiveError as exc:
        raise CorruptArchiveError(
            f"{exc}. It was found in the data home, not downloaded by this call, "
            f"so it is left in place: delete {archive_path} and call again to "
            f"download {archive.name} from {archive.url}."
        ) from exc


def _download_archive(archive: RemoteArchive, archive_path: Path, show: bool) -> None:
    folder = archive_path.parent / archive.folder

    def check(tmp: Path) -> None:
        try:
            check_archive(tmp, _archive_kind(archive_path))
        except CorruptArchiveError as exc:
            raise CorruptArchiveError(
                f"The download of {archive.name} from {archive.url} is not a "
                f"complete archive ({exc}); nothing was kept. Call again to retry; "
                "if it fails again, the server's copy may be damaged."
            ) from exc

    try:
        download(
            archive.url, archive_path, sha256=archive.sha256, check=check, progress=show
        )
    except (ChecksumError, CorruptArchiveError):
        raise
    except PermissionError as exc:
        raise _not_writable(archive_path.parent, archive, exc) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise ArchiveNotFoundError(
            f"Could not download {archive.name} from {archive.url} ({exc}); "
            f"nothing was kept. Call again to retry. Without network access, "
            f"download it on another machine and place the file at "
            f"{archive_path} (or unpack it so that {folder} holds the archive's "
            f"contents), then call again."
        ) from exc


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _unpack(archive_path: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    resolved = target.resolve()
    kind = _archive_kind(archive_path)
    if kind == "zip":
        try:
            with zipfile.ZipFile(archive_path) as zf:
                for member in zf.namelist():
                    _check_inside(archive_path, member, target, resolved)
                zf.extractall(target)
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise CorruptArchiveError(
                f"{archive_path} is not a complete zip archive ({exc}). Delete it "
                "and call again to download a fresh copy."
            ) from exc
    elif kind == "tar":
        try:
            with tarfile.open(archive_path) as tf:
                _extract_tar(tf, archive_path, target, resolved)
        except (tarfile.TarError, EOFError, zlib.error) as exc:
            raise CorruptArchiveError(
                f"{archive_path} is not a complete tar archive "
                f"({type(exc).__name__}: {exc}). Delete it and call again to "
                "download a fresh copy."
            ) from exc
    else:
        raise ValueError(
            f"{archive_path} is neither a zip nor a tar archive. Delete it and "
            f"call again to download a fresh copy."
        )


def _check_inside(
    archive_path: Path, member: str, target: Path, resolved: Path
) -> Path:
    dest = (target / member).resolve()
    if os.path.isabs(member) or not dest.is_relative_to(resolved):
        raise ValueError(
            f"{archive_path} member {member!r} would be written outside {target}; "
            "refusing to unpack it."
        )
    return dest


def _extract_tar(
    tf: tarfile.TarFile, archive_path: Path, target: Path, resolved: Path
) -> None:
    """Write regular files and folders only, each inside ``target``.

    No link is ever created, so resolving a member's path cannot pass through
    one; files get the user's umask, never the archive's owner or mode bits.
    """
    for member in tf:
        dest = _check_inside(archive_path, member.name, target, resolved)
        if member.isdir():
            dest.mkdir(parents=True, exist_ok=True)
        elif member.isfile():
            dest.parent.mkdir(parents=True, exist_ok=True)
            with tf.extractfile(member) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out, CHUNK_SIZE)
        else:
            raise ValueError(
                f"{archive_path} member {member.name!r} is a link or a special "
                "file; dataset archives hold only files and folders, so it is "
                "refused."
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


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.2f} GiB"


class _progress:
    """Progress of a download on stderr: bytes, total if known, rate.

    Silent unless ``show``. On a terminal one line is redrawn in place; anywhere
    else (a log file, a CI log) a line is written every
    ``PROGRESS_LOG_INTERVAL_S`` seconds and once at the end.
    """

    def __init__(self, total: int | None, desc: str, show: bool) -> None:
        self.total = total
        self.desc = desc
        self.show = show
        self.received = 0
        self._start = self._last = 0.0
        self._tty = False

    def __enter__(self) -> Callable[[int], None]:
        self._start = self._last = time.monotonic()
        self._tty = bool(getattr(sys.stderr, "isatty", lambda: False)())
        return self._update

    def _line(self, now: float) -> str:
        rate = self.received / max(now - self._start, 1e-9)
        done = _size(self.received)
        if self.total:
            done += f" of {_size(self.total)} ({100 * self.received // self.total}%)"
        return f"Downloading {self.desc}: {done}, {_size(rate)}/s"

    def _write(self, text: str, end: str) -> None:
        prefix = "\r" if self._tty else ""
        sys.stderr.write(f"{prefix}{text}{end}")
        sys.stderr.flush()

    def _update(self, n: int) -> None:
        self.received += n
        if not self.show:
            return
        now = time.monotonic()
        interval = _PROGRESS_TTY_INTERVAL_S if self._tty else PROGRESS_LOG_INTERVAL_S
        if now - self._last >= interval:
            self._last = now
            self._write(self._line(now), "" if self._tty else "\n")

    def __exit__(self, exc_type, *exc) -> None:
        if self.show:
            status = "done" if exc_type is None else "failed"
            self._write(f"{self._line(time.monotonic())}, {status}", "\n")
