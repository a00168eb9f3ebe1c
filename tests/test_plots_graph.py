"""plot_computational_graph: one box per node, one arrow and its labels per edge, clear errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from helpers import close_figures  # noqa: F401 - autouse fixture
from matplotlib.axes import Axes  # noqa: E402

from bpcourse.plots import plot_computational_graph  # noqa: E402

NODES = {
    "w": (0, 1.0, "w\n2"),
    "x": (0, 0.0, "x\n5"),
    "p": (1, 0.5, "p = w·x\n10"),
    "L": (2, 0.5, "L = (p - 12)²\n4"),
}
EDGES = [
    ("w", "p", "∂p/∂w = 5", "-20"),
    ("x", "p", "∂p/∂x = 2", "-8"),
    ("p", "L", "2(p - 12) = -4", ""),
]


def _texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_draws_every_node_arrow_and_label():
    ax = plot_computational_graph(NODES, EDGES, title="graph")
    assert isinstance(ax, Axes) and ax.get_title() == "graph" and not ax.axison
    texts = _texts(ax)
    for _, _, text in NODES.values():
        assert text in texts
    # Every non-empty label is drawn once; the empty gradient label of the last edge is not.
    labels = [lab for e in EDGES for lab in e[2:] if lab]
    for lab in labels:
        assert texts.count(lab) == 1
    arrows = [t for t in ax.texts if t.get_text() == "" and getattr(t, "arrow_patch", None)]
    assert len(arrows) == len(EDGES)
    assert len(texts) == len(NODES) + len(EDGES) + len(labels)
    # Gradients are red, local derivatives black.
    colors = {t.get_text(): t.get_color() for t in ax.texts}
    assert colors["-20"] == "tab:red" and colors["∂p/∂w = 5"] == "black"
    # Arrows are clipped at the boxes, whose places are known only once drawn: boxes first.
    boxes = [t for t in ax.texts if t.get_bbox_patch() is not None]
    assert len(boxes) == len(NODES)
    assert max(b.get_zorder() for b in boxes) < min(a.get_zorder() for a in arrows)
    ax.figure.canvas.draw()


def test_all_nodes_inside_the_limits_and_given_axes_used():
    fig, own = plt.subplots()
    ax = plot_computational_graph(NODES, EDGES, ax=own)
    assert ax is own
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for x, y, _ in NODES.values():
        assert x0 < x < x1 and y0 < y < y1


def test_labels_sit_at_the_requested_fraction_of_the_arrow():
    ax = plot_computational_graph(NODES, EDGES[:1], label_at=0.25)
    (x0, y0, _), (x1, y1, _) = NODES["w"], NODES["p"]
    for label in EDGES[0][2:]:
        (text,) = [t for t in ax.texts if t.get_text() == label]
        assert text.xy == (x0 + 0.25 * (x1 - x0), y0 + 0.25 * (y1 - y0))


def test_a_graph_without_edges_is_just_boxes():
    ax = plot_computational_graph({"a": (0, 0, "a")}, [])
    assert _texts(ax) == ["a"]


@pytest.mark.parametrize(
    ("nodes", "edges", "match"),
    [
        ({}, [], "at least one node"),
        (NODES, [("w", "q", "", "")], "'q', which is not in nodes"),
        (NODES, [("w", "p", "only three")], r"\(source, target, local_label, grad_label\)"),
    ],
)
def test_refuses_bad_input_with_a_clear_message(nodes, edges, match):
    with pytest.raises(ValueError, match=match):
        plot_computational_graph(nodes, edges)


def test_refuses_a_label_position_off_the_arrow():
    with pytest.raises(ValueError, match=r"label_at must be in \[0, 1\], got 1.5"):
        plot_computational_graph(NODES, EDGES, label_at=1.5)
