"""A request body larger than any form accepts is refused from its headers, before it is read."""

import socket
import time

import pytest

pytestmark = pytest.mark.django_db

SIXTY_MB = 60 * 1024 * 1024


def test_a_declared_60_mb_upload_is_refused_with_a_plain_english_page(client):
    response = client.generic(
        "POST",
        "/housing-help/refer/",
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(SIXTY_MB),
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert "The file you sent is too big" in body
    assert "Nothing you sent has been saved" in body


def test_the_limit_comes_before_any_other_check_reads_the_body(client, settings):
    # A bad Host header is refused by a middleware that runs early; with DEBUG on its error page reads the
    # whole form, so the size limit must answer first.
    settings.DEBUG = True
    response = client.generic(
        "POST",
        "/housing-help/refer/",
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(SIXTY_MB),
        HTTP_HOST="not-our-host.example",
    )
    assert response.status_code == 413


def test_form_fields_other_than_files_are_capped(client, settings):
    # Below the request limit but over DATA_UPLOAD_MAX_MEMORY_SIZE: a 400 page, never a 500.
    big = "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.post("/housing-help/refer/", {"notes": big})
    assert response.status_code == 400


def test_the_server_answers_before_the_body_arrives(live_server):
    """Send the headers of a 60 MB upload and only the first 64 KB of it: the answer must come at once.
    A server that read (or spooled to disk) the body first would still be waiting for the rest."""
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            (
                "POST /housing-help/refer/ HTTP/1.1\r\n"
                f"Host: {host}\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {SIXTY_MB}\r\n\r\n"
            ).encode()
            + b"--x\r\n"
            + b"a" * 65536
        )
        started = time.monotonic()
        sock.settimeout(5)
        answer = sock.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5
