"""The dev server's defences: nothing outside site/ is served, other hosts and
origins are refused, and malformed requests do not stop it."""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from marginalia.config import load_config
from marginalia.serve import MarginaliaServer, make_server
from tests.conftest import FIXTURE_CONTENT, free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MarginaliaServer]:
    """Serve a copy of the real content on a free port, with a secret file beside site/."""
    root = tmp_path_factory.mktemp("serve")
    shutil.copytree(FIXTURE_CONTENT, root / "content")
    config = dataclasses.replace(load_config(ROOT / "mkdocs.yml", site_dir=root / "site"), content_dir=root / "content")
    (root / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "site-private").mkdir()
    (root / "site-private" / "key.txt").write_text("secret", encoding="utf-8")
    srv, _ = make_server(config, "127.0.0.1", free_port())
    os.symlink(root / "secret.txt", root / "site" / "link-out.txt")
    thread = threading.Thread(target=srv.serve, daemon=True)
    thread.start()
    wait_for_port(srv.server_address[1])
    yield srv
    srv.shutdown()


def get(server: MarginaliaServer, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    for name, value in {"Host": f"{host}:{port}", **(headers or {})}.items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


TRAVERSALS = [
    "/../secret.txt",
    "/../../../../etc/passwd",
    "/%2e%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/%252e%252e/secret.txt",  # double-encoded
    "/..%5csecret.txt",  # backslash
    "/..\\secret.txt",
    "/%00",
    "/index.html%00.txt",
    "/%c0%ae%c0%ae/secret.txt",  # overlong UTF-8 dots
    "/../site-private/key.txt",  # a sibling whose name starts like the site folder
    "/link-out.txt",  # a symlink inside site/ pointing outside
]


def test_the_site_is_served(server: MarginaliaServer) -> None:
    """The home page is there, with the reload script as a file (allowed by the CSP)."""
    status, body = get(server, "/index.html")
    assert status == 200
    assert b'<script src="/.marginalia/livereload-' in body
    assert b"<script>" not in body


@pytest.mark.parametrize("path", TRAVERSALS)
def test_paths_outside_the_site_are_404(server: MarginaliaServer, path: str) -> None:
    """No spelling of a path reaches a file outside site/."""
    status, body = get(server, path)
    assert status == 404
    assert b"secret" not in body


def test_other_host_headers_are_refused(server: MarginaliaServer) -> None:
    """DNS rebinding: a request for another name is refused; localhost is fine."""
    port = server.server_address[1]
    assert get(server, "/index.html", {"Host": f"attacker.example:{port}"})[0] == 403
    assert get(server, "/index.html", {"Host": "127.0.0.1"})[0] == 403  # wrong port
    assert get(server, "/index.html", {"Host": f"localhost:{port}"})[0] == 200


def test_live_reload_answers_only_its_own_origin(server: MarginaliaServer) -> None:
    """Another site's page cannot poll the reload endpoint."""
    assert get(server, "/livereload/0/0", {"Origin": "http://attacker.example"})[0] == 403
    assert get(server, "/livereload/0/0", {"Sec-Fetch-Site": "cross-site"})[0] == 403


def test_malformed_requests_do_not_stop_the_server(server: MarginaliaServer) -> None:
    """A burst of garbage gets errors or a closed connection; the server keeps answering."""
    host, port = server.server_address[:2]
    garbage = [
        b"\x00\x01\x02\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"\xff\xfe\r\n\r\n",
    ]
    for _ in range(20):
        for payload in garbage:
            with socket.create_connection((host, port), timeout=5) as sock:
                sock.sendall(payload)
                with contextlib.suppress(ConnectionResetError, TimeoutError):
                    sock.recv(1024)
    assert get(server, "/index.html")[0] == 200


def test_overlay_shows_problems_escaped(server: MarginaliaServer) -> None:
    """While the content is broken, every page shows the problems, HTML-escaped."""
    server.set_problems(["content/x.yml:3:5: error[M301]: the quote '<script>alert(1)</script>' is not in the article"])
    try:
        status, body = get(server, "/glossary.html")
    finally:
        server.set_problems([])
    assert status == 200
    assert b'id="marginalia-problems"' in body
    assert b"content/x.yml:3:5: error[M301]" in body
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body and b"<script>alert" not in body
    assert b'id="marginalia-problems"' not in get(server, "/glossary.html")[1]
