"""The HTML digest as a person sees it: rendered by headless Chromium, screenshotted, every image loaded.

The screenshot lands in tests/artifacts/ for a human to look at. The test
installs nothing: without a `chromium` binary it skips and says so.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from journeywatch.reports import add_charts, build_digest, parse_week, write_digest
from journeywatch.settings import parse_config
from journeywatch.storage import open_database
from tests.test_digest_data import BRAND, WEEK, fill, make_items

ARTIFACTS = Path(__file__).parent / "artifacts"
SECTIONS = ["header", "headline", "journey-map", "stages", "trend", "negative-share", "terms", "alerts", "coverage",
            "footer"]
# After load, write what a reader would notice into one attribute that --dump-dom prints.
PROBE = """<script>
window.addEventListener('load', function () {
  var images = Array.prototype.map.call(document.images, function (i) { return i.complete ? i.naturalWidth : -1; });
  var sections = {};
  document.querySelectorAll('[data-section]').forEach(function (e) { sections[e.dataset.section] = e.offsetHeight; });
  document.documentElement.setAttribute('data-probe', JSON.stringify(
    {images: images, sections: sections, height: document.documentElement.scrollHeight}));
});
</script>"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    pytest.skip("headless Chromium not found (Debian: apt-get install chromium); the browser check needs it")


def _run(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--hide-scrollbars", "--virtual-time-budget=10000"]
    return subprocess.run([binary, *flags, *args], capture_output=True, text=True, timeout=120, check=False)


def test_digest_renders_in_a_browser_with_every_section_and_image(tmp_path: Path) -> None:
    binary = _chromium()
    url = f"sqlite:///{tmp_path / 'j.db'}"
    fill(open_database(url), make_items())
    config = parse_config({"database": url, "brands": [{"name": BRAND, "query": "northwind"}]})
    digest = add_charts(build_digest(open_database(url), config, BRAND, parse_week(WEEK)))
    html_path = write_digest(digest, tmp_path / "out")[0]
    probe_path = tmp_path / "probe.html"
    probe_path.write_text(html_path.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                          encoding="utf-8")

    dumped = _run(binary, tmp_path / "profile", "--dump-dom", probe_path.as_uri())
    match = re.search(r"data-probe=\"([^\"]*)\"", dumped.stdout)
    assert match, f"no probe in the DOM Chromium dumped; stderr tail: {dumped.stderr[-500:]}"
    probe = json.loads(match.group(1).replace("&quot;", '"'))
    assert len(probe["images"]) == 2 and all(width > 0 for width in probe["images"]), probe["images"]
    assert list(probe["sections"]) == SECTIONS
    assert all(height > 0 for height in probe["sections"].values()), probe["sections"]
    assert '<script>alert("x")' not in dumped.stdout  # the hostile post is text in the live DOM
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in dumped.stdout

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"digest-{WEEK}.png"
    shot.unlink(missing_ok=True)
    height = int(probe["height"]) + 40
    taken = _run(binary, tmp_path / "profile", f"--screenshot={shot}", f"--window-size=800,{height}",
                 html_path.as_uri())
    assert shot.is_file(), f"no screenshot; stderr tail: {taken.stderr[-500:]}"
    with Image.open(shot) as image:
        assert image.size == (800, height)
        colours = image.convert("RGB").resize((200, 200)).getcolors(maxcolors=200 * 200)
    assert colours is not None and len(colours) > 100  # charts and text, not a blank page


def test_an_unbroken_long_quote_keeps_the_page_at_its_width(tmp_path: Path) -> None:
    # A 400-character link or "AAAA…" without a space stretched the 720 px page past the window:
    # headline cards squeezed, the quotes' right side cut off.
    binary = _chromium()
    url = f"sqlite:///{tmp_path / 'j.db'}"
    fill(open_database(url), make_items(weeks=2, hostile=False), failures=0)
    config = parse_config({"database": url, "brands": [{"name": BRAND, "query": "northwind"}]})
    digest = build_digest(open_database(url), config, BRAND, parse_week(WEEK))
    stage = next(s for s in digest.stages if s.quotes)
    stage.quotes[0] = dataclasses.replace(stage.quotes[0], text="https://tracking.example/" + "x" * 400)
    html_path = write_digest(add_charts(digest), tmp_path / "out")[0]
    probe = """<script>window.addEventListener('load', function () {
      document.documentElement.setAttribute('data-width', String(document.documentElement.scrollWidth)); });
    </script>"""
    probe_path = tmp_path / "probe.html"
    probe_path.write_text(html_path.read_text(encoding="utf-8").replace("</body>", probe + "</body>"),
                          encoding="utf-8")
    dumped = _run(binary, tmp_path / "profile", "--window-size=800,600", "--dump-dom", probe_path.as_uri())
    match = re.search(r'data-width="(\d+)"', dumped.stdout)
    assert match, f"no probe in the DOM Chromium dumped; stderr tail: {dumped.stderr[-500:]}"
    assert int(match.group(1)) <= 800
