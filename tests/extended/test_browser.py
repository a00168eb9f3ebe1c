"""The decks and the website as people see them: Debian's Chromium driven by Playwright.

Run by `make extended` (`make browser` alone). It builds `make slides OFFLINE=1` and
`make html OFFLINE=1` into build/, then
- visits every slide of every deck at 1280x720 and asserts: the slide fits reveal's canvas, no
  code scrolls sideways, every plot is fully on screen with its text at least ``MIN_TEXT_PX``,
  MathJax reports no error, and no request leaves the machine (file: and data: URLs only);
- opens every page of the site: a title from the notebook, the sidebar and previous/next
  navigation, every internal link (followed) resolving to a page that exists.
A failing slide's screenshot goes to build/browser/; docs/images/ gets one slide and one page
for the README (``BP_SCREENSHOTS=1``, as `make browser SCREENSHOTS=1` sets).

Needs /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it) and the
`playwright` package (in requirements.lock); never `playwright install`.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SLIDES = ROOT / "build" / "slides"
SITE = ROOT / "build" / "site"
SHOTS = ROOT / "build" / "browser"
CHROMIUM = pathlib.Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
VIEWPORT = {"width": 1280, "height": 720}
MIN_TEXT_PX = 14.0  # smallest plot text on the projected slide
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")

# Everything measured on the slide that is shown, in canvas pixels (reveal scales the canvas).
MEASURE = """() => {
  const cfg = Reveal.getConfig();
  const slide = Reveal.getCurrentSlide();
  const canvas = document.querySelector('.reveal .slides').getBoundingClientRect();
  const scale = Reveal.getScale();
  const view = {left: Math.max(canvas.left, 0), top: Math.max(canvas.top, 0),
                right: Math.min(canvas.right, innerWidth), bottom: Math.min(canvas.bottom, innerHeight)};
  const pres = [...slide.querySelectorAll('pre')].filter(p => p.offsetParent !== null);
  const images = [...slide.querySelectorAll('img')].map(img => {
    const r = img.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, view.right) - Math.max(r.left, view.left));
    const h = Math.max(0, Math.min(r.bottom, view.bottom) - Math.max(r.top, view.top));
    return {visible: (w * h) / Math.max(1, r.width * r.height),
            shown: r.width / Math.max(1, img.naturalWidth), natural: img.naturalWidth};
  });
  let bottom = 0;
  for (const el of slide.querySelectorAll('*')) {
    if (el.offsetParent === null || el.closest('aside.notes')) continue;
    const r = el.getBoundingClientRect();
    if (r.height > 0) bottom = Math.max(bottom, r.bottom);
  }
  return {
    height: slide.scrollHeight, canvas: cfg.height, width: cfg.width,
    overflowPx: Math.max(slide.scrollHeight - cfg.height, (bottom - canvas.bottom) / scale),
    sideways: pres.filter(p => p.scrollWidth > p.clientWidth + 1).length
              + (slide.scrollWidth > cfg.width + 1 ? 1 : 0),
    images: images,
    mathErrors: document.querySelectorAll('.MathJax_Error, .mjx-merror, merror, .noError').length,
    notes: slide.querySelectorAll('aside.notes').length,
  };
}"""


def _figure_text_px() -> float:
    """Plot text in image pixels, from the figure defaults setup_notebook() applies."""
    from bpcourse.notebook import FIGURE_RC

    return FIGURE_RC["font.size"] * FIGURE_RC["figure.dpi"] / 72


def _deck_slides(page) -> list[tuple[int, int]]:
    return page.evaluate("""() => Reveal.getHorizontalSlides().flatMap((s, h) => {
        const v = s.querySelectorAll(':scope > section').length;
        return v ? [...Array(v).keys()].map(i => [h, i]) : [[h, 0]]; })""")


def _wait_ready(page) -> None:
    # reveal.js is loaded through require.js, which keeps the module out of window.
    page.wait_for_function(
        """() => {
        if (!window.Reveal && window.require && require.s) {
            const found = Object.entries(require.s.contexts._.defined)
                .find(([name]) => name.endsWith('dist/reveal.js'));
            if (found) window.Reveal = found[1];
        }
        return window.Reveal && Reveal.isReady && Reveal.isReady(); }""",
        timeout=60_000,
    )
    page.wait_for_function(
        """() => new Promise(done => {
        if (!window.MathJax || !MathJax.Hub) { done(true); return; }
        MathJax.Hub.Queue(() => done(true)); })""",
        timeout=60_000,
    )
    page.evaluate("() => Reveal.configure({transition: 'none', backgroundTransition: 'none'})")


def measure_deck(page, deck: pathlib.Path) -> list[dict]:
    """Every slide of ``deck`` measured; each dict gets ``where`` (``#/h/v``) and ``problems``."""
    page.goto(deck.as_uri())
    _wait_ready(page)
    results = []
    text_px = _figure_text_px()
    for h, v in _deck_slides(page):
        page.evaluate(f"() => Reveal.slide({h}, {v})")
        page.wait_for_timeout(30)
        m = page.evaluate(MEASURE)
        problems = []
        if m["overflowPx"] > 2:
            problems.append(f"taller than the canvas by {m['overflowPx']:.0f} px")
        if m["sideways"]:
            problems.append(f"{m['sideways']} code block(s) scroll sideways")
        for i, img in enumerate(m["images"]):
            if img["visible"] < 0.99:
                problems.append(f"plot {i + 1} only {100 * img['visible']:.0f}% visible")
            elif img["natural"] > 80 and img["shown"] * text_px < MIN_TEXT_PX:
                problems.append(
                    f"plot {i + 1} text {img['shown'] * text_px:.1f} px < {MIN_TEXT_PX}"
                )
        if m["mathErrors"]:
            problems.append(f"{m['mathErrors']} MathJax error(s)")
        m.update(where=f"#/{h}/{v}", problems=problems)
        if problems:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{deck.name.split('.')[0]}_{h}_{v}.png"))
        results.append(m)
    return results


def _make(*args: str) -> None:
    result = subprocess.run(
        ["make", "-s", *args, "SETUP="], cwd=ROOT, capture_output=True, text=True, timeout=1200
    )
    assert result.returncode == 0, f"make {' '.join(args)} failed:\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page that records every request; the test asserts they all stayed on the machine."""
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.requests = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


def _readme_screenshot(page, name: str) -> None:
    """A small PNG for the README (256 colours)."""
    from PIL import Image

    path = ROOT / "docs" / "images" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), scale="css")
    Image.open(path).convert("RGB").quantize(256).save(path, optimize=True)


