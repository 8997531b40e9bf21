"""`mlpipe ui` in a real browser: Debian's headless Chromium driven by Playwright, one browser per module.

Walks the pages as a reviewer would: models -> versions (sort, compare) -> version (report, approve with
confirmation, by keyboard) -> the live marker moves -> what the serving handler answers changes.
Screenshots go to docs/ui/ when MLPIPE_UPDATE_SCREENSHOTS=1, else to the test's temporary folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from lambda_inference.handler import handle_event
from lambda_inference.model_loader import ModelLoader
from runtime.settings import load_settings, open_registry, open_store
from tests.integration.ui.conftest import mlpipe

REPO = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EVENT = json.loads((REPO / "tests/events/direct_two_passengers.json").read_text())


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.is_file(), "Debian's chromium is missing: `make install-dev` installs it (as root)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("MLPIPE_UPDATE_SCREENSHOTS") == "1":
        return REPO / "docs" / "ui"
    return tmp_path_factory.mktemp("screenshots")


def predictions(home: Path) -> dict[str, object]:
    """What the serving handler answers, with a loader on the same state folder as the UI."""
    settings = replace(load_settings({"MLPIPE_HOME": str(home)}), model_package_group="mlpipe-titanic")
    loader = ModelLoader(open_registry(settings), open_store(settings), background=False)
    response = handle_event(EVENT, loader, "ui-test")
    return {"status": response["statusCode"], "body": json.loads(response["body"])}


def test_models_page_lists_the_model_with_latest_version_and_last_run(page: Page, base_url: str, shots: Path):
    page.goto(base_url + "/")
    row = page.locator("#models tbody tr", has_text="titanic")
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(1)).to_have_text("none")  # nothing approved yet
    expect(cells.nth(2)).to_contain_text("2 PendingManualApproval")
    expect(cells.nth(4)).to_contain_text("failed")  # the last run of titanic is the one that failed
    page.screenshot(path=shots / "models.png", full_page=True)


def test_versions_sort_by_a_header_and_keep_form_labels(page: Page, base_url: str):
    page.goto(base_url + "/models/titanic")
    versions = page.locator("#versions tbody tr td:nth-child(2)")
    expect(versions).to_have_text(["2", "1"])
    sort_by_version = page.locator("#versions thead").get_by_role("button", name="version")
    sort_by_version.click()
    expect(versions).to_have_text(["1", "2"])
    sort_by_version.press("Enter")
    expect(versions).to_have_text(["2", "1"])
    inputs = "document.querySelectorAll('input:not([type=hidden])')"
    unlabelled = page.evaluate(f"Array.from({inputs}).filter(i => !i.labels.length).length")
    assert unlabelled == 0


def test_compare_two_versions_shows_metrics_parameters_and_curves(page: Page, base_url: str, shots: Path):
    page.goto(base_url + "/models/titanic")
    page.get_by_label("compare version 1").check()
    page.get_by_label("compare version 2").check()
    page.screenshot(path=shots / "versions.png", full_page=True)
    page.get_by_role("button", name="Compare selected versions").click()
    expect(page).to_have_url(f"{base_url}/models/titanic/compare?v=2&v=1")  # newest first, as listed
    expect(page.locator("#compare-metrics thead th")).to_have_text(["metric", "version 1", "version 2"])
    expect(page.locator("#compare-metrics tbody tr", has_text="auc").locator("td.best")).to_have_count(1)
    max_depth = page.locator("#compare-parameters tbody tr.differs", has_text="max_depth")
    expect(max_depth.locator("td")).to_have_text(["4", "2"])
    for chart in ("ROC curves", "Precision-recall curves"):
        expect(page.get_by_role("img", name=chart).locator("polyline")).to_have_count(2)
    page.screenshot(path=shots / "compare.png", full_page=True)


def test_approve_by_keyboard_after_confirmation_moves_live_and_what_serving_answers(
    page: Page, base_url: str, home: Path, shots: Path
):
    assert predictions(home)["status"] == 503  # nothing approved: serving has no model yet

    page.goto(base_url + "/models/titanic/versions/1")
    expect(page.frame_locator("iframe.report").locator("h1")).to_contain_text("evaluation report")
    page.screenshot(path=shots / "version.png", full_page=True)
    # The sandboxed report renders in a frame of its own, which full-page captures leave blank.
    page.locator("iframe.report").screenshot(path=shots / "version-report.png")
    approve = page.get_by_role("link", name="Approve version 1…")
    for _ in range(40):  # Tab through the page until the Approve control has the focus
        if approve.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the Approve control cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Approve titanic version 1?")
    page.screenshot(path=shots / "confirm.png", full_page=True)
    confirm = page.get_by_role("button", name="Yes, approve version 1")
    confirm.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Approved")
    expect(page.get_by_role("status")).to_contain_text("live version: 1")
    first = predictions(home)

    page.goto(base_url + "/models/titanic/versions/2/confirm?action=approve")
    page.get_by_role("button", name="Yes, approve version 2").click()
    page.goto(base_url + "/models/titanic")
    live_row = page.locator("#versions tbody tr", has=page.locator(".live"))
    expect(live_row.locator("td:nth-child(2) a")).to_have_text("2")
    second = predictions(home)

    assert first["status"] == second["status"] == 200
    assert first["body"] != second["body"], "approving version 2 in the UI did not change the answers"


def test_version_page_shows_its_deployment_history_after_a_rollback(page: Page, base_url: str, home: Path):
    """Runs after the approvals above (v1, then v2); the rollback goes through the CLI, and both pages
    read what `mlpipe models history` reads."""
    rolled = mlpipe(
        home, "models", "rollback", "--config", "examples/titanic/mlpipe.toml", "--reason", "bad v2"
    )
    assert rolled.returncode == 0, rolled.stderr

    page.goto(base_url + "/models/titanic/versions/2")
    rows = page.locator("#history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td")).to_contain_text(["", "", "promote", "1 → 2", "", "live", "-"])
    expect(rows.nth(1).locator("td")).to_contain_text(
        ["", "", "rollback", "2 → 1", "", "rolled back", "bad v2"]
    )
    page.goto(base_url + "/")
    expect(page.locator("#models tbody tr", has_text="titanic").locator("td").nth(1)).to_have_text("1")


def test_runs_show_the_failed_run_with_its_step_log(page: Page, base_url: str, shots: Path):
    page.goto(base_url + "/runs")
    expect(page.locator("#runs tbody tr")).to_have_count(3)
    page.screenshot(path=shots / "runs.png", full_page=True)
    page.locator("#runs tbody tr", has_text="failed").get_by_role("link").click()
    expect(page.locator("#steps tbody tr", has_text="Preprocess")).to_contain_text("failed")
    expect(page.locator("details[open] pre")).to_contain_text("Survived")
    page.screenshot(path=shots / "run.png", full_page=True)


def test_a_running_pipeline_page_updates_until_it_ends(page: Page, base_url: str, home: Path):
    folder = home / "runs" / "20990101T000000Z-running"
    (folder / "logs").mkdir(parents=True)
    (folder / "logs" / "Train.log").write_text("epoch 1\n")
    record = {"execution_id": folder.name, "status": "running", "pid": os.getpid(), "steps": []}
    (folder / "run.json").write_text(json.dumps(record))
    try:
        page.goto(f"{base_url}/runs/{folder.name}")
        expect(page.locator("#run-status")).to_contain_text("running")
        expect(page.locator("#steps tbody tr", has_text="Train")).to_contain_text("running")
        steps = [{"name": "Train", "type": "Training", "status": "succeeded", "seconds": 1.5}]
        (folder / "run.json").write_text(json.dumps({**record, "status": "succeeded", "steps": steps}))
        # No reload by the test: the page refreshes itself while the run is in progress.
        expect(page.locator("#run-status")).to_have_text("succeeded", timeout=8_000)
    finally:
        for path in sorted(folder.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        folder.rmdir()
