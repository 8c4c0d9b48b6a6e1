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

import pytest

from marginalia.export import WITHOUT_SITE_URL
from marginalia.serve import POLLS, WORKERS, MarginaliaServer, make_server
from tests.conftest import FIXTURE_CONTENT, Project, example_config, free_port, wait_for_port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MarginaliaServer]:
    """Serve a copy of the example site on a free port, with a secret file beside site/."""
    root = tmp_path_factory.mktemp("serve")
    shutil.copytree(FIXTURE_CONTENT, root / "content")
    config = example_config(root / "site", root / "content")
    (root / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "site-private").mkdir()
    (root / "site-private" / "key.txt").write_text("secret", encoding="utf-8")
    (root / "outside").mkdir()
    (root / "outside" / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "outside" / "index.html").write_text("<html><body>secret</body></html>", encoding="utf-8")
    srv, _ = make_server(config, "127.0.0.1", free_port())
    os.symlink(root / "secret.txt", root / "site" / "link-out.txt")
    os.symlink(root / "outside", root / "site" / "evil")
    os.symlink(root / "site" / "glossary.html", root / "site" / "link-in.html")
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
    "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/%252e%252e/secret.txt",  # double-encoded
    "/..%5csecret.txt",  # backslash
    "/..\\secret.txt",
    "/../site-private/key.txt",  # a sibling whose name starts like the site folder
    "/link-out.txt",  # a symlink inside site/ pointing outside
    "/evil/secret.txt",  # a symlinked folder pointing outside
    "/evil/",
    "/evil",
    "/evil%2fsecret.txt",
    "/evil/./secret.txt",
    "/glossary.html/../evil/secret.txt",
]

MALFORMED = [
    "/%00",
    "/index.html%00.txt",
    "/evil%00/secret.txt",
    "/%c0%ae%c0%ae/secret.txt",  # overlong UTF-8 dots
    "/%e0%80%ae%e0%80%ae/secret.txt",  # overlong, three bytes
    "/%c0%af..%c0%afsecret.txt",  # overlong slashes
    "/ev%ffil/secret.txt",  # bytes a lenient decoder drops, leaving /evil/
    "/evil%c0%80/secret.txt",
    "/evil%ff/",
    "/evil%ff",
    "/ev%ed%a0%80il/secret.txt",  # an encoded surrogate
    "/link-out.txt%ff",
    "/%fflink-out.txt",
    "/glossary.html%ff",
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


@pytest.mark.parametrize("path", MALFORMED)
def test_paths_that_are_not_utf8_or_hold_nul_are_400(server: MarginaliaServer, path: str) -> None:
    """A path that is not valid UTF-8 (invalid or overlong bytes, surrogates) or holds NUL is refused whole,
    not read another way that names another file."""
    status, body = get(server, path)
    assert status == 400
    assert b"secret" not in body


def test_links_inside_the_site_are_followed(server: MarginaliaServer) -> None:
    """A symbolic link inside site/ to a page of the site is served (with the reload script)."""
    status, body = get(server, "/link-in.html")
    assert status == 200 and b"Glossary" in body and b"/.marginalia/livereload-" in body
    status, body = get(server, "/articles")
    assert status == 404  # a folder without index.html


def test_a_folder_redirects_to_its_index(server: MarginaliaServer) -> None:
    """/x (a folder with index.html) redirects to /x/, which serves its index, as MkDocs does."""
    os.makedirs(os.path.join(server.root, "folder"), exist_ok=True)
    with open(os.path.join(server.root, "folder", "index.html"), "w", encoding="utf-8") as file:
        file.write("<html><body>in the folder</body></html>")
    assert get(server, "/folder")[0] == 302
    status, body = get(server, "/folder/")
    assert status == 200 and b"in the folder" in body


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
    cross_site = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
    for path in ["/%fflivereload/1/1", "/livereload%ff/1/1", "/%c0%80livereload/1/1", "/livereload/1/1"]:
        assert get(server, path, cross_site)[0] in (400, 403), path


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


def test_idle_connections_hold_no_thread(server: MarginaliaServer) -> None:
    """A thousand connections that send nothing: pages are still served, by a bounded number of threads."""
    host, port = server.server_address[:2]
    before = threading.active_count()
    idle = [socket.create_connection((host, port), timeout=10) for _ in range(1000)]
    try:
        status, body = get(server, "/glossary.html")
        assert status == 200 and b"Glossary" in body
        assert threading.active_count() - before <= WORKERS + 1
    finally:
        for sock in idle:
            sock.close()
    assert get(server, "/index.html")[0] == 200


def test_reload_polls_leave_threads_for_pages(server: MarginaliaServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages waiting for a reload hold at most half the threads; past that they are told to retry (503)."""
    monkeypatch.setattr(server, "poll_response_timeout", 3)
    epoch = server._visible_epoch
    status, body = get(server, f"/livereload/{epoch - 1}/1")  # an older page: reloads at once
    assert status == 200 and int(body) == epoch
    statuses: list[int] = []
    polls = [
        threading.Thread(target=lambda: statuses.append(get(server, f"/livereload/{epoch}/1")[0]))
        for _ in range(POLLS + 3)
    ]
    for poll in polls:
        poll.start()
    assert get(server, "/glossary.html")[0] == 200
    for poll in polls:
        poll.join()
    assert sorted(statuses) == [200] * POLLS + [503] * 3


@pytest.mark.parametrize("site_url", ["", "https://news.example/"])
def test_a_site_without_site_url_is_told_once_when_the_server_starts(
    project: Project, capsys: pytest.CaptureFixture[str], site_url: str
) -> None:
    """Without site_url, the dev server says once, as `build` does, what the site lacks and how to set it;
    a rebuild does not say it again; with site_url it is not said."""
    project.article("a", "Ada saw the engine in London.\n", "mentions:\n  - {entity: ada, quote: Ada}\n")
    config = dataclasses.replace(example_config(project.root / "site", project.content), site_url=site_url)
    srv, _ = make_server(config, "127.0.0.1", free_port(), no_search=True)
    try:
        project.article("a", "Ada saw the engine in Paris.\n")
        srv.builder()  # what the server does after an edit
    finally:
        srv.shutdown()
    err = capsys.readouterr().err
    assert err.count("Rebuilt ") == 2, err  # the build at the start, and the rebuild after the edit
    note = WITHOUT_SITE_URL.format(config_file="mkdocs.yml")
    assert err.count(note) == (0 if site_url else 1), err


def test_a_rebuild_prints_only_the_warnings_that_are_new(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """The first build prints every warning; a rebuild prints those the edit brought, and one line for the others
    (a site of thousands of warnings would bury the edit under them)."""
    mention = "mentions:\n  - {entity: ada, quote: Lovelace, occurrence: 1}\n"
    project.article("a", "Lovelace saw the engine. Lovelace left.\n", mention)
    project.article("b", "Lovelace came back.\n", mention)
    srv, _ = make_server(example_config(project.root / "site", project.content), "127.0.0.1", free_port(), True)
    try:
        first = capsys.readouterr().err
        assert first.count("warning[W501]") == 1 and first.count("warning[W502]") == 2, first  # london, engine
        project.article("b", "Lovelace came back. Lovelace stayed.\n")
        srv.builder()  # what the server does after an edit
    finally:
        srv.shutdown()
    again = capsys.readouterr().err
    assert again.count("warning[") == 1 and "b.md:6:1: warning[W501]" in again, again  # the new one only
    assert "3 warnings shown before still hold" in again, again
