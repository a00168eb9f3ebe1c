"""No number in a notebook's prose that the notebook's code does not produce.

Every number written in a markdown cell (outside code, maths, headings, links and the "Further
reading" paragraph) must appear among the numbers that the same notebook's stored outputs show,
at the precision the prose writes it ("about 9 times" is backed by an output of 8.9; "35%" by
35% or 0.35). A number that no cell can print (a cited figure, a date, a count of the prose's own
things) goes on the notebook's allow-list, tests/prose_numbers/<notebook>.txt, one line per
number: ``number | words from its sentence | why no cell prints it``. An allow-list entry that
no longer matches anything is an error, so the lists stay short and true.
"""

from __future__ import annotations

import math
import pathlib
import re

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ALLOW_DIR = ROOT / "tests" / "prose_numbers"

# A number: not part of a word or name (float64, W2, x_1), thousands commas, decimals, exponent.
NUMBER = re.compile(
    r"(?<![\w.\-^/])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:[eE]([-+]?\d+))?(%?)(?![\w.]*[A-Za-wyz_])"
)
OUTPUT_NUMBER = re.compile(r"(?<![\w.])(\d+(?:,\d{3})*)(\.\d+)?(?:[eE]([-+]?\d+))?(%?)")
# What is not prose: code, maths, link targets, HTML tags, citations' years.
STRIP = [
    re.compile(r"```.*?```", re.S),
    re.compile(r"`[^`]*`"),
    re.compile(r"\$\$.*?\$\$", re.S),
    re.compile(r"\$[^$]*\$"),
    re.compile(r"\]\([^)]*\)"),
    re.compile(r"<[^>]+>"),
    re.compile(r"\b(?:19|20)\d\d[a-z]?(?=\)|;|,|\.|$)", re.M),
    re.compile(r"\((?:19|20)\d\d"),
    re.compile(r"arXiv:\d+\.\d+"),
    re.compile(r"https?://\S+"),
    # Cross-references and the time estimate (the README's test checks the time).
    re.compile(
        r"\b(?:[Ss]ections?|[Ee]xercises?|[Nn]otebooks?|[Pp]arts?|[Cc]hapters?|[Ff]igures?|"
        r"[Ee]quations?|[Pp]itfalls?|[Tt]raps?|[Ss]teps?|[Cc]ells?)\s+\d+(?:\.\d+)*"
        r"(?:\s*(?:and|to|or|-|–|,)\s*\d+(?:\.\d+)*)*"
    ),
    re.compile(r"\*\*Time:?\*\*[^\n]*"),
    re.compile(
        r"\b[01]\d(?=\s*(?:\||·|_))"
    ),  # a notebook's number in the course's tables and links
]


def prose_of(source: str) -> str:
    """The prose of a markdown cell: headings and the further-reading paragraph dropped."""
    lines = []
    for line in source.splitlines():
        if re.match(r"\s*(?:#+\s*)?\*{0,2}(?:Further reading|References)", line):
            break
        if not line.lstrip().startswith("#"):
            lines.append(line)
    text = "\n".join(lines)
    for pattern in STRIP:
        text = pattern.sub(" ", text)
    return text


def _value(whole: str, frac: str | None, exp: str | None) -> tuple[float, float]:
    """(value, half a unit of its last written digit)."""
    digits = whole.replace(",", "") + (frac or "")
    value = float(digits) * 10 ** int(exp or 0)
    decimals = len(frac) - 1 if frac else 0
    return value, 0.5 * 10 ** (int(exp or 0) - decimals)


def output_values(nb) -> list[float]:
    """Every number the stored outputs show (percentages also as fractions)."""
    values: list[float] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            texts = [out.get("text", ""), out.get("evalue", "")]
            for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
                texts.append(out.get("data", {}).get(mime, ""))
            for text in texts:
                text = "".join(text) if isinstance(text, list) else text
                for whole, frac, exp, pct in OUTPUT_NUMBER.findall(text):
                    v, _ = _value(whole, frac or None, exp or None)
                    values.append(v)
                    if pct:
                        values.append(v / 100)
    return values


def load_allow(stem: str) -> list[tuple[str, str, str]]:
    path = ALLOW_DIR / f"{stem}.txt"
    if not path.exists():
        return []
    entries = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        assert len(parts) == 3 and all(parts), f"{path.name}:{n}: want 'number | context | reason'"
        entries.append((parts[0], parts[1], parts[2]))
    return entries


def prose_numbers(nb):
    """(cell index, number as written, value, half-unit, the sentence around it)."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        text = prose_of(cell.source)
        for m in NUMBER.finditer(text):
            whole, frac, exp, pct = m.groups()
            value, half = _value(whole, frac, exp)
            context = " ".join(text[max(0, m.start() - 50) : m.end() + 30].split())
            yield i, m.group(0), value, half, bool(pct), cell.source, context


def backed(value: float, half: float, pct: bool, outputs: list[float]) -> bool:
    targets = [(value, half)] + ([(value / 100, half / 100)] if pct else [])
    return any(math.isclose(abs(v), t, abs_tol=h * 1.0001) for t, h in targets for v in outputs)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_number_in_prose_is_produced_or_allowed(path):
    nb = nbformat.read(path, as_version=4)
    outputs = output_values(nb)
    allow = load_allow(path.stem)
    used = set()
    unbacked = []
    for i, written, value, half, pct, source, context in prose_numbers(nb):
        if backed(value, half, pct, outputs):
            continue
        hit = [k for k, (num, ctx, _) in enumerate(allow) if num == written and ctx in source]
        if hit:
            used.update(hit)
            continue
        unbacked.append(f"  cell {i}: {written!r} in ...{context}...")
    stale = [f"  {num} | {ctx}" for k, (num, ctx, _) in enumerate(allow) if k not in used]
    assert not unbacked, (
        f"{path.name}: numbers in prose that no output shows (print them from a cell, or add "
        f"them to tests/prose_numbers/{path.stem}.txt with a reason):\n" + "\n".join(unbacked)
    )
    assert not stale, (
        f"tests/prose_numbers/{path.stem}.txt: entries that match nothing:\n" + "\n".join(stale)
    )


def test_the_rule_can_fail():
    """A made-up claim is caught; the same claim backed by an output passes."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("Momentum ends 9 times closer; `x = 123` in code is fine."),
        nbformat.v4.new_code_cell("print(0.0514 / 0.0058)"),
    ]
    claims = [(w, v, h, p) for _, w, v, h, p, _, _ in prose_numbers(nb)]
    assert [w for w, *_ in claims] == ["9"]
    _, value, half, pct = claims[0]
    assert not backed(value, half, pct, output_values(nb))
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="ratio 8.86\n")]
    assert backed(value, half, pct, output_values(nb))
