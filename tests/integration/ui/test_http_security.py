"""The UI's POSTs need the page's CSRF token and a same-origin Origin; foreign Host names are refused;
the report is served sandboxed; text from the state folder is escaped."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from runtime.registry.sqlite import SqliteModelRegistry

DECISION = "/models/titanic/versions/1/decision"


def fetch(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def token(base_url: str) -> str:
    _, html, _ = fetch(base_url + "/models/titanic/versions/1/confirm?action=reject")
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def status_of_version_1(home: Path) -> str:
    return SqliteModelRegistry(home / "registry.db", "mlpipe-titanic").get_version(1).status


def test_a_post_without_the_token_or_from_another_origin_changes_nothing(base_url: str, home: Path):
    before = status_of_version_1(home)
    same_origin = {"Origin": base_url}
    cases = [
        (b"action=reject", same_origin),  # no token
        (b"action=reject&csrf_token=guessed", same_origin),  # wrong token
        (f"action=reject&csrf_token={token(base_url)}".encode(), {"Origin": "http://evil.example"}),
        (f"action=reject&csrf_token={token(base_url)}".encode(), {}),  # neither Origin nor Referer
    ]
    for body, headers in cases:
        status, html, _ = fetch(base_url + DECISION, data=body, headers=headers)
        assert status == 403, (body, headers, html)
    assert status_of_version_1(home) == before


def test_a_foreign_host_name_is_refused(base_url: str):
    """DNS rebinding: a page of another site resolving its own name to 127.0.0.1 sends that Host."""
    status, _, _ = fetch(base_url + "/", headers={"Host": "rebind.example"})
    assert status == 400


def test_the_report_is_served_sandboxed_and_pages_forbid_framing(base_url: str):
    _, _, report_headers = fetch(base_url + "/models/titanic/versions/1/report")
    assert report_headers["content-security-policy"].startswith("sandbox;")
    _, _, page_headers = fetch(base_url + "/")
    assert "frame-ancestors 'none'" in page_headers["content-security-policy"]


def test_names_from_the_state_folder_are_escaped(base_url: str, home: Path):
    folder = home / "runs" / "19990101T000000Z-<img src=x onerror=alert(1)>"
    folder.mkdir(parents=True)
    try:
        _, html, _ = fetch(base_url + "/runs")
    finally:
        folder.rmdir()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
