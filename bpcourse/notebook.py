"""``setup_notebook()``: the first cell of every notebook, for reproducible, stable outputs.

It seeds every random number generator the course uses, keeps torch and numpy's BLAS on one
thread and torch in float64 (float32 sums differ with the thread count, which would change
printed digits across machines), sets numpy's print options and matplotlib's inline defaults (small figures keep the
stored notebooks small). It prints nothing.
"""

from __future__ import annotations

import gc
import random

import numpy as np

from ._validate import check_int

# Figure defaults: small enough to keep stored PNGs small, large enough to read from the back of
# a lecture hall. 14 pt at 90 dpi is 17.5 image pixels; tools/slides.py shows a plot at no less than
# 0.85 of its size, on a canvas reveal scales by 0.96 at 1280x720: text stays above 14 px on the
# projected slide (tests/extended/test_browser.py measures it). The dpi stays 90: the stored
# "<Figure size WxH ...>" outputs are in pixels at this dpi.
FIGURE_RC = {
    "figure.figsize": (6.0, 4.0),
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "font.size": 14,
    "legend.fontsize": "medium",
    "xtick.labelsize": "medium",
    "ytick.labelsize": "medium",
}


def setup_notebook(seed: int = 0) -> None:
    """Seed ``random``, numpy (``default_rng`` users pass seeds; the legacy global
    ``np.random.seed`` too, which ``nn.Linear(rng=None)`` draws from) and torch; one torch
    thread; torch's default dtype float64; numpy printing with 4 decimals; inline figures.

    Args:
        seed: the seed for every generator (a non-negative integer).
    """
    seed = check_int(
        seed, "seed", low=0, expected="a non-negative integer", below="a non-negative integer"
    )
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - the legacy global RNG is what rng=None draws from
    np.set_printoptions(precision=4, suppress=True)
    _one_blas_thread()
    _setup_torch(seed)
    _setup_matplotlib()
    # Everything imported so far (torch alone is ~165,000 objects) is left out of the garbage
    # collector's full passes, which otherwise dominate building large scalar graphs (notebook 07).
    gc.freeze()


def _one_blas_thread() -> None:
    # The course's matrices are small: several BLAS threads only add overhead (slower
    # products on a busy 2-core machine), and one thread gives the same digits on every machine.
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it numpy keeps its default
        return
    threadpool_limits(1)


def _setup_torch(seed: int) -> None:
    try:
        import torch
    except ImportError:  # the numpy-only parts of the course run without torch
        return
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)


def _setup_matplotlib() -> None:
    try:
        import matplotlib as mpl
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        return
    shell = _ipython()
    if shell is not None:
        # The inline backend applies its own rc when it starts: start it first, then override.
        shell.run_line_magic("matplotlib", "inline")
    mpl.rcParams.update(FIGURE_RC)


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    # Only a kernel has the inline backend (a plain terminal IPython has no place to draw).
    if shell is None or type(shell).__name__ != "ZMQInteractiveShell":
        return None
    return shell
