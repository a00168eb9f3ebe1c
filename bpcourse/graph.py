"""Draw the computation graph of a ``Value`` with matplotlib only (no graphviz binary).

One box per node, with its operation (or label), its value and its gradient; arrows follow the
forward pass, from the operands to the result. Columns are depths: leaves on the left, the
output on the right.
"""

from __future__ import annotations

from matplotlib.axes import Axes

from .engine import Value
from .plots import plot_computational_graph


def graph_layout(root: Value) -> tuple[list[Value], dict[int, tuple[float, float]]]:
    """Where each node of ``root``'s graph goes.

    Returns:
        nodes: every node, in topological order (operands first, ``root`` last).
        positions: ``{id(node): (x, y)}``; ``x`` is the node's depth (the longest path from a
        leaf), ``y`` its row in that column, ordered so that a node sits near its operands.
    """
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    nodes = root.topological_order()
    depth: dict[int, int] = {}
    users: dict[int, list[Value]] = {id(v): [] for v in nodes}
    for v in nodes:  # operands come first: their depth is known
        depth[id(v)] = 1 + max((depth[id(c)] for c in v._prev), default=-1)
        for c in v._prev:
            users[id(c)].append(v)
    for v in nodes:  # a leaf sits just left of its first user
        if not v._prev and users[id(v)]:
            depth[id(v)] = min(depth[id(u)] for u in users[id(v)]) - 1
    columns: dict[int, list[Value]] = {}
    for v in nodes:
        columns.setdefault(depth[id(v)], []).append(v)
    pos: dict[int, tuple[float, float]] = {}

    def place(col: list[Value], d: int) -> None:
        for row, v in enumerate(col):
            pos[id(v)] = (float(d), (len(col) - 1) / 2 - row)

    for d, col in columns.items():
        place(col, d)
    # Two sweeps, each node sorted by the mean row of its neighbours (fewer crossing arrows).
    for _ in range(2):
        for d in sorted(columns):

            def key(v: Value) -> float:
                near = v._prev or users[id(v)] or (v,)
                return -sum(pos[id(c)][1] for c in near) / len(near)

            columns[d].sort(key=key)
            place(columns[d], d)
    return nodes, pos


def node_text(v: Value, fmt: str = ".4f") -> str:
    """The text of a node's box: ``"label = op"`` (or either one), value, gradient."""
    head = " = ".join(s for s in (v.label, v._op) if s) or "leaf"
    return f"{head}\ndata {v.data:{fmt}}\ngrad {v.grad:{fmt}}"


def draw_graph(
    root: Value,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    fmt: str = ".4f",
    max_nodes: int = 40,
) -> Axes:
    """Draw ``root``'s computation graph: a box per node with its value and gradient.

    An operand used twice by one node (``x * x``) gets one arrow labelled ``×2``.

    Args:
        root: the output Value (call ``root.backward()`` first to see gradients).
        ax: where to draw (a new figure sized to the graph when None).
        title: the axes title.
        fmt: format of the numbers (e.g. ``".4f"``, ``".3g"``).
        max_nodes: refuse larger graphs (an MLP's graph is unreadable as a picture).

    Returns:
        the Axes.
    """
    nodes, pos = graph_layout(root)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"the graph has {len(nodes)} nodes, more than max_nodes={max_nodes}: "
            "draw a smaller expression or raise max_nodes"
        )
    names = {id(v): f"n{i}" for i, v in enumerate(nodes)}
    boxes = {names[id(v)]: (*pos[id(v)], node_text(v, fmt)) for v in nodes}
    edges = []
    for v in nodes:
        seen: list[int] = []
        for c in v._prev:
            if id(c) not in seen:
                seen.append(id(c))
                uses = sum(c is o for o in v._prev)
                edges.append((names[id(c)], names[id(v)], f"×{uses}" if uses > 1 else "", ""))
    return plot_computational_graph(boxes, edges, ax=ax, title=title)