def _off_machine(urls: list[str]) -> list[str]:
    return [u for u in urls if not u.startswith(LOCAL_SCHEMES)]


@pytest.fixture(scope="module")
def decks():
    shutil.rmtree(SHOTS, ignore_errors=True)
    _make("slides", "OFFLINE=1")
    found = sorted(SLIDES.glob("*.slides.html"))
    assert [d.name.replace(".slides.html", ".ipynb") for d in found] == [p.name for p in NOTEBOOKS]
    return found


@pytest.mark.parametrize("name", [p.stem for p in NOTEBOOKS])
def test_every_slide_fits_and_stays_offline(decks, page, name):
    deck = SLIDES / f"{name}.slides.html"
    results = measure_deck(page, deck)
    assert len(results) > 3, f"{deck.name}: hardly any slides"
    bad = [f"{r['where']}: {'; '.join(r['problems'])}" for r in results if r["problems"]]
    assert not bad, (
        f"{deck.name}: {len(bad)} of {len(results)} slides do not fit "
        f"(screenshots in {SHOTS.relative_to(ROOT)}):\n" + "\n".join(bad)
    )
    assert page.requests, "no request recorded at all: the recorder is broken"
    assert not _off_machine(page.requests), (
        f"requests off the machine: {_off_machine(page.requests)}"
    )
    if name.startswith("01") and os.environ.get("BP_SCREENSHOTS"):
        first_plot = next(r["where"] for r in results if r["images"])
        h, v = first_plot.split("/")[1:]
        page.evaluate(f"() => Reveal.slide({h}, {v})")
        page.wait_for_timeout(300)
        _readme_screenshot(page, "slide.png")


