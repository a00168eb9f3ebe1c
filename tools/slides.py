"""Build the lecture decks (reveal.js) from ``notebooks/``, made to fit a 1280x720 projector.

``make slides`` runs ``python tools/slides.py notebooks build/slides [--offline]``. The notebooks
are never changed; everything happens on the way to HTML, so it holds however they change:

- exercise cells (solution markers) show the stub a student sees; the solution goes into the
  speaker notes (``s`` opens the speaker view), and the check cell after it shows no output;
- cells tagged ``setup``, ``helpers`` or ``hide-input`` (and import-only cells) show no code;
- long error tracebacks keep their last lines;
- every subslide's height is estimated from its code lines, output lines, images and text
  (the model below, calibrated in Chromium); a subslide taller than the canvas is split into
  continuation subslides, a cell taller than the canvas is split at blank lines, a long output
  into pieces, and an image is scaled to the room that is left (never below ``MIN_IMAGE_SCALE``,
  so plot text stays legible) or moved to a subslide of its own;
- code wraps (``pre-wrap``) instead of scrolling sideways (tools/templates/bpslides).

The browser test (tests/extended/test_browser.py) checks the result slide by slide.
"""

from __future__ import annotations

import argparse
import base64
import copy
import pathlib
import re
import struct
import sys

import nbformat
from nbconvert.exporters import SlidesExporter
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from editions import BEGIN, notebook_paths, npm_install, strip_solutions  # noqa: E402

SOLUTION = re.compile(r"^\s*" + re.escape(BEGIN), re.MULTILINE)

TEMPLATES = ROOT / "tools" / "templates"

# The same versions online (CDN) and offline (npm): one list.
VENDOR = {"reveal.js": "4.6.0", "requirejs": "2.3.8", "jquery": "3.7.1", "mathjax": "2.7.9"}
CDN = {
    "reveal": f"https://unpkg.com/reveal.js@{VENDOR['reveal.js']}",
    "require": f"https://cdnjs.cloudflare.com/ajax/libs/require.js/{VENDOR['requirejs']}/require.min.js",
    "jquery": f"https://cdnjs.cloudflare.com/ajax/libs/jquery/{VENDOR['jquery']}/jquery.min.js",
    "mathjax": f"https://cdnjs.cloudflare.com/ajax/libs/mathjax/{VENDOR['mathjax']}/MathJax.js"
    "?config=TeX-AMS_CHTML-full,Safe",
}
LOCAL = {
    "reveal": "vendor/node_modules/reveal.js",
    "require": "vendor/node_modules/requirejs/require.js",
    "jquery": "vendor/node_modules/jquery/dist/jquery.min.js",
    "mathjax": "vendor/node_modules/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
}

