"""The fetch helper against a local HTTP server: no network, real transfers."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import socket
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

import skmicrobi.datasets._fetch as fetch_module
from skmicrobi.datasets import (
    ArchiveNotFoundError,
    ChecksumError,
    get_data_home,
    load_daphnet,
)
from skmicrobi.datasets._fetch import RemoteArchive, download, extract, fetch_archive


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
    and closes the connection, as a dropped transfer does.
    """

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, str]] = {}
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.hits.append(self.path)
                if self.path not in server.routes:
                    self.send_error(404)
                    return
                body, mode = server.routes[self.path]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode == "short":
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
