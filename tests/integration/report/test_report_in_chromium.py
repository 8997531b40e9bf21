"""The evaluation report renders in headless Chromium, on a laptop and a phone, with every section and no
request leaving the page. Chromium is Debian's (`make install-dev` installs it); Playwright drives it and
never downloads a browser of its own.

Refresh the README's screenshot with: MLPIPE_UPDATE_SCREENSHOT=1 .venv/bin/pytest tests/integration/report
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from processing.report.page import SECTION_IDS
from tests.integration.cli.conftest import REPO_ROOT, TITANIC_TRAIN, Mlpipe

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = REPO_ROOT / "docs" / "report.png"
VIEWPORTS = {"laptop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A champion/challenger report from two real runs on Titanic (the second one with fewer rounds)."""
    mlpipe = Mlpipe(tmp_path_factory.mktemp("report") / "home")
    assert mlpipe("run", "--train", str(TITANIC_TRAIN)).exit_code == 0
    assert mlpipe("models", "approve", "1").exit_code == 0
    challenger = mlpipe("run", "--train", str(TITANIC_TRAIN), "-p", "NumRound=150")
    assert challenger.exit_code in (0, 1), challenger.output
    return Path(mlpipe("report").stdout.strip()) if challenger.exit_code == 0 else _refused(challenger.stderr)


def _refused(stderr: str) -> Path:
    return Path(stderr.rsplit("report: ", 1)[1].strip())


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_section_renders_without_fetching_anything(report_page: Path, viewport: str) -> None:
    if not CHROMIUM.is_file():
        pytest.skip("Debian's chromium is not installed; `make install-dev` installs it (as root)")
    from playwright.sync_api import sync_playwright

    width, height = VIEWPORTS[viewport]
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("request", lambda request: requests.append(request.url))
        page.goto(report_page.as_uri())
        boxes = {section: page.locator(f"#{section}").bounding_box() for section in SECTION_IDS}
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        charts = page.locator("svg").count()
        if viewport == "laptop" and os.environ.get("MLPIPE_UPDATE_SCREENSHOT"):
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        browser.close()

    assert requests == [report_page.as_uri()], "the report must not fetch anything"
    for section, box in boxes.items():
        assert box is not None and box["height"] > 20 and box["width"] > 200, section
    assert charts == 5  # ROC, PR (both with the champion curve), calibration, importance, SHAP
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px wide"
