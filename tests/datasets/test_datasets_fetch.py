"""The fetch helper against a local HTTP server: no network, real transfers."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import io
import os
import socket
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

import skmicrobi.datasets._fetch as fetch_module
from skmicrobi.datasets import (
    ArchiveNotFoundError,
    ChecksumError,
    CorruptArchiveError,
    download_progress,
    get_data_home,
    load_daphnet,
)
from skmicrobi.datasets._fetch import (
    RemoteArchive,
    check_archive,
    download,
    extract,
    fetch_archive,
)


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buffer.getvalue()


PAYLOAD = _zip_bytes({"Toy/data.txt": b"1 2 3\n", "Toy/README": b"toy archive"})
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class _Server:
    """An HTTP server on 127.0.0.1 with a route table ``path -> (bytes, mode)``.

    mode "ok" sends everything; "short" announces the full length, sends half
    and closes the connection, as a dropped transfer does; "short_nolen" sends
    half with no Content-Length and closes (the client cannot tell it is short);
    "stall" announces the length, sends half, then sends nothing until the test
    ends (at most ``STALL_BOUND_S``); "corrupt" sends every byte, one of them
    flipped; "gate" waits until ``gate`` has been released twice (at most
    ``STALL_BOUND_S``), then sends everything.
    """

    STALL_BOUND_S = 20

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, str]] = {}
        self.hits: list[str] = []
        self.release = threading.Event()
        self.gate = threading.Semaphore(0)
        self.gate_timed_out = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.hits.append(self.path)
                if self.path not in server.routes:
                    self.send_error(404)
                    return
                body, mode = server.routes[self.path]
                if mode == "gate":
                    for _ in range(2):
                        if not server.gate.acquire(timeout=server.STALL_BOUND_S):
                            server.gate_timed_out = True
                if mode == "corrupt":
                    flipped = bytearray(body)
                    flipped[len(body) // 2] ^= 0xFF
                    body = bytes(flipped)
                self.send_response(200)
                if mode != "short_nolen":
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode == "stall":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    server.release.wait(server.STALL_BOUND_S)
                    self.close_connection = True
                elif mode in ("short", "short_nolen"):
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                else:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # quick shutdown between tests
            daemon=True,
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.close()


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_download_success_checks_sha256(server, tmp_path):
    server.routes["/toy.zip"] = (PAYLOAD, "ok")
    path = download(server.url("/toy.zip"), tmp_path / "toy.zip", sha256=SHA)
    assert path.read_bytes() == PAYLOAD
    assert _leftovers(tmp_path) == []


def test_checksum_mismatch_leaves_no_file(server, tmp_path):
    server.routes["/toy.zip"] = (PAYLOAD, "ok")
    with pytest.raises(ChecksumError, match="expected 0+"):
        download(server.url("/toy.zip"), tmp_path / "toy.zip", sha256="0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_transfer_leaves_no_file(server, tmp_path):
    server.routes["/toy.zip"] = (PAYLOAD, "short")
    with pytest.raises(OSError, match="stopped after"):
        download(server.url("/toy.zip"), tmp_path / "toy.zip")  # no checksum
    assert list(tmp_path.iterdir()) == []


def test_interrupt_by_the_user_leaves_no_file(server, tmp_path, monkeypatch):
    server.routes["/toy.zip"] = (PAYLOAD, "ok")

    def ctrl_c(self, n):
        raise KeyboardInterrupt

    monkeypatch.setattr(fetch_module._progress, "_update", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        download(server.url("/toy.zip"), tmp_path / "toy.zip")
    assert list(tmp_path.iterdir()) == []


def test_file_url(tmp_path):
    src = tmp_path / "src.zip"
    src.write_bytes(PAYLOAD)
    (tmp_path / "out").mkdir()
    download(src.as_uri(), tmp_path / "out" / "toy.zip", sha256=SHA)
    assert (tmp_path / "out" / "toy.zip").read_bytes() == PAYLOAD


def _archive(url, sha256=SHA, folder="Toy"):
    return RemoteArchive("Toy", url, "toy.zip", sha256, folder, "data.txt")


def test_fetch_archive_downloads_once_then_uses_the_folder(server, tmp_path):
    server.routes["/toy.zip"] = (PAYLOAD, "ok")
    archive = _archive(server.url("/toy.zip"))
    folder = fetch_archive(archive, data_home=tmp_path / "home")
    assert folder == tmp_path / "home" / "Toy"
    assert (folder / "data.txt").read_bytes() == b"1 2 3\n"
    assert fetch_archive(archive, data_home=tmp_path / "home") == folder
    assert server.hits == ["/toy.zip"]
    assert _leftovers(tmp_path / "home") == []


def test_offline_error_names_url_and_manual_path(tmp_path):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/toy.zip"
    with pytest.raises(ArchiveNotFoundError) as excinfo:
        fetch_archive(_archive(url), data_home=tmp_path)
    message = str(excinfo.value)
    assert url in message and str(tmp_path / "toy.zip") in message
    assert str(tmp_path / "Toy") in message
    assert _leftovers(tmp_path) == [] and not (tmp_path / "toy.zip").exists()


def test_no_download_when_not_allowed(server, tmp_path):
    server.routes["/toy.zip"] = (PAYLOAD, "ok")
    with pytest.raises(ArchiveNotFoundError, match="download_if_missing=True"):
        fetch_archive(
            _archive(server.url("/toy.zip")), tmp_path, download_if_missing=False
        )
    assert server.hits == []


def test_incomplete_folder_is_not_trusted(tmp_path):
    (tmp_path / "Toy").mkdir()
    with pytest.raises(ArchiveNotFoundError, match="not a complete copy"):
        fetch_archive(_archive("http://127.0.0.1:9/toy.zip"), tmp_path)


def test_archive_placed_by_hand_is_checked_and_kept(tmp_path):
    (tmp_path / "toy.zip").write_bytes(PAYLOAD[:-1] + b"x")
    with pytest.raises(ChecksumError, match="Replace it"):
        fetch_archive(_archive("http://127.0.0.1:9/toy.zip"), tmp_path)
    assert (tmp_path / "toy.zip").exists()
    (tmp_path / "toy.zip").write_bytes(PAYLOAD)
    folder = fetch_archive(_archive("http://127.0.0.1:9/toy.zip"), tmp_path)
    assert (folder / "README").read_bytes() == b"toy archive"


def test_nested_zip_without_top_folder(tmp_path):
    inner = _zip_bytes({"data.txt": b"inner", "sub/more.txt": b"x"})
    (tmp_path / "outer.zip").write_bytes(
        _zip_bytes({"Inner Dataset.zip": inner, "Inner.names": b"about"})
    )
    folder = extract(tmp_path / "outer.zip", tmp_path / "Toy", marker="data.txt")
    assert sorted(p.name for p in folder.iterdir()) == ["data.txt", "sub"]
    assert _leftovers(tmp_path) == []


def test_tar_gz(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        info = tarfile.TarInfo("WISDM_ar_v1.1/data.txt")
        info.size = 3
        tf.addfile(info, io.BytesIO(b"abc"))
    (tmp_path / "a.tar.gz").write_bytes(buffer.getvalue())
    folder = extract(tmp_path / "a.tar.gz", tmp_path / "W", marker="data.txt")
    assert (folder / "data.txt").read_bytes() == b"abc"


def test_extraction_refuses_paths_outside_the_folder(tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "evil.zip").write_bytes(
        _zip_bytes({"Toy/data.txt": b"1", "../../escaped.txt": b"x"})
    )
    with pytest.raises(ValueError, match="outside"):
        extract(tmp_path / "home" / "evil.zip", tmp_path / "home" / "Toy", "data.txt")
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "home" / "Toy").exists()
    assert _leftovers(tmp_path / "home") == []


def test_wrong_archive_leaves_no_folder(tmp_path):
    (tmp_path / "x.zip").write_bytes(_zip_bytes({"other/file.txt": b"1"}))
    with pytest.raises(ValueError, match="holds no data.txt"):
        extract(tmp_path / "x.zip", tmp_path / "Toy", marker="data.txt")
    assert not (tmp_path / "Toy").exists() and _leftovers(tmp_path) == []


def test_data_home_default_and_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("SKMICROBI_DATA", raising=False)
    assert str(get_data_home()).endswith("skmicrobi_data")
    monkeypatch.setenv("SKMICROBI_DATA", str(tmp_path))
    assert get_data_home() == tmp_path
    assert get_data_home("~/x") != tmp_path


def test_loader_downloads_and_parses(server, tmp_path, daphnet_home, monkeypatch):
    """A loader end to end: download the zip, unpack it, parse it."""
    files = {
        f"dataset_fog_release/dataset/{p.name}": p.read_bytes()
        for p in (daphnet_home / "dataset_fog_release" / "dataset").iterdir()
    }
    payload = _zip_bytes(files)
    server.routes["/daphnet.zip"] = (payload, "ok")
    import skmicrobi.datasets.daphnet as daphnet

    archive = dataclasses.replace(
        daphnet.ARCHIVE,
        url=server.url("/daphnet.zip"),
        sha256=hashlib.sha256(payload).hexdigest(),
    )
    monkeypatch.setattr(daphnet, "ARCHIVE", archive)
    home = tmp_path / "fresh_home"
    b = load_daphnet(data_home=home)
    assert len(b.data) == 3 and (home / "daphnet.zip").is_file()
    reference = load_daphnet(data_home=daphnet_home)
    np.testing.assert_array_equal(b.data[2], reference.data[2])


# -- faults: truncated, stalled, corrupt, concurrent, unwritable ----------------
def _blob() -> bytes:
    return np.random.default_rng(0).bytes(1 << 16)


def _tar_gz_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tf.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


#: Archives whose middle byte lies inside a member's data (64 KiB of noise), so
#: that "corrupt" damages what a CRC covers.
FAULT_FILES = {"Toy/data.txt": b"1 2 3\n", "Toy/blob.bin": _blob()}
FAULT_ARCHIVES = {
    "toy.zip": _zip_bytes(FAULT_FILES),
    "toy.tar.gz": _tar_gz_bytes(FAULT_FILES),
}


def _fault_archive(server, filename, pinned):
    payload = FAULT_ARCHIVES[filename]
    sha = hashlib.sha256(payload).hexdigest() if pinned else None
    return RemoteArchive(
        "Toy", server.url("/" + filename), filename, sha, "Toy", "data.txt"
    )


@pytest.mark.parametrize("pinned", [False, True], ids=["unpinned", "pinned"])
@pytest.mark.parametrize("filename", sorted(FAULT_ARCHIVES))
@pytest.mark.parametrize("fault", ["short", "short_nolen", "stall", "corrupt"])
def test_faulty_download_leaves_nothing_and_the_next_call_heals(
    server, tmp_path, monkeypatch, fault, filename, pinned
):
    monkeypatch.setattr(fetch_module, "TIMEOUT_S", 0.5)  # the stall's bound
    archive = _fault_archive(server, filename, pinned)
    home = tmp_path / "home"
    server.routes["/" + filename] = (FAULT_ARCHIVES[filename], fault)
    with pytest.raises(OSError) as excinfo:
        fetch_archive(archive, data_home=home)
    # whichever check caught it, the message says nothing was kept
    assert "nothing was kept" in str(excinfo.value) or "deleted" in str(excinfo.value)
    if fault == "stall":
        assert "no data from" in str(excinfo.value)
    assert list(home.iterdir()) == []  # no archive, no .part, no folder, no lock

    server.routes["/" + filename] = (FAULT_ARCHIVES[filename], "ok")
    folder = fetch_archive(archive, data_home=home)
    assert (folder / "blob.bin").read_bytes() == FAULT_FILES["Toy/blob.bin"]
    assert sorted(p.name for p in home.iterdir()) == ["Toy", filename]


@pytest.mark.parametrize("filename", sorted(FAULT_ARCHIVES))
def test_truncated_archive_in_data_home_is_named_and_kept(tmp_path, filename):
    kept = tmp_path / filename
    kept.write_bytes(FAULT_ARCHIVES[filename][:-100])
    archive = RemoteArchive(
        "Toy", "http://127.0.0.1:9/x", filename, None, "Toy", "data.txt"
    )
    with pytest.raises(CorruptArchiveError) as excinfo:
        fetch_archive(archive, data_home=tmp_path)
    assert f"delete {kept}" in str(excinfo.value)
    assert kept.exists() and not (tmp_path / "Toy").exists()
    assert _leftovers(tmp_path) == []


def test_concurrent_fetches_download_once(server, tmp_path, monkeypatch):
    """Three fetches at once: one downloads, two wait on the lock and reuse it."""
    real_lock = fetch_module._lock

    def counting_lock(fd):
        server.gate.release()  # the server sends once two fetches wait here
        real_lock(fd)

    monkeypatch.setattr(fetch_module, "_lock", counting_lock)
    server.routes["/toy.zip"] = (FAULT_ARCHIVES["toy.zip"], "gate")
    archive = _fault_archive(server, "toy.zip", pinned=False)
    home = tmp_path / "home"
    start = threading.Barrier(3)
    results, errors = [], []

    def fetch():
        start.wait(timeout=20)
        try:
            results.append(fetch_archive(archive, data_home=home))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and results == [home / "Toy"] * 3
    assert server.hits == ["/toy.zip"] and not server.gate_timed_out
    assert sorted(p.name for p in home.iterdir()) == ["Toy", "toy.zip"]


def test_leftovers_of_a_killed_fetch_are_removed(server, tmp_path):
    server.routes["/toy.zip"] = (PAYLOAD, "ok")
    (tmp_path / ".toy.zip.k1ll3d.part").write_bytes(PAYLOAD[:10])
    (tmp_path / ".Toy.k1ll3d.unpack" / "Toy").mkdir(parents=True)
    fetch_archive(_archive(server.url("/toy.zip")), data_home=tmp_path)
    assert _leftovers(tmp_path) == []


def _refuse_writes_in(monkeypatch, folder):
    """Make ``folder`` read-only as the OS would for a non-root user."""
    real_open, real_mkdir = os.open, os.mkdir

    def guarded_open(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and Path(path).parent == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    def guarded_mkdir(path, *args, **kwargs):
        if Path(path).parent == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "mkdir", guarded_mkdir)


@pytest.mark.parametrize("archive_present", [False, True])
def test_read_only_data_home_says_so(server, tmp_path, monkeypatch, archive_present):
    server.routes["/toy.zip"] = (PAYLOAD, "ok")
    if archive_present:
        (tmp_path / "toy.zip").write_bytes(PAYLOAD)
    _refuse_writes_in(monkeypatch, tmp_path)
    with pytest.raises(PermissionError) as excinfo:
        fetch_archive(_archive(server.url("/toy.zip")), data_home=tmp_path)
    message = str(excinfo.value)
    assert "not writable" in message and str(tmp_path) in message
    assert "writable data_home" in message and str(tmp_path / "Toy") in message
    assert server.hits == []
    # an unpacked copy in a read-only data home is used as it is
    monkeypatch.undo()
    fetch_archive(_archive(server.url("/toy.zip")), data_home=tmp_path)
    _refuse_writes_in(monkeypatch, tmp_path)
    folder = fetch_archive(_archive("http://127.0.0.1:9/toy.zip"), tmp_path)
    assert (folder / "data.txt").is_file()


@pytest.mark.parametrize("where", ["home", "parent"])
def test_data_home_that_is_a_file(tmp_path, where):
    (tmp_path / "file").write_text("not a folder")
    home = tmp_path / "file" if where == "home" else tmp_path / "file" / "home"
    with pytest.raises(NotADirectoryError) as excinfo:
        fetch_archive(_archive("http://127.0.0.1:9/toy.zip"), data_home=home)
    assert f"{tmp_path / 'file'} is a file" in str(excinfo.value)
    assert "data_home" in str(excinfo.value)


def test_progress_only_when_asked(server, tmp_path, capsys):
    server.routes["/toy.zip"] = (PAYLOAD, "ok")
    download(server.url("/toy.zip"), tmp_path / "a.zip")
    assert capsys.readouterr().err == ""
    with download_progress():
        download(server.url("/toy.zip"), tmp_path / "b.zip")
    err = capsys.readouterr().err
    assert err.startswith("Downloading b.zip: ")
    assert f"of {len(PAYLOAD)} B (100%)" in err and "/s, done" in err
    download(server.url("/toy.zip"), tmp_path / "c.zip", progress=True)
    assert "Downloading c.zip" in capsys.readouterr().err


def test_tar_unpacks_without_tarfile_filter(tmp_path, monkeypatch):
    """Pythons before 3.10.12 / 3.11.4 lack ``filter=``: unpacking must not need it."""

    def old_extractall(self, path=".", members=None, *, numeric_owner=False):
        raise AssertionError("extractall would run without a safety filter")

    monkeypatch.setattr(tarfile.TarFile, "extractall", old_extractall)
    (tmp_path / "a.tar.gz").write_bytes(FAULT_ARCHIVES["toy.tar.gz"])
    folder = extract(tmp_path / "a.tar.gz", tmp_path / "Toy", marker="data.txt")
    assert (folder / "blob.bin").read_bytes() == FAULT_FILES["Toy/blob.bin"]


@pytest.mark.parametrize(
    "kind, name, match",
    [
        (tarfile.SYMTYPE, "Toy/link", "link or a special file"),
        (tarfile.LNKTYPE, "Toy/hard", "link or a special file"),
        (tarfile.CHRTYPE, "Toy/dev", "link or a special file"),
        (tarfile.REGTYPE, "../escaped.txt", "outside"),
        (tarfile.REGTYPE, "/tmp/absolute.txt", "outside"),
    ],
)
def test_tar_members_that_are_not_plain_files_are_refused(tmp_path, kind, name, match):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        info = tarfile.TarInfo("Toy/data.txt")
        info.size = 1
        tf.addfile(info, io.BytesIO(b"1"))
        info = tarfile.TarInfo(name)
        info.type = kind
        if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
            info.linkname = "/etc/passwd"
        if kind == tarfile.REGTYPE:
            info.size = 1
        tf.addfile(info, io.BytesIO(b"x") if kind == tarfile.REGTYPE else None)
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "a.tar.gz").write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match=match):
        extract(tmp_path / "home" / "a.tar.gz", tmp_path / "home" / "Toy", "data.txt")
    assert not (tmp_path / "home" / "Toy").exists()
    assert not (tmp_path / "escaped.txt").exists()
    assert _leftovers(tmp_path / "home") == []


@pytest.mark.parametrize("cut", ["crc", "length"])
def test_tar_gz_trailer_is_checked(tmp_path, cut):
    """The members read whole but gzip's CRC or length at the very end is wrong."""
    damaged = bytearray(FAULT_ARCHIVES["toy.tar.gz"])
    damaged[-8 if cut == "crc" else -4] ^= 0xFF
    (tmp_path / "a.tar.gz").write_bytes(bytes(damaged))
    with pytest.raises(CorruptArchiveError, match="not a complete tar archive"):
        check_archive(tmp_path / "a.tar.gz")