# --- the canvas and the height model (px on the 1280x720 canvas; CSS in the template) ---------
CANVAS_W, CANVAS_H = 1280, 720
BUDGET = CANVAS_H - 40  # reveal's margin and a safety band
CODE_LINE = 24.0  # 18 px monospace, line-height 1.3
CODE_CHARS = 104  # characters of 18 px monospace in the content width
TEXT_LINE = 31.0  # 21 px text, line-height 1.45
TEXT_CHARS = 100  # characters of 21 px text in the content width
CELL_GAP = 14.0  # margins and padding around a cell's input or output
MIN_IMAGE_SCALE = 0.85  # smaller would take the plot text under ~14 px
SHOWN_TRACEBACK = 6  # lines of an error's traceback kept on a slide
CONTINUED_HEIGHT = 44.0  # the one-line "(continued)" header of a continuation subslide
HIDE_TAGS = {"setup", "helpers", "hide-input"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def png_size(b64: str) -> tuple[int, int]:
    """(width, height) in pixels of a base64 PNG, read from its IHDR header."""
    head = base64.b64decode(b64[:44])
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", head[16:24])


def _wrapped(lines: list[str], width: int) -> int:
    return sum(max(1, -(-len(line.expandtabs()) // width)) for line in lines)


def _plain(md: str) -> str:
    """Markdown text roughly as it reads on screen (link targets, markup and TeX shortened)."""
    md = re.sub(r"\]\([^)]*\)", "]", md)
    md = re.sub(r"\\[a-zA-Z]+", "x", md)
    return re.sub(r"[*_`{}\[\]$]", "", md)


def markdown_height(source: str) -> float:
    """Estimated height of a rendered markdown cell."""
    height = 0.0
    in_math = in_fence = False
    for raw in source.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            in_fence = not in_fence
            height += 12
            continue
        if in_fence:
            height += CODE_LINE
            continue
        if line.startswith("$$"):
            opened = not in_math
            in_math = opened and not (line.endswith("$$") and len(line) > 2)
            height += 30 if opened else 12
            continue
        if in_math:
            height += 38
            continue
        if not line:
            height += 12
        elif line.startswith("# "):
            height += 70 + 62 * (_wrapped([line], 42) - 1)
        elif line.startswith("## "):
            height += 64 + 48 * (_wrapped([line], 52) - 1)
        elif line.startswith("###"):
            height += 50 + 38 * (_wrapped([line], 66) - 1)
        elif line.startswith("|"):
            height += 0 if set(line) <= set("|-: ") else 40
        else:
            tall = 8 if "\\frac" in line or "\\sum" in line else 0
            height += _wrapped([_plain(line)], TEXT_CHARS) * TEXT_LINE + tall
    return height + CELL_GAP


def _output_lines(output) -> list[str]:
    if output.output_type == "stream":
        return output.text.rstrip("\n").splitlines()
    if output.output_type == "error":
        return ANSI.sub("", "\n".join(output.traceback)).splitlines()
    return output.get("data", {}).get("text/plain", "").splitlines()


def output_height(output) -> float:
    """Estimated height of one output (images at the size they are shown)."""
    data = output.get("data", {})
    if "image/png" in data:
        return image_shown_size(output)[1] + CELL_GAP
    if "text/html" in data:
        rows = data["text/html"].count("<tr")
        if rows:
            return rows * 34 + CELL_GAP
    if "text/latex" in data or "text/markdown" in data:
        return 60 + CELL_GAP
    return _wrapped(_output_lines(output), CODE_CHARS) * CODE_LINE + CELL_GAP


def image_shown_size(output) -> tuple[float, float]:
    """(width, height) in canvas px of a PNG output as the slide shows it."""
    meta = output.get("metadata", {}).get("image/png", {})
    w, h = png_size(output.data["image/png"])
    if "width" in meta:
        w, h = float(meta["width"]), h * float(meta["width"]) / w
    if w > CANVAS_W - 60:  # max-width: 100% in the template
        w, h = CANVAS_W - 60, h * (CANVAS_W - 60) / w
    return w, h


def cell_height(cell) -> float:
    """Estimated height of a cell on a slide (notes and skipped cells take none)."""
    kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
    if kind in {"notes", "skip"}:
        return 0.0
    if cell.metadata.get("bp_continued"):
        return CONTINUED_HEIGHT
    if cell.cell_type == "markdown":
        return markdown_height(cell.source)
    height = 0.0
    if cell.source.strip() and not cell.metadata.get("transient", {}).get("remove_source"):
        height += _wrapped(cell.source.splitlines(), CODE_CHARS) * CODE_LINE + CELL_GAP
    return height + sum(output_height(o) for o in cell.get("outputs", []))


def _slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def _set_slide_type(cell, kind: str) -> None:
    cell.metadata.setdefault("slideshow", {})["slide_type"] = kind


def _import_only(source: str) -> bool:
    lines = [ln for ln in source.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return bool(lines) and all(
        re.match(r"\s*(import|from)\s", ln) or ln.startswith((" ", ")")) for ln in lines
    )


def _notes(text: str):
    cell = nbformat.v4.new_markdown_cell(text)
    _set_slide_type(cell, "notes")
    return cell


def _continued(title: str):
    if len(title) > 80:
        title = title[:77].rsplit(" ", 1)[0] + " ..."
    cell = nbformat.v4.new_markdown_cell(f'<p class="bp-continued">{title} (continued)</p>')
    _set_slide_type(cell, "subslide")
    cell.metadata["bp_continued"] = True
    return cell


class SlideFitPreprocessor(Preprocessor):
    """Rewrite a notebook's cells so that every subslide fits the canvas (see the module doc)."""

    def preprocess(self, nb, resources):
        nb = copy.deepcopy(nb)
        cells = []
        for cell in nb.cells:
            cells.extend(self.prepare_cell(cell))
        cells = [piece for cell in cells for piece in self.split_cell(cell)]
        nb.cells = self.paginate(cells)
        return nb, resources

    # -- one cell at a time -------------------------------------------------------------------
    def prepare_cell(self, cell) -> list:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "markdown":
            cell.source = re.sub(
                r"\]\((\d\d_[\w-]+)\.ipynb(#[^)]*)?\)", r"](\1.slides.html\2)", cell.source
            )
            if SOLUTION.search(cell.source) and _slide_type(cell) != "notes":
                answer = cell.source
                cell.source = strip_solutions(cell.source)
                return [cell, _notes("**Answer** (not projected):\n\n" + answer)]
            return [cell]
        if cell.cell_type != "code":
            return [cell]
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                out.traceback = out.traceback[-SHOWN_TRACEBACK:]
        if SOLUTION.search(cell.source):
            solution = cell.source
            cell.source = strip_solutions(cell.source)
            cell.outputs = []
            return [cell, _notes(f"**Solution** (not projected):\n\n```python\n{solution}\n```")]
        if "exercise-check" in tags:  # its stored output is the solution's result
            cell.outputs = []
        if tags & HIDE_TAGS or _import_only(cell.source):
            cell.metadata.setdefault("transient", {})["remove_source"] = True
            if not cell.get("outputs") and _slide_type(cell) not in {"slide", "subslide"}:
                _set_slide_type(cell, "skip")
        return [cell]

    def split_cell(self, cell) -> list:
        """A cell taller than the canvas becomes pieces that each fit (display only)."""
        if cell_height(cell) <= BUDGET - 50:
            return [cell]
        if cell.cell_type == "markdown":
            return self.split_markdown(cell)
        if cell.cell_type != "code":
            return [cell]
        pieces = []
        lines = cell.source.splitlines()
        budget_lines = int((BUDGET - 50 - CELL_GAP) // CODE_LINE)
        hidden = cell.metadata.get("transient", {}).get("remove_source")
        while not hidden and _wrapped(lines, CODE_CHARS) > budget_lines:
            cut = self._cut(lines, budget_lines)
            piece = copy.deepcopy(cell)
            piece.source, piece.outputs = "\n".join(lines[:cut]), []
            pieces.append(piece)
            lines = lines[cut:]
            while lines and not lines[0].strip():
                lines = lines[1:]
        rest = copy.deepcopy(cell)
        rest.source = "\n".join(lines)
        if hidden:
            rest.source = ""
        pieces.append(rest)
        # Outputs that do not fit under the last piece of code go on as output-only pieces.
        outputs, rest.outputs = rest.outputs, []
        for out in outputs:
            if out.output_type == "stream":
                chunks = self._chunks(out.text.splitlines(keepends=True), budget_lines - 1)
            else:
                chunks = [None]
            for chunk in chunks:
                item = copy.deepcopy(out)
                if chunk is not None:
                    item.text = "".join(chunk)
                if pieces[-1].outputs or pieces[-1].source:
                    if cell_height(pieces[-1]) + output_height(item) > BUDGET - 50:
                        more = copy.deepcopy(cell)
                        more.source, more.outputs = "", []
                        more.metadata.setdefault("transient", {})["remove_source"] = True
                        pieces.append(more)
                pieces[-1].outputs.append(item)
        for piece in pieces[1:]:
            _set_slide_type(piece, "-")
        return pieces

    @staticmethod
    def split_markdown(cell) -> list:
        """Markdown split between blocks (paragraphs, lists, headings; never inside maths)."""
        blocks, current, fenced = [], [], False
        for line in cell.source.splitlines():
            if line.strip().startswith(("```", "$$")) and not (
                line.strip().startswith("$$")
                and line.strip().endswith("$$")
                and len(line.strip()) > 2
            ):
                fenced = not fenced
            starts_block = not fenced and (
                line.startswith(("#", "- ", "* ", "1. ")) or not line.strip()
            )
            if starts_block and current and any(ln.strip() for ln in current):
                blocks.append("\n".join(current))
                current = []
            current.append(line)
        blocks.append("\n".join(current))
        pieces, text = [], ""
        for block in blocks:
            joined = (text + "\n" + block) if text else block
            if text and markdown_height(joined) > BUDGET - 50:
                pieces.append(text)
                text = block.lstrip("\n")
            else:
                text = joined
        pieces.append(text)
        out = []
        for i, piece in enumerate(pieces):
            part = copy.deepcopy(cell)
            part.source = piece
            if i:
                _set_slide_type(part, "-")
            out.append(part)
        return out

    @staticmethod
    def _cut(lines: list[str], budget: int) -> int:
        """Where to cut: the last blank line before a top-level line within the budget."""
        limit = 0
        while limit < len(lines) and _wrapped(lines[: limit + 1], CODE_CHARS) <= budget:
            limit += 1
        for i in range(limit, max(1, limit // 3), -1):
            if i < len(lines) and not lines[i - 1].strip() and lines[i][:1].strip():
                return i
        for i in range(limit, max(1, limit // 3), -1):
            if i < len(lines) and not lines[i - 1].strip():
                return i
        return max(1, limit)

    @staticmethod
    def _chunks(lines: list[str], budget: int) -> list[list[str]]:
        chunks, current = [], []
        for line in lines:
            if (
                current
                and _wrapped([ln.rstrip("\n") for ln in current + [line]], CODE_CHARS) > budget
            ):
                chunks.append(current)
                current = []
            current.append(line)
        return [*chunks, current]

    # -- cells into subslides -----------------------------------------------------------------
    def paginate(self, cells: list) -> list:
        out = []
        used = 0.0
        title = ""
        for cell in cells:
            kind = _slide_type(cell)
            if cell.cell_type == "markdown":
                heading = re.match(r"#{1,3} +(.*)", cell.source.strip())
                if heading and kind in {"slide", "subslide"}:
                    title = _plain(heading.group(1)).strip()
            height = cell_height(cell)
            if kind in {"slide", "subslide"} or not out:
                used = 0.0
            elif height and used + height > BUDGET:
                self.fit_images(cell, BUDGET - used)
                height = cell_height(cell)
                if used + height > BUDGET:
                    out.append(_continued(title))
                    used = cell_height(out[-1])
                    if kind == "fragment":
                        _set_slide_type(cell, "-")
            if height and used + height > BUDGET:
                self.fit_images(cell, BUDGET - used)
                height = cell_height(cell)
            used += height
            out.append(cell)
        return out

    @staticmethod
    def fit_images(cell, room: float) -> None:
        """Scale a cell's images down (not below MIN_IMAGE_SCALE) to fit ``room`` px."""
        images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        if not images:
            return
        other = cell_height(cell) - sum(image_shown_size(o)[1] for o in images)
        image_room = room - other
        total = sum(image_shown_size(o)[1] for o in images)
        scale = image_room / total if total else 1.0
        if scale >= 1:
            return
        scale = max(scale, MIN_IMAGE_SCALE)
        for out in images:
            w, _ = image_shown_size(out)
            out.setdefault("metadata", {}).setdefault("image/png", {})["width"] = int(w * scale)


def exporter(offline: bool) -> SlidesExporter:
    urls = LOCAL if offline else CDN
    c = Config()
    c.SlidesExporter.reveal_url_prefix = urls["reveal"]
    c.SlidesExporter.require_js_url = urls["require"]
    c.SlidesExporter.jquery_url = urls["jquery"]
    c.SlidesExporter.mathjax_url = urls["mathjax"]
    c.SlidesExporter.reveal_theme = "white"
    c.SlidesExporter.reveal_width = str(CANVAS_W)
    c.SlidesExporter.reveal_height = str(CANVAS_H)
    c.SlidesExporter.reveal_number = "c/t"
    c.SlidesExporter.template_name = "bpslides"
    c.SlidesExporter.extra_template_basedirs = [str(TEMPLATES)]
    return SlidesExporter(config=c, preprocessors=[SlideFitPreprocessor()])


def vendor(out: pathlib.Path) -> None:
    """Install the pinned reveal.js, require.js, jQuery and MathJax into ``out/vendor`` (npm)."""
    npm_install(out / "vendor", [f"{name}@{version}" for name, version in VENDOR.items()])


def build(src: pathlib.Path, out: pathlib.Path, offline: bool = False) -> list[pathlib.Path]:
    """Write one deck per notebook in ``src`` to ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    if offline:
        vendor(out)
    exp = exporter(offline)
    written = []
    for path in notebook_paths(src):
        body, _ = exp.from_filename(str(path))
        target = out / path.with_suffix(".slides.html").name
        target.write_text(body)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/slides.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("src", type=pathlib.Path)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument(
        "--offline",
        action="store_true",
        help="copy reveal.js, require.js, jQuery and MathJax next to the decks",
    )
    args = parser.parse_args(argv)
    if args.out.resolve() == args.src.resolve():
        parser.error("the output folder must not be the source folder")
    for path in build(args.src, args.out, args.offline):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
