"""Plots return their Axes, draw what they are given, never show, and refuse bad input clearly."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from helpers import close_figures  # noqa: F401 - autouse fixture
from matplotlib.axes import Axes  # noqa: E402

from bpcourse import data, plots  # noqa: E402


def test_plot_losses_draws_one_line_per_name():
    ax = plots.plot_losses({"SGD": [3, 2, 1.5], "Adam": [3, 1, 0.5, 0.2]}, log=True, title="t")
    assert isinstance(ax, Axes)
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["SGD", "Adam"]
    np.testing.assert_array_equal(lines[1].get_ydata(), [3, 1, 0.5, 0.2])
    assert ax.get_yscale() == "log" and ax.get_title() == "t"
    fig, own = plt.subplots()
    assert plots.plot_losses([1.0, 0.5], ax=own) is own and own.get_legend() is None


def test_plot_losses_refuses_bad_input():
    with pytest.raises(ValueError, match="positive"):
        plots.plot_losses([1.0, 0.0], log=True)
    with pytest.raises(ValueError, match="1-D"):
        plots.plot_losses({"a": [[1.0, 2.0]]})


@pytest.mark.parametrize("kind", ["scores", "probabilities", "logits", "labels"])
def test_plot_decision_boundary_accepts_each_output_kind(kind):
    X, y = data.moons(40, 0.1, 0)

    def predict(P):
        logit = P[:, 1] - 0.25
        return {
            "scores": np.column_stack([-logit, logit]),
            "probabilities": 1 / (1 + np.exp(-logit[:, None])),
            "logits": logit,
            "labels": (logit > 0).astype(np.int64),
        }[kind]

    ax = plots.plot_decision_boundary(predict, X, y, resolution=30)
    assert isinstance(ax, Axes)
    assert len(ax.collections) >= 2  # filled regions and the scattered data
    lo, hi = ax.get_xlim()
    assert lo < X[:, 0].min() and hi > X[:, 0].max()


def test_plot_decision_boundary_refuses_bad_shapes():
    X, y = data.spirals(5, 3, 0.1, 0)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
        plots.plot_decision_boundary(lambda P: P[:, 0], X[:, :1], y)
    with pytest.raises(ValueError, match="one label per row"):
        plots.plot_decision_boundary(lambda P: P[:, 0], X, y[:-1])
    with pytest.raises(ValueError, match="one row per point"):
        plots.plot_decision_boundary(lambda P: P[:3, 0], X, y, resolution=10)


def test_plot_contour_paths_marks_each_path():
    def f(x, y):
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    paths = {"SGD": np.array([[-1.0, 1.0], [-0.5, 0.5], [0.0, 0.1]]), "Adam": np.zeros((1, 2))}
    ax = plots.plot_contour_paths(f, paths, log_levels=True, resolution=40)
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert "SGD" in labels and "Adam" in labels
    assert len(ax.get_lines()) == 6  # path, start and end marker for each
    ax = plots.plot_contour_paths(f, {}, xlim=(-2, 2), ylim=(-1, 3), resolution=20)
    assert ax.get_xlim() == (-2.0, 2.0)
    with pytest.raises(ValueError, match=r"shape \(T, 2\)"):
        plots.plot_contour_paths(f, {"bad": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="elementwise"):
        plots.plot_contour_paths(lambda x, y: 1.0, paths, resolution=10)


def test_plot_layer_stats():
    ax = plots.plot_layer_stats(
        {"xavier": [1.0, 0.9, 0.8], "naive": [1.0, 0.1, 0.01]}, layer_names=["a", "b", "c"]
    )
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    np.testing.assert_array_equal(ax.get_lines()[1].get_xdata(), [1, 2, 3])
    with pytest.raises(ValueError, match="log=False"):
        plots.plot_layer_stats([1.0, 0.0])
    assert plots.plot_layer_stats([1.0, -1.0], log=False).get_yscale() == "linear"