def test_the_recorder_sees_a_request_off_the_machine(page, tmp_path):
    """The offline assertion can fail: a page that asks for a remote script is caught."""
    html = tmp_path / "remote.html"
    html.write_text(
        '<html><head><script src="https://example.invalid/x.js"></script></head></html>'
    )
    page.goto(html.as_uri())
    assert _off_machine(page.requests) == ["https://example.invalid/x.js"]


# --- the website -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site():
    _make("html", "OFFLINE=1")
    assert (SITE / "index.html").is_file()
    return SITE


def _titles() -> dict[str, str]:
    titles = {}
    for path in NOTEBOOKS:
        first = json.loads(path.read_text())["cells"][0]["source"]
        first = "".join(first) if isinstance(first, list) else first
        titles[path.stem] = first.splitlines()[0].lstrip("# ").strip()
    return titles


def test_site_pages_titles_navigation_and_links(site, page):
    titles = _titles()
    seen, queue, broken = set(), [(site / "index.html").as_uri()], []
    while queue:
        url = queue.pop()
        path = pathlib.Path(urllib.parse.unquote(urllib.parse.urlparse(url).path))
        if path in seen:
            continue
        seen.add(path)
        if not path.is_file():
            broken.append(url)
            continue
        if path.suffix != ".html":
            continue
        page.goto(path.as_uri())
        hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
        for href in hrefs:
            if href.startswith("file:"):
                target = href.split("#")[0].split("?")[0]
                if (
                    pathlib.Path(urllib.parse.unquote(urllib.parse.urlparse(target).path))
                    not in seen
                ):
                    queue.append(target)
    assert not broken, f"internal links to missing files: {broken}"
    pages = {p.stem: p for p in seen if p.suffix == ".html" and p.parent == site / "notebooks"}
    assert sorted(pages) == sorted(titles), "every notebook has a page, reached by links"
    for stem, path in pages.items():
        page.goto(path.as_uri())
        title = page.title()
        assert titles[stem].split("—")[0].strip()[:20] in title, f"{stem}: title {title!r}"
        nav = page.evaluate("""() => ({
            sidebar: document.querySelectorAll('nav a.reference.internal, .bd-sidebar a').length,
            prev: !!document.querySelector('a.left-prev'), next: !!document.querySelector('a.right-next'),
            math: document.querySelectorAll('.MathJax_Error, mjx-merror, .noError').length})""")
        assert nav["sidebar"] >= len(titles), f"{stem}: sidebar navigation missing"
        assert nav["prev"] or nav["next"], f"{stem}: no previous/next links"
        assert nav["math"] == 0, f"{stem}: MathJax errors"
    assert not _off_machine(page.requests), (
        f"requests off the machine: {_off_machine(page.requests)}"
    )
    if os.environ.get("BP_SCREENSHOTS"):
        page.goto(pages[sorted(pages)[1]].as_uri())
        page.wait_for_timeout(500)
        _readme_screenshot(page, "site.png")


def test_site_hides_solutions_behind_a_click(site, page):
    page.goto((site / "notebooks" / f"{NOTEBOOKS[1].stem}.html").as_uri())
    hidden = page.evaluate("""() => [...document.querySelectorAll('details')]
        .filter(d => !d.open && d.innerText.includes('BEGIN SOLUTION') === false
                && d.querySelector('pre')).length""")
    assert hidden >= 1, "no solution behind a click"
    visible = page.evaluate("""() => [...document.querySelectorAll('pre')]
        .filter(p => p.offsetParent !== null && p.innerText.includes('### BEGIN SOLUTION')).length""")
    assert visible == 0, "a solution is shown without a click"
