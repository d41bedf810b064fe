"""The web UI and HTTP API: a real server on loopback, a real store, Debian's Chromium."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

import newsweave
from tests.web.conftest import Running, start_server, stop_server

BRIDGE = "Bridge section collapses into river in Port Aldane, killing one"


def wait_for_job(base: str, job: int, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status: dict[str, Any] = httpx.get(f"{base}/api/v1/jobs/{job}").json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"job {job} did not finish")


# ------------------------------------------------------------------------------ HTTP


def test_pages_and_api_answer_with_security_headers(server: Running) -> None:
    home = httpx.get(server.url + "/")
    assert home.status_code == 200 and BRIDGE in home.text
    csp = home.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
    assert home.headers["x-content-type-options"] == "nosniff" and home.headers["referrer-policy"] == "no-referrer"
    listing = httpx.get(server.url + "/api/v1/stories").json()
    assert listing["total"] == 3 and {s["changed"] for s in listing["stories"]} == {"new"}
    bridge = next(s for s in listing["stories"] if s["title"] == BRIDGE)
    story = httpx.get(server.url + f"/api/v1/stories/{bridge['id']}").json()
    assert story["schema"] == "newsweave.digest/1"
    (digest,) = story["stories"]
    assert digest["summary"]["sentences"] and digest["crosscheck"]["counts"]["conflicting"] >= 1
    assert digest["entities"] and digest["timeline"] is not None
    page = httpx.get(server.url + bridge["url"])
    assert page.status_code == 200 and "Where the outlets disagree" in page.text


def test_api_pages_filters_and_errors(server: Running) -> None:
    base = server.url + "/api/v1"
    first = httpx.get(base + "/stories", params={"size": 2}).json()
    second = httpx.get(base + "/stories", params={"size": 2, "page": 2}).json()
    assert len(first["stories"]) == 2 and len(second["stories"]) == 1
    assert httpx.get(base + "/stories", params={"size": 101}).status_code == 422
    by_outlet = httpx.get(base + "/stories", params={"outlet": "Aldane Courier"}).json()
    assert [s["title"] for s in by_outlet["stories"]] == [BRIDGE]
    most = httpx.get(base + "/stories", params={"order": "outlets"}).json()["stories"][0]
    assert most["title"] == BRIDGE  # five outlets
    conflicting = httpx.get(base + "/stories", params={"conflicts": "true"}).json()
    assert conflicting["total"] == 3  # each example story has one planted disagreement
    found = httpx.get(base + "/search", params={"q": "Tollis Bridge"}).json()
    assert found["hits"] and all(hit["story"] for hit in found["hits"])
    assert httpx.get(base + "/search", params={"q": '"unbalanced'}).status_code == 200  # quoted safely
    missing = httpx.get(base + "/stories/nosuchstory")
    assert missing.status_code == 404 and "nosuchstory" in missing.json()["error"]
    article_id = found["hits"][0]["article"]
    article = httpx.get(base + f"/articles/{article_id}").json()
    assert article["article"]["maintext"] and article["story"]
    assert httpx.get(server.url + "/stories/nosuchstory").status_code == 404


def test_writes_are_bounded_and_refused_cross_site(server: Running) -> None:
    base = server.url + "/api/v1"
    huge = httpx.post(
        base + "/articles", content=b"x" * (21 * 1024 * 1024), headers={"content-type": "application/json"}
    )
    assert huge.status_code == 413 and "larger than" in huge.json()["error"]
    bad = httpx.post(base + "/jobs", json={"urls": ["file:///etc/passwd"]})
    assert bad.status_code == 400 and "not an http(s) URL" in bad.json()["error"]
    forged = httpx.post(
        server.url + "/add", data={"urls": "https://example.org/"}, headers={"origin": "https://evil.example"}
    )
    assert forged.status_code == 403


def test_refused_and_dropped_jobs_leave_no_uploaded_files(server: Running, tmp_path: Path, monkeypatch: Any) -> None:
    from newsweave.web.jobs import Jobs

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # upload folders land here, where they can be counted
    refused = httpx.post(
        server.url + "/add", files={"files": ("report.txt", b"News of the Tollis Bridge.")}, data={"urls": "file:///x"}
    )
    assert refused.status_code == 400 and list(tmp_path.iterdir()) == []
    jobs = Jobs(tmp_path / "never-started.db", newsweave.DigestConfig(), limit=8)
    jobs._queue.put(None)  # the worker stops first, so every job below is still queued when the jobs close
    folders = [Path(tempfile.mkdtemp(prefix="newsweave-upload-")) for _ in range(3)]
    for folder in folders:
        jobs.submit([str(folder)], folder)
    jobs.close()
    assert not any(folder.exists() for folder in folders)


def test_a_token_guards_every_write(examples_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "copy.db"
    store.write_bytes(examples_store.read_bytes())
    running = start_server(store, token="s3cret")
    try:
        body = {"articles": [{"title": "A test", "maintext": "One sentence of news about the Tollis Bridge."}]}
        assert httpx.post(running.url + "/api/v1/articles", json=body).status_code == 401
        accepted = httpx.post(running.url + "/api/v1/articles", json=body, headers={"authorization": "Bearer s3cret"})
        assert accepted.status_code == 202
        assert wait_for_job(running.url, accepted.json()["job"])["state"] == "done"
        assert httpx.get(running.url + "/").status_code == 200  # reading needs no token
    finally:
        stop_server(running)


def test_serving_off_loopback_without_a_token_is_refused(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newsweave", "serve", "--store", str(tmp_path / "s.db"), "--host", "0.0.0.0"],
        capture_output=True, text=True, timeout=60, env={"PATH": "", "NEWSWEAVE_TOKEN": ""},
    )  # fmt: skip
    assert done.returncode == 2
    assert "--token" in done.stderr and "127.0.0.1" in done.stderr


def test_readers_never_see_a_half_written_story(examples_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "busy.db"
    store.write_bytes(examples_store.read_bytes())
    running = start_server(store)
    try:
        lines = [
            json.dumps({"title": f"Report {i}", "maintext": f"Storm number {i} hit the coast of Region {i} today. "
                        f"Officials in Town {i} said {i} homes were damaged.", "source_domain": f"site{i}.example"})
            for i in range(60)
        ]  # fmt: skip
        job = httpx.post(running.url + "/api/v1/articles", json={"articles": [json.loads(x) for x in lines]}).json()
        seen = 0
        while httpx.get(running.url + f"/api/v1/jobs/{job['job']}").json()["state"] in ("queued", "running"):
            listing = httpx.get(running.url + "/api/v1/stories", params={"size": 100})
            assert listing.status_code == 200
            for row in listing.json()["stories"]:
                assert row["articles"] >= 1 and row["outlets"]
            seen += 1
        assert wait_for_job(running.url, job["job"])["state"] == "done"
        assert httpx.get(running.url + "/api/v1/stories").json()["total"] > 3
    finally:
        stop_server(running)


# ------------------------------------------------------------------------------ browser


def test_story_list_to_story_to_citation_to_highlighted_span(server: Running, page: Any) -> None:
    page.goto(server.url + "/")
    page.get_by_role("link", name=BRIDGE).click()
    page.wait_for_selector("#summary")
    assert page.locator("h1").inner_text() == BRIDGE
    citation = page.locator("a.cite").first
    href = citation.get_attribute("href")
    citation.click()
    page.wait_for_selector("mark#hl")
    start, end = (int(n) for n in re.search(r"hl=(\d+)-(\d+)", href or "").groups())  # type: ignore[union-attr]
    article_id = re.search(r"/articles/([^?]+)", href or "").group(1)  # type: ignore[union-attr]
    article = httpx.get(server.url + f"/api/v1/articles/{article_id}").json()["article"]
    assert page.locator("mark#hl").inner_text() == article["maintext"][start:end]
    assert page.locator("mark#hl").is_visible()


def test_search_from_the_story_list(server: Running, page: Any) -> None:
    page.goto(server.url + "/")
    page.get_by_label("Search").fill("Sandreach")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    titles = page.locator("a.headline").all_inner_texts()
    assert titles == ["Storm Isolde floods town on Westmarch coast, one dead"]


def test_adding_an_article_through_the_page_changes_its_story(examples_store: Path, tmp_path: Path, page: Any) -> None:
    store = tmp_path / "add.db"
    store.write_bytes(examples_store.read_bytes())
    running = start_server(store)
    try:
        report = (
            "Storm Isolde: clean-up begins in Lowtown as the River Orran falls\n\n"
            "Wednesday 30 October 2024 09:10 GMT\n\n"
            "Residents of Lowtown in Lisscombe began clearing flood-damaged homes on Wednesday as the River Orran "
            "fell, two days after Storm Isolde brought torrential rain and 88mph gusts to the Westmarch coast. "
            "Nearly 300 people had been taken to a rest centre at Lisscombe Academy. Westmarch Fire and Rescue "
            "Service said crews had carried out more than 60 rescues. A woman from Crannow died when her car was "
            "swept off Brackwater Lane. The Orran House care home on Mill Lane remains closed.\n"
        )
        upload = tmp_path / "harbour-times.txt"
        isolde = "Storm Isolde floods town on Westmarch coast, one dead"
        upload.write_text(report, encoding="utf-8")
        before = next(s for s in httpx.get(running.url + "/api/v1/stories").json()["stories"] if s["title"] == isolde)
        # Seen once before the ingest, so the server holds this version of the page and of the list.
        page.goto(running.url + f"/stories/{before['id']}")
        assert "3 articles" in page.locator(".meta").first.inner_text()
        page.goto(running.url + "/")
        page.goto(running.url + "/add")
        page.set_input_files("input[name=files]", str(upload))
        page.get_by_role("button", name="Add").click()
        page.wait_for_selector(".state.done", timeout=120_000)
        assert "1 new article" in page.locator("main").inner_text()
        page.get_by_role("link", name=isolde).click()
        page.wait_for_selector("#summary")
        assert "3 articles" not in page.locator(".meta").first.inner_text()
        after = next(s for s in httpx.get(running.url + "/api/v1/stories").json()["stories"] if s["title"] == isolde)
        assert after["articles"] == before["articles"] + 1 and after["changed"] == "grew"
    finally:
        stop_server(running)


HOSTILE = [
    {
        "title": "</title><script>window.__xss=1;alert(1)</script>Bridge",
        "maintext": "The <script>window.__xss=2;alert(2)</script> bridge over the River Aske collapsed on Monday. "
        'An <img src=x onerror="window.__xss=3;alert(3)"> image was posted. Officials said '
        '"<svg onload=alert(4)>" nine people were hurt in Port Aldane when the Tollis Bridge fell.',
        "source_domain": "evil.example",
        "url": "javascript:alert(5)",
        "outlet": "<b onmouseover=alert(6)>Evil</b> Outlet",
        "authors": ["<script>alert(7)</script>"],
    },
    {
        "title": "Tollis Bridge falls <iframe src=javascript:alert(8)>",
        "maintext": "The Tollis Bridge in Port Aldane fell into the River Aske on Monday, and nine people were hurt. "
        'Officials said <a href="javascript:alert(9)">click</a> the bridge had been inspected.',
        "url": 'https://good.example/news/bridge" onmouseover="alert(10)',
        "outlet": "Second Outlet",
    },
]


def test_script_payloads_never_run_on_any_page(tmp_path: Path, page: Any) -> None:
    feed = tmp_path / "hostile.jsonl"
    feed.write_text("\n".join(json.dumps(item) for item in HOSTILE) + "\n", encoding="utf-8")
    store = tmp_path / "hostile.db"
    newsweave.ingest([feed], store)
    running = start_server(store)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        stories = httpx.get(running.url + "/api/v1/stories").json()["stories"]
        urls = ["/"] + [s["url"] for s in stories]
        for story in stories:
            digest = httpx.get(running.url + f"/api/v1/stories/{story['id']}").json()["stories"][0]
            urls += [f"/articles/{a['id']}?hl=0-20" for a in digest["articles"]]
        for url in urls:
            page.goto(running.url + url)
            page.wait_for_load_state("load")
            page.mouse.move(10, 10)
            page.mouse.move(300, 300)
            for link in page.locator("a").all():
                href = link.get_attribute("href") or ""
                assert not href.strip().lower().startswith("javascript:"), (url, href)
            assert page.evaluate("window.__xss") is None, url
            assert page.locator("script").count() == 0, url
            assert page.locator("img, iframe, svg").count() == 0, url
        assert dialogs == []
    finally:
        stop_server(running)


def test_story_page_reads_on_a_phone(server: Running, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740})
    phone = context.new_page()
    try:
        phone.goto(server.url + "/")
        phone.get_by_role("link", name=BRIDGE).click()
        phone.wait_for_selector("#summary")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 375 + 1  # nothing but the matrix (in its own scroll box) is wider than the screen
        phone.keyboard.press("Tab")
        assert phone.evaluate("document.activeElement.tagName") == "A"
    finally:
        context.close()
