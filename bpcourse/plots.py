"""Plots the notebooks share: loss curves, decision boundaries, optimizer paths, layer stats.

Every function draws on ``ax`` (a new figure's axes when None) and returns the Axes; none
calls ``plt.show()``: the notebook cell ends with it, so that the figure appears once.
Other modules' plots are appended below as small functions in the same style.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

__all__ = [
    "plot_computational_graph",
    "plot_contour_paths",
    "plot_decision_boundary",
    "plot_layer_stats",
    "plot_losses",
]


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _named_curves(values: object, what: str) -> dict[str, np.ndarray]:
    """``{name: 1-D float array}`` from a dict of sequences or one sequence."""
    items = values.items() if isinstance(values, Mapping) else [("", values)]
    curves = {}
    for name, v in items:
        arr = np.asarray(v, dtype=np.float64)
        if arr.ndim != 1 or arr.size == 0:
            label = f" {name!r}" if name else ""
            raise ValueError(
                f"{what}{label} must be a non-empty 1-D sequence of numbers, got shape {arr.shape}"
            )
        curves[str(name)] = arr
    if not curves:
        raise ValueError(f"{what} must hold at least one curve")
    return curves


def plot_losses(
    losses: Mapping[str, Sequence[float]] | Sequence[float],
    *,
    ax: Axes | None = None,
    log: bool = False,
    xlabel: str = "step",
    ylabel: str = "loss",
    title: str | None = None,
) -> Axes:
    """Loss curves, one line per name.

    Args:
        losses: ``{"SGD": [...], "Adam": [...]}`` (each a sequence of length ``T_name``) or
            one sequence ``(T,)``.
        ax: where to draw (a new figure when None).
        log: logarithmic y axis (losses must then be positive).
        xlabel, ylabel, title: labels.
    """
    curves = _named_curves(losses, "losses")
    if log and any(np.any(c <= 0) for c in curves.values()):
        raise ValueError("log=True needs positive losses; some are <= 0")
    ax = _axes(ax)
    for name, c in curves.items():
        ax.plot(np.arange(len(c)), c, label=name or None)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if any(curves):
        ax.legend()
    return ax


def plot_decision_boundary(
    predict_fn: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    ax: Axes | None = None,
    *,
    resolution: int = 200,
    padding: float = 0.5,
    title: str | None = None,
) -> Axes:
    """The regions a classifier assigns to each class, with the data on top.

    Args:
        predict_fn: maps points ``(M, 2)`` to class scores ``(M, C)`` with C >= 2 (the class
            is the argmax), or to one score per point ``(M,)`` / ``(M, 1)``: probabilities in
            [0, 1] (boundary at 0.5), otherwise logits (boundary at 0), or integer labels.
        X: data ``(N, 2)``.
        y: labels ``(N,)`` or ``(N, 1)`` (class indices or 0/1).
        ax: where to draw (a new figure when None).
        resolution: grid points per axis.
        padding: margin around the data.
    """
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}")
    if len(labels) != len(X):
        raise ValueError(f"y must hold one label per row of X ({len(X)}), got {len(labels)}")
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    xx, yy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    out = np.asarray(predict_fn(grid))
    if out.shape[0] != len(grid):
        raise ValueError(f"predict_fn must return one row per point ({len(grid)}), got {out.shape}")
    ax = _axes(ax)
    multi = out.ndim == 2 and out.shape[1] >= 2
    if multi:
        classes = out.argmax(axis=1).reshape(xx.shape)
        n_classes = max(int(out.shape[1]), int(labels.max()) + 1)
        levels = np.arange(n_classes + 1) - 0.5
        ax.contourf(xx, yy, classes, levels=levels, cmap="tab10", vmin=0, vmax=9, alpha=0.3)
    else:
        s = out.reshape(-1).astype(np.float64)
        if np.issubdtype(out.dtype, np.integer) or np.issubdtype(out.dtype, np.bool_):
            threshold = 0.5
        elif np.all((s >= 0) & (s <= 1)):
            threshold = 0.5
        else:
            threshold = 0.0
        z = s.reshape(xx.shape)
        ax.contourf(xx, yy, z > threshold, levels=[-0.5, 0.5, 1.5], cmap="coolwarm", alpha=0.3)
        if z.min() < threshold < z.max():
            ax.contour(xx, yy, z, levels=[threshold], colors="k", linewidths=1)
    cmap, vmax = ("tab10", 9) if multi else ("coolwarm", 1)
    ax.scatter(
        X[:, 0],
        X[:, 1],
        c=labels,
        cmap=cmap,
        vmin=0,
        vmax=vmax,
        edgecolors="k",
        linewidths=0.5,
        s=20,
    )
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def plot_contour_paths(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    paths: Mapping[str, np.ndarray],
    *,
    ax: Axes | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    levels: int = 30,
    log_levels: bool = False,
    resolution: int = 200,
    title: str | None = None,
) -> Axes:
    """Optimizer paths over the contour lines of a 2-D function.

    Args:
        f: ``f(x, y) -> z``, vectorised: ``x``, ``y`` and ``z`` of the same shape (a grid).
        paths: ``{name: points (T, 2)}``, each an optimizer's trajectory (start marked "o",
            end marked "*").
        ax: where to draw (a new figure when None).
        xlim, ylim: the plotted window (default: the paths' extent with a margin).
        levels: number of contour levels.
        log_levels: levels spaced logarithmically (for valleys such as Rosenbrock's; f >= 0).
        resolution: grid points per axis.
    """
    arrays = {}
    for name, p in paths.items():
        arr = np.asarray(p, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != 2 or len(arr) == 0:
            raise ValueError(f"path {name!r} must have shape (T, 2), got {arr.shape}")
        arrays[str(name)] = arr
    if not arrays and (xlim is None or ylim is None):
        raise ValueError("give at least one path, or xlim and ylim")
    pts = np.vstack(list(arrays.values())) if arrays else np.zeros((0, 2))

    def window(lim, col):
        if lim is not None:
            return tuple(map(float, lim))
        a, b = pts[:, col].min(), pts[:, col].max()
        m = 0.2 * (b - a) if b > a else 1.0
        return a - m, b + m

    (x0, x1), (y0, y1) = window(xlim, 0), window(ylim, 1)
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    zz = np.asarray(f(xx, yy), dtype=np.float64)
    if zz.shape != xx.shape:
        raise ValueError(
            f"f(x, y) must return the shape of its grid inputs {xx.shape}, got {zz.shape}: "
            "write it with numpy operations that work elementwise"
        )
    ax = _axes(ax)
    if log_levels:
        zmin = zz.min()
        if zmin < 0:
            raise ValueError("log_levels=True needs f >= 0")
        lv = np.geomspace(max(zmin, 1e-3 * (zz.max() - zmin) + 1e-12), zz.max(), levels)
        ax.contour(xx, yy, zz, levels=np.unique(lv), cmap="viridis", linewidths=0.7)
    else:
        ax.contour(xx, yy, zz, levels=levels, cmap="viridis", linewidths=0.7)
    for name, p in arrays.items():
        (line,) = ax.plot(p[:, 0], p[:, 1], ".-", markersize=3, linewidth=1, label=name)
        ax.plot(p[0, 0], p[0, 1], "o", color=line.get_color())
        ax.plot(p[-1, 0], p[-1, 1], "*", color=line.get_color(), markersize=10)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if arrays:
        ax.legend()
    if title:
        ax.set_title(title)
    return ax


def plot_layer_stats(
    values: Mapping[str, Sequence[float]] | Sequence[float],
    *,
    ax: Axes | None = None,
    log: bool = True,
    layer_names: Sequence[str] | None = None,
    ylabel: str = "value",
    title: str | None = None,
) -> Axes:
    """One number per layer (a gradient norm, an activation std ...), one line per series.

    Args:
        values: ``{"xavier": [v_1 ... v_L], "kaiming": [...]}`` or one sequence ``(L,)``;
            layer 1 is the first (closest to the input).
        ax: where to draw (a new figure when None).
        log: logarithmic y axis (values must be positive), where vanishing and exploding
            show as straight lines.
        layer_names: tick labels for the layers (default 1 .. L).
        ylabel, title: labels.
    """
    series = _named_curves(values, "values")
    if log and any(np.any(v <= 0) for v in series.values()):
        raise ValueError("log=True needs positive values; some are <= 0 (use log=False)")
    n_layers = max(len(v) for v in series.values())
    ax = _axes(ax)
    for name, v in series.items():
        ax.plot(np.arange(1, len(v) + 1), v, "o-", label=name or None)
    if log:
        ax.set_yscale("log")
    ticks = np.arange(1, n_layers + 1)
    if layer_names is not None:
        if len(layer_names) != n_layers:
            raise ValueError(f"layer_names must hold {n_layers} names, got {len(layer_names)}")
        ax.set_xticks(ticks, list(layer_names))
    else:
        ax.set_xticks(ticks)
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if any(series):
        ax.legend()
    return ax


def plot_computational_graph(
    nodes: Mapping[str, tuple[float, float, str]],
    edges: Sequence[tuple[str, str, str, str]],
    *,
    ax: Axes | None = None,
    title: str | None = None,
    label_at: float = 0.5,
) -> Axes:
    """A small computational graph: boxes for values, arrows for the forward pass.

    Each arrow can carry two labels: the local derivative above it (black) and the gradient
    that flows back along it below it (red), so one picture shows both passes.

    Args:
        nodes: ``{name: (x, y, text)}``: each box's centre in data coordinates and its text,
            e.g. ``"z = p + b\\n10.5"``.
        edges: ``(source, target, local_label, grad_label)`` tuples: an arrow from ``source``
            to ``target``; either label may be ``""``.
        ax: where to draw (a new figure sized to the graph when None).
        title: the axes title.
        label_at: where along each arrow its labels sit, from 0 (source) to 1 (target);
            e.g. 0.3 keeps the labels of two crossing arrows apart.
    """
    if not 0 <= label_at <= 1:
        raise ValueError(f"label_at must be in [0, 1], got {label_at!r}")
    if not nodes:
        raise ValueError("nodes must hold at least one node, got an empty mapping")
    for edge in edges:
        if len(edge) != 4:
            raise ValueError(
                f"each edge must be (source, target, local_label, grad_label), got {edge!r}"
            )
        for end in edge[:2]:
            if end not in nodes:
                raise ValueError(f"edge {tuple(edge[:2])!r} names {end!r}, which is not in nodes")
    xs = [float(v[0]) for v in nodes.values()]
    ys = [float(v[1]) for v in nodes.values()]
    if ax is None:
        width = min(2.2 * (max(xs) - min(xs)) + 2.5, 14.0)
        height = min(1.6 * (max(ys) - min(ys)) + 1.8, 8.0)
        _, ax = plt.subplots(figsize=(width, height))
    boxes = {
        name: ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize="medium",
            zorder=2,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "#eef3fb", "edgecolor": "#4a6fa5"},
        )
        for name, (x, y, text) in nodes.items()
    }
    for source, target, local_label, grad_label in edges:
        (x0, y0, _), (x1, y1, _) = nodes[source], nodes[target]
        # The arrow is clipped at both text boxes, so its head shows whatever the text length;
        # the boxes are placed when drawn, so they must be drawn first (lower zorder).
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            zorder=3,
            arrowprops={
                "arrowstyle": "-|>",
                "color": "0.3",
                "lw": 1.2,
                "patchA": boxes[source].get_bbox_patch(),
                "patchB": boxes[target].get_bbox_patch(),
            },
        )
        mid = (x0 + label_at * (x1 - x0), y0 + label_at * (y1 - y0))
        for label, dy, color in ((local_label, 6, "black"), (grad_label, -6, "tab:red")):
            if label:
                ax.annotate(
                    label,
                    mid,
                    xytext=(0, dy),
                    textcoords="offset points",
                    ha="center",
                    va="bottom" if dy > 0 else "top",
                    fontsize="small",
                    color=color,
                    zorder=4,
                )
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.grid(False)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax
