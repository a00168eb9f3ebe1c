"""`make bench`: bpcourse against torch and plain numpy, and the cost of running the course.

Prints Markdown tables and writes them to build/bench.md, with the machine they came from.
Timings are medians of repeated rounds (timeit) in which the candidates alternate, so that a
change of load on a shared machine hits them alike; numpy and torch use the same number of
threads. Nothing here asserts a time: this is a benchmark, not a test (the smoke test runs
``--quick``).

    .venv/bin/python tools/bench.py [--quick] [--threads N] [--clock wall|cpu] [--repeat R]
        [--sections mlp,optim,conv,engine,notebooks] [--no-notebooks] [--out build/bench.md]
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import dataclasses
import datetime
import gc
import json
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable, Hashable

import numpy as np
import threadpoolctl
import torch

from bpcourse import nn, optim

try:  # the scalar engine may not have landed yet: its section then says so
    from bpcourse import engine
except ImportError as exc:  # pragma: no cover - depends on the tree
    engine = None
    ENGINE_MISSING = f"{type(exc).__name__}: {exc}"

ROOT = pathlib.Path(__file__).resolve().parents[1]


# --- measuring -------------------------------------------------------------------------------------
def steady_allocator() -> str:
    """Pin glibc malloc's thresholds, so that a big array's cost does not depend on history.

    By default glibc serves a block above a threshold with a fresh ``mmap`` (zeroed pages,
    page faults on first touch) and raises that threshold each time such a block is freed; it
    also returns the top of the heap to the system past a second threshold. Whether a 1.6 MB
    gradient costs page faults therefore depends on what the process allocated before: with
    the default, the bpcourse/numpy ratio of the 784-512-512-10 float32 step came out 0.81 in a
    script that timed only those two steps and 1.15 in `make bench`, on the same machine and
    day. Fixed thresholds (64 MiB mmap, 256 MiB trim) keep every array of these benchmarks
    on a heap that is reused, for all candidates alike: the tables compare arithmetic and
    Python, not the allocator's state. Returns a sentence for the report.
    """
    libc_name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(libc_name) if libc_name else None
        mallopt = libc.mallopt if libc is not None else None
    except (OSError, AttributeError):
        mallopt = None
    if mallopt is None:
        return "Allocator: the platform's default (no glibc mallopt)."
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    ok = mallopt(m_mmap_threshold, 64 << 20) == 1 and mallopt(m_trim_threshold, 256 << 20) == 1
    if not ok:
        return "Allocator: the platform's default (mallopt refused the thresholds)."
    return (
        "Allocator: glibc with fixed thresholds (mmap 64 MiB, trim 256 MiB), see steady_allocator."
    )


def calls_per_run(fn: Callable[[], object], min_time: float) -> int:
    """How many calls of ``fn`` take about ``min_time`` seconds (after a warm-up call)."""
    fn()  # warm up (allocations, lazy inits)
    number, elapsed = 1, 0.0
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time / 4 or number >= 1_000_000:
            return max(1, round(number * min_time / max(elapsed, 1e-9)))
        number *= 4


@dataclasses.dataclass(frozen=True)
class Config:
    quick: bool  # tiny sizes, short runs: the CI smoke test
    repeat: int  # rounds per measurement; the median is reported
    min_time: float  # seconds per round and candidate
    clock: Callable[[], float] = time.perf_counter  # or time.process_time (CPU seconds)


def median_time(fn: Callable[[], object], cfg: Config) -> float:
    """Median seconds per call of ``fn`` over ``cfg.repeat`` runs of about ``cfg.min_time``."""
    return interleaved({"fn": fn}, cfg)["fn"][0]


def interleaved(
    fns: dict[Hashable, Callable[[], object]], cfg: Config
) -> dict[Hashable, tuple[float, list[float]]]:
    """Time several functions in alternating rounds: ``{name: (median s/call, per-round s)}``.

    On a shared machine the load drifts within seconds; alternating the candidates round by
    round exposes them to the same drift, so a ratio of two medians (or the median of the
    per-round ratios) compares like with like.
    """
    numbers = {name: calls_per_run(fn, cfg.min_time) for name, fn in fns.items()}
    runs: dict[Hashable, list[float]] = {name: [] for name in fns}
    for _ in range(cfg.repeat):
        for name, fn in fns.items():
            timer = timeit.Timer(fn, timer=cfg.clock)
            runs[name].append(timer.timeit(numbers[name]) / numbers[name])
    return {name: (statistics.median(t), t) for name, t in runs.items()}


def median_ratio(a: list[float], b: list[float]) -> float:
    """Median over rounds of a[i] / b[i] (both measured in the same round)."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def fmt_time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# --- MLP train steps ---------------------------------------------------------------------------
def make_data(sizes: list[int], batch: int, dtype: type, seed: int = 0):
    """A batch (X (batch, sizes[0]), y (batch,) class indices) and torch-initialised weights."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], size=batch)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1 / np.sqrt(fan_in)
        weights.append(
            (
                rng.uniform(-bound, bound, (fan_out, fan_in)).astype(dtype),
                rng.uniform(-bound, bound, fan_out).astype(dtype),
            )
        )
    return X, y, weights


class Candidate:
    """One implementation of the train step: ``step()``, ``forward()``, and ``backward_only()``.

    ``backward_only()`` first runs one forward (untimed), then returns a function that repeats
    just the backward pass of that forward; gradients pile up, which costs the same as torch's
    own accumulation.
    """

    step: Callable[[], object]
    forward: Callable[[], object]  # returns the loss
    parameters: Callable[[], list[np.ndarray]]  # copies: W1, b1, W2, b2, ...

    def backward_only(self) -> Callable[[], object]:
        raise NotImplementedError


class BpcourseMLP(Candidate):
    def __init__(self, X, y, weights, dtype, lr=0.01):
        layers: list[nn.Module] = []
        for i, (W, b) in enumerate(weights):
            lin = nn.Linear(W.shape[1], W.shape[0], dtype=dtype)
            lin.weight.data[...] = W
            lin.bias.data[...] = b
            layers.append(lin)
            if i < len(weights) - 1:
                layers.append(nn.ReLU())
        model, criterion = nn.Sequential(*layers), nn.CrossEntropyLoss()
        opt = optim.SGD(model.parameters(), lr=lr)

        def step():
            opt.zero_grad()
            criterion(model(X), y)
            # X is data: like torch for an input without requires_grad, skip dL/dX.
            model.backward(criterion.backward(), input_grad=False)
            opt.step()

        self.step = step
        self.forward = lambda: criterion(model(X), y)
        self._backward = lambda: model.backward(criterion.backward(), input_grad=False)
        self.parameters = lambda: [p.data.copy() for p in model.parameters()]

    def backward_only(self):
        self.forward()
        return self._backward


class TorchMLP(Candidate):
    def __init__(self, X, y, weights, dtype, lr=0.01):
        tdtype = torch.float32 if dtype == np.float32 else torch.float64
        layers: list[torch.nn.Module] = []
        for i, (W, b) in enumerate(weights):
            lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=tdtype)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(W))
                lin.bias.copy_(torch.from_numpy(b))
            layers.append(lin)
            if i < len(weights) - 1:
                layers.append(torch.nn.ReLU())
        model, criterion = torch.nn.Sequential(*layers), torch.nn.CrossEntropyLoss()
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

        def step():
            opt.zero_grad()
            criterion(model(Xt), yt).backward()
            opt.step()

        self.step = step
        # With autograd on, as in training: recording the graph is part of the forward's cost.
        self.forward = lambda: criterion(model(Xt), yt)
        self.parameters = lambda: [p.detach().numpy().copy() for p in model.parameters()]

    def backward_only(self):
        loss = self.forward()  # after the steps above, so that no weight changes under the graph
        return lambda: loss.backward(retain_graph=True)


class NumpyMLP(Candidate):
    """The same train step written out by hand in numpy: the floor bpcourse should reach."""

    def __init__(self, X, y, weights, dtype, lr=0.01):
        params = [(W.copy(), b.copy()) for W, b in weights]
        n = X.shape[0]
        rows = np.arange(n)
        last = len(params) - 1

        def forward():
            acts = [X]
            for i, (W, b) in enumerate(params):
                z = acts[-1] @ W.T
                z += b
                if i < last:
                    np.maximum(z, 0, out=z)
                acts.append(z)
            logits = acts[-1]
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            loss = -np.log(p[rows, y]).mean()
            return acts, p, loss

        def backward(acts, p):
            delta = p.copy()
            delta[rows, y] -= 1
            delta /= n
            grads = []
            for i in range(last, -1, -1):
                W, _ = params[i]
                grads.append((delta.T @ acts[i], delta.sum(axis=0)))
                if i > 0:  # no dL/dX for the data
                    delta = delta @ W
                    delta *= acts[i] > 0
            return grads[::-1]

        def step():
            acts, p, _ = forward()
            for (W, b), (dW, db) in zip(params, backward(acts, p), strict=True):
                W -= lr * dW
                b -= lr * db

        self.step = step
        self.forward = lambda: forward()[2]
        self._forward, self._backward = forward, backward
        self.parameters = lambda: [a.copy() for W, b in params for a in (W, b)]

    def backward_only(self):
        acts, p, _ = self._forward()
        return lambda: self._backward(acts, p)


def bench_matmuls(cfg: Config) -> str:
    """The matrix products of the largest MLP's train step, numpy's BLAS against torch's.

    They are most of a train step's time at that size, so their ratio bounds what bpcourse
    (numpy inside) can reach against torch.
    """
    sizes, batch = ([8, 16, 3], 16) if cfg.quick else ([784, 512, 512, 10], 256)
    rng = np.random.default_rng(0)
    rows = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        x = rng.standard_normal((batch, fan_in)).astype(np.float32)
        W = rng.standard_normal((fan_out, fan_in)).astype(np.float32)
        g = rng.standard_normal((batch, fan_out)).astype(np.float32)
        xt, Wt, gt = (torch.from_numpy(a) for a in (x, W, g))
        for what, ours, theirs in (
            ("forward x W^T", lambda x=x, W=W: x @ W.T, lambda xt=xt, Wt=Wt: xt @ Wt.T),
            ("dW = g^T x", lambda g=g, x=x: g.T @ x, lambda gt=gt, xt=xt: gt.T @ xt),
            ("dX = g W", lambda g=g, W=W: g @ W, lambda gt=gt, Wt=Wt: gt @ Wt),
        ):
            times = interleaved({"numpy": ours, "torch": theirs}, cfg)
            rows.append(
                [
                    f"{fan_in}->{fan_out}",
                    what,
                    fmt_time(times["numpy"][0]),
                    fmt_time(times["torch"][0]),
                    f"{median_ratio(times['numpy'][1], times['torch'][1]):.2f}",
                ]
            )
    name = "-".join(map(str, sizes))
    return f"### Matrix products of the {name} MLP, batch {batch}, float32, median\n\n" + table(
        ["layer", "product", "numpy", "torch", "numpy/torch"], rows
    )


def bench_mlps(cfg: Config) -> str:
    configs = [
        ([2, 4, 2], 4),
        ([2, 16, 16, 2], 64),
        ([64, 128, 10], 128),
        ([784, 512, 512, 10], 256),
    ]
    if cfg.quick:
        configs = [([2, 4, 2], 4), ([8, 16, 3], 16)]
    rows, ratio_rows = [], []
    for dtype in (np.float32, np.float64):
        for sizes, batch in configs:
            X, y, weights = make_data(sizes, batch, dtype)
            ours, theirs, hand = (
                cls(X, y, weights, dtype) for cls in (BpcourseMLP, TorchMLP, NumpyMLP)
            )
            steps = interleaved({"b": ours.step, "t": theirs.step, "n": hand.step}, cfg)
            halves = interleaved(
                {
                    "bf": ours.forward,
                    "tf": theirs.forward,
                    "bb": ours.backward_only(),
                    "tb": theirs.backward_only(),
                },
                cfg,
            )
            (tb, b_runs), (tt, t_runs), (tn, n_runs) = steps["b"], steps["t"], steps["n"]
            name, dt = "-".join(map(str, sizes)), np.dtype(dtype).name
            rows.append(
                [
                    name,
                    str(batch),
                    dt,
                    fmt_time(tb),
                    fmt_time(tt),
                    fmt_time(tn),
                    f"{median_ratio(b_runs, t_runs):.2f}",
                    f"{median_ratio(b_runs, n_runs):.2f}",
                ]
            )
            ratio_rows.append(
                [
                    name,
                    str(batch),
                    dt,
                    f"{median_ratio(halves['bb'][1], halves['bf'][1]):.2f}",
                    f"{median_ratio(halves['tb'][1], halves['tf'][1]):.2f}",
                ]
            )
    return (
        "### Train step (forward, loss, backward, SGD update), median\n\n"
        "ReLU MLPs, CrossEntropyLoss, SGD(lr=0.01), the same weights and batch for all three. "
        "bpcourse: `opt.zero_grad(); crit(model(X), y); model.backward(crit.backward(), "
        "input_grad=False); opt.step()`: like torch for a batch that does not require grad, "
        "`input_grad=False` skips dL/dX, and so does the numpy step. torch: its defaults "
        "(zero_grad sets .grad to None; bpcourse fills .grad with zeros and its backward adds into it). Ratios "
        "are medians of per-round ratios.\n\n"
        + table(
            [
                "MLP",
                "batch",
                "dtype",
                "bpcourse",
                "torch",
                "numpy by hand",
                "bpcourse/torch",
                "bpcourse/numpy",
            ],
            rows,
        )
        + "\n\n### Backward time / forward time\n\n"
        "Forward: model and loss (torch with autograd recording). Backward: loss backward and "
        "model backward, repeated on one forward's graph.\n\n"
        + table(["MLP", "batch", "dtype", "bpcourse", "torch"], ratio_rows)
    )


# --- optimizers ------------------------------------------------------------------------------------
def bench_optimizers(cfg: Config) -> str:
    shape = (100, 100) if cfg.quick else (1000, 1000)
    rng = np.random.default_rng(0)
    W = rng.standard_normal(shape).astype(np.float32)
    G = rng.standard_normal(shape).astype(np.float32)
    cases = [
        ("SGD", {"lr": 0.01}),
        ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
        ("Adagrad", {"lr": 0.01}),
        ("RMSprop", {"lr": 0.01}),
        ("Adam", {"lr": 0.001}),
        ("AdamW", {"lr": 0.001}),
    ]
    steps, labels = {}, []
    for name, kwargs in cases:
        p = nn.Parameter(W.copy())
        p.grad[...] = G
        tp = torch.nn.Parameter(torch.from_numpy(W.copy()))
        tp.grad = torch.from_numpy(G.copy())
        label = name + ("(momentum, nesterov)" if "nesterov" in kwargs else "")
        labels.append(label)
        steps[label, "ours"] = getattr(optim, name)([p], **kwargs).step
        # foreach=False: the single-tensor loop, the same algorithm bpcourse writes out.
        steps[label, "theirs"] = getattr(torch.optim, name)([tp], foreach=False, **kwargs).step
    times = interleaved(steps, cfg)  # all twelve in each round: they share the load's drift
    rows = []
    for label in labels:
        (to, o_runs), (tt, t_runs) = times[label, "ours"], times[label, "theirs"]
        rows.append(
            [
                label,
                f"{W.size:,}",
                fmt_time(to),
                fmt_time(tt),
                f"{median_ratio(o_runs, t_runs):.2f}",
            ]
        )
    return "### Optimizer step, float32, median\n\n" + table(
        ["optimizer", "parameters", "bpcourse", "torch.optim", "ratio"], rows
    )


# --- convolution ---------------------------------------------------------------------------------
def bench_conv(cfg: Config) -> str:
    """Forward + backward (dx, dW, db) of Conv2d(16, 32, 3, padding=1), float32: bpcourse's
    im2col/col2im layer against torch's, and the loop reference of bpcourse.conv on a smaller
    batch (the loops take seconds per image batch), beside the im2col form on that same batch."""
    from bpcourse import conv as K

    N, C, O, HW = (2, 4, 8, 8) if cfg.quick else (64, 16, 32, 28)
    n_loop = 1 if cfg.quick else 2
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C, HW, HW)).astype(np.float32)
    ours = nn.Conv2d(C, O, 3, padding=1, dtype=np.float32, rng=0)
    theirs = torch.nn.Conv2d(C, O, 3, padding=1)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.data))
        theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    g = rng.standard_normal((N, O, HW, HW)).astype(np.float32)
    xt, gt = torch.from_numpy(x).requires_grad_(), torch.from_numpy(g)

    def step_ours():
        ours(x)
        return ours.backward(g)

    def step_theirs():
        xt.grad = None
        theirs.zero_grad()
        theirs(xt).backward(gt)

    times = interleaved({"ours": step_ours, "theirs": step_theirs}, cfg)
    (to, o_runs), (tt, t_runs) = times["ours"], times["theirs"]
    shape = f"({N}, {C}, {HW}, {HW})"
    rows = [[f"Conv2d({C}, {O}, 3, padding=1)", shape, "float32", fmt_time(to), fmt_time(tt),
             f"{median_ratio(o_runs, t_runs):.2f}"]]  # fmt: skip

    xs, gs = x[:n_loop], g[:n_loop]
    w, b = ours.weight.data, ours.bias.data
    one, pad = (1, 1), (1, 1)

    def loops():
        K.conv2d_loop(xs, w, b, one, pad)
        K.conv2d_backward_loop(gs, xs, w, one, pad)

    def vectorised():
        _, cols = K.conv2d(xs, w, b, one, pad)
        K.conv2d_backward(gs, cols, xs.shape, w, one, pad)

    runs = 1 if cfg.quick else 3  # the loops are slow: a few single calls, the fastest kept
    t_loop = min(timeit.Timer(loops, timer=cfg.clock).timeit(1) for _ in range(runs))
    t_vec = median_time(vectorised, cfg)
    loop_rows = [[f"({n_loop}, {C}, {HW}, {HW})", fmt_time(t_loop), fmt_time(t_vec),
                  f"{t_loop / t_vec:.0f}"]]  # fmt: skip
    return (
        "### Conv2d forward + backward (dx, dW, db), median\n\n"
        + table(["layer", "input", "dtype", "bpcourse", "torch", "bpcourse/torch"], rows)
        + "\n\nThe loop reference (`bpcourse.conv.conv2d_loop` + `conv2d_backward_loop`) "
        "against the im2col form, on a smaller batch, same layer:\n\n"
        + table(["input", "loops", "im2col/col2im", "loops/im2col"], loop_rows)
    )


# --- scalar engine -------------------------------------------------------------------------------
def bench_engine(cfg: Config) -> str:
    if engine is None:
        return (
            "### Scalar engine (bpcourse.engine.Value)\n\n"
            f"Not measured: bpcourse.engine could not be imported ({ENGINE_MISSING})."
        )
    n_chain = 10_000 if cfg.quick else 100_000
    gc.collect()
    tracked = len(gc.get_objects())
    model = engine.MLP(2, [16, 16, 1], rng=0)
    params = model.parameters()

    def mlp_pass():  # one sample: forward (builds the graph) and backward
        engine.zero_grad(params)
        out = model([engine.Value(0.5), engine.Value(-1.5)])
        out.backward()
        return out

    nodes = len(mlp_pass().topological_order())
    t_mlp = median_time(mlp_pass, cfg)

    def chain():  # y = tanh(tanh(...tanh(x))): one node per operation, n_chain + 1 nodes
        y = x = engine.Value(0.5)
        start = cfg.clock()
        for _ in range(n_chain):
            y = y.tanh()
        built = cfg.clock()
        y.backward()
        assert x.grad != 0.0  # the gradient went all the way down
        return built - start, cfg.clock() - built

    runs = [chain() for _ in range(1 if cfg.quick else 3)]
    t_fwd = statistics.median(r[0] for r in runs)
    t_bwd = statistics.median(r[1] for r in runs)
    # Most of the forward time is the cycle collector's full passes over every object alive
    # (torch's and numpy's included); gc.freeze() moves those out of its sight.
    gc.collect()
    gc.freeze()
    try:
        t_fwd_frozen = statistics.median(chain()[0] for _ in range(1 if cfg.quick else 3))
    finally:
        gc.unfreeze()
    n = n_chain + 1
    rows = [
        [
            f"MLP 2-16-16-1 on one sample ({nodes:,} nodes)",
            "forward + backward",
            fmt_time(t_mlp),
            f"{nodes / t_mlp:,.0f} nodes/s",
        ],
        [f"chain of {n:,} tanh nodes", "forward", fmt_time(t_fwd), f"{n / t_fwd:,.0f} nodes/s"],
        [f"chain of {n:,} tanh nodes", "backward", fmt_time(t_bwd), f"{n / t_bwd:,.0f} nodes/s"],
        [
            f"chain of {n:,} tanh nodes",
            "forward, after gc.freeze()",
            fmt_time(t_fwd_frozen),
            f"{n / t_fwd_frozen:,.0f} nodes/s",
        ],
    ]
    return (
        "### Scalar engine (bpcourse.engine.Value)\n\n"
        f"In this process ({tracked:,} objects tracked by the garbage collector at the "
        "start, torch's included, as in a notebook). The MLP is timed by timeit, which "
        "switches the collector off; the chain is timed with it on.\n\n"
        + table(["graph", "pass", "time", "rate"], rows)
    )


# --- the course ---------------------------------------------------------------------------------
RUN_ONE = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def cells_span(executed: pathlib.Path) -> float:
    """Seconds from the first cell's start to the last cell's end, from nbconvert's timings."""
    stamps = []
    for cell in json.loads(executed.read_text())["cells"]:
        timing = cell.get("metadata", {}).get("execution", {})
        stamps += [timing[k] for k in ("iopub.execute_input", "shell.execute_reply") if k in timing]
    if not stamps:
        return float("nan")
    times = sorted(datetime.datetime.fromisoformat(t.replace("Z", "+00:00")) for t in stamps)
    return (times[-1] - times[0]).total_seconds()


def bench_notebooks() -> str:
    """Each notebook executed as `make test` does (fresh kernel, nbconvert), one at a time.

    wall: the whole nbconvert command (Python, Jupyter and kernel start-up included); cells:
    first cell start to last cell end inside the kernel; CPU: user + system seconds of every
    process (less sensitive than wall time to other people's load); peak memory: the largest
    resident set of any one process (the kernel).
    """
    rows, totals = [], [0.0, 0.0, 0.0]
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["IPYTHONDIR"] = str(ROOT / "tests" / "ipython")  # the kernel start-up of make test
    jupyter = str(pathlib.Path(sys.executable).with_name("jupyter"))
    peak_max = 0
    with tempfile.TemporaryDirectory() as tmp:
        for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
            cmd = [
                sys.executable,
                "-c",
                RUN_ONE,
                jupyter,
                "nbconvert",
                "--to",
                "notebook",
                "--execute",
                "--output-dir",
                tmp,
                "--ExecutePreprocessor.kernel_name=python3",
                "--ExecutePreprocessor.record_timing=True",
                str(nb),
            ]
            run = subprocess.run(
                cmd, capture_output=True, text=True, env=env, cwd=ROOT / "notebooks"
            )
            if run.returncode != 0:  # a notebook that does not execute: say so, go on
                rows.append([nb.name, "**failed**", "", "", ""])
                continue
            out = run.stdout.split()
            wall, cpu, peak_kib = float(out[0]), float(out[1]), int(out[2])
            cells = cells_span(pathlib.Path(tmp) / nb.name)
            for i, v in enumerate((wall, cells, cpu)):
                totals[i] += v
            peak_max = max(peak_max, peak_kib)
            rows.append(
                [
                    nb.name,
                    f"{wall:.1f} s",
                    f"{cells:.1f} s",
                    f"{cpu:.1f} s",
                    f"{peak_kib / 1024:.0f} MiB",
                ]
            )
    rows.append(
        [
            "**all notebooks**",
            *(f"**{t:.1f} s**" for t in totals),
            f"**{peak_max / 1024:.0f} MiB** (max)",
        ]
    )
    return (
        "### Executing the course (jupyter nbconvert --execute, one notebook at a time)\n\n"
        + table(["notebook", "wall", "cells", "CPU", "peak memory"], rows)
    )


def machine(threads: int) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = ", ".join(
        f"{i['internal_api']} {i.get('version')} ({i.get('architecture')})"
        for i in threadpoolctl.threadpool_info()
        if i["user_api"] == "blas"
    )
    return (
        f"Machine: {cpu}, {os.cpu_count()} cores, {threads} thread(s) for numpy and torch; "
        f"numpy BLAS: {blas}; torch {torch.__version__} (BLAS: {torch_blas()}); "
        f"numpy {np.__version__}; Python {platform.python_version()}; "
        f"measured {time.strftime('%Y-%m-%d')}."
    )


def torch_blas() -> str:
    match = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    return match.group(1) if match else "unknown"


SECTIONS = ("mlp", "optim", "conv", "engine", "notebooks")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (the CI smoke test)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads for numpy's BLAS and torch alike (default 1: what the notebooks use, "
        "and the only steady figure on a small shared machine)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="rounds per measurement (default 11; 2 with --quick)",
    )
    parser.add_argument(
        "--out",
        type=pathlib.Path,
        default=ROOT / "build" / "bench.md",
        help="the Markdown report (default build/bench.md)",
    )
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="cpu: CPU seconds of this process (steadier on a shared machine; "
        "with N threads it adds the threads' times)",
    )
    parser.add_argument("--no-notebooks", action="store_true", help="skip executing the course")
    parser.add_argument(
        "--default-allocator",
        action="store_true",
        help="leave glibc malloc's adaptive thresholds alone (figures then vary between runs)",
    )
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated subset of {','.join(SECTIONS)}",
    )
    args = parser.parse_args(argv)
    sections = set(args.sections.split(","))
    if not sections <= set(SECTIONS):
        parser.error(
            f"unknown section(s) {sorted(sections - set(SECTIONS))}; choose from {SECTIONS}"
        )
    if args.no_notebooks or args.quick:  # the course takes a minute: never in the smoke test
        sections.discard("notebooks")
    cfg = Config(
        args.quick,
        args.repeat or (2 if args.quick else 11),
        0.002 if args.quick else 0.05,
        time.process_time if args.clock == "cpu" else time.perf_counter,
    )
    allocator = (
        "Allocator: the platform's default (--default-allocator)."
        if args.default_allocator
        else steady_allocator()
    )
    torch.set_num_threads(args.threads)
    clock = (
        "CPU time of the process (time.process_time)"
        if args.clock == "cpu"
        else "wall-clock time (time.perf_counter)"
    )
    parts = [
        f"## bpcourse benchmarks\n\n{machine(args.threads)} Timings: {clock}, "
        f"median of {cfg.repeat} rounds; load average at the start "
        f"{os.getloadavg()[0]:.1f}. {allocator}"
    ]
    with threadpoolctl.threadpool_limits(args.threads):
        if "mlp" in sections:
            parts += [bench_mlps(cfg), bench_matmuls(cfg)]
        if "optim" in sections:
            parts.append(bench_optimizers(cfg))
        if "conv" in sections:
            parts.append(bench_conv(cfg))
        if "engine" in sections:
            parts.append(bench_engine(cfg))
    if "notebooks" in sections:  # each kernel sets its own threads (setup_notebook: torch 1)
        parts.append(bench_notebooks())
    report = "\n\n".join(parts) + "\n"
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
