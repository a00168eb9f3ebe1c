"""`make bench`: bpcourse against torch and plain numpy, and the cost of running the course.

Prints Markdown tables and writes them to build/bench.md, with the machine they came from.
Timings are medians of repeated runs (timeit); numpy and torch use the same number of threads.
Nothing here asserts a time: this is a benchmark, not a test (the smoke test runs ``--quick``).

    .venv/bin/python tools/bench.py [--quick] [--threads N] [--out build/bench.md] [--no-notebooks]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable

import numpy as np
import threadpoolctl
import torch

from bpcourse import engine, nn, optim

ROOT = pathlib.Path(__file__).resolve().parents[1]


# --- measuring -------------------------------------------------------------------------------------
def median_time(fn: Callable[[], object], *, repeat: int, min_time: float = 0.05) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` timeit runs of an auto-chosen size."""
    fn()  # warm up (allocations, lazy inits)
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, int(number * min_time / 0.2))
    return statistics.median(t / number for t in timer.repeat(repeat=repeat, number=number))


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
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], size=batch)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1 / np.sqrt(fan_in)
        weights.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(dtype),
                        rng.uniform(-bound, bound, fan_out).astype(dtype)))
    return X, y, weights


def bpcourse_step(sizes, X, y, weights, dtype, lr=0.01):
    layers: list[nn.Module] = []
    for i, (W, b) in enumerate(weights):
        lin = nn.Linear(W.shape[1], W.shape[0], dtype=dtype)
        lin.weight.data[...] = W
        lin.bias.data[...] = b
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    criterion = nn.CrossEntropyLoss()
    opt = optim.SGD(model.parameters(), lr=lr)

    def forward():
        return criterion(model(X), y)

    def step():
        opt.zero_grad()
        criterion(model(X), y)
        model.backward(criterion.backward())
        opt.step()

    def backward():  # the backward pass alone, after one forward (its caches stay valid)
        model.backward(criterion.backward())

    return step, forward, backward


def torch_step(sizes, X, y, weights, dtype, lr=0.01):
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
    model = torch.nn.Sequential(*layers)
    criterion = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def forward():  # with autograd on, as in training: the graph is part of the forward cost
        return criterion(model(Xt), yt)

    def step():
        opt.zero_grad()
        loss = criterion(model(Xt), yt)
        loss.backward()
        opt.step()

    loss = criterion(model(Xt), yt)

    def backward():  # the backward pass alone: the graph of one forward, kept
        loss.backward(retain_graph=True)

    return step, forward, backward


def numpy_step(sizes, X, y, weights, dtype, lr=0.01):
    """The same train step written out by hand in numpy: the floor bpcourse should reach."""
    params = [(W.copy(), b.copy()) for W, b in weights]
    n = X.shape[0]
    rows = np.arange(n)

    def step():
        acts = [X]
        for i, (W, b) in enumerate(params):
            z = acts[-1] @ W.T
            z += b
            if i < len(params) - 1:
                np.maximum(z, 0, out=z)
            acts.append(z)
        logits = acts[-1]
        shifted = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        p[rows, y] -= 1
        p /= n
        delta = p
        for i in range(len(params) - 1, -1, -1):
            W, b = params[i]
            dW = delta.T @ acts[i]
            db = delta.sum(axis=0)
            if i > 0:
                delta = delta @ W
                delta *= acts[i] > 0
            W -= lr * dW
            b -= lr * db

    return step


def bench_mlps(quick: bool, repeat: int) -> str:
    configs = [([2, 4, 1], 4), ([2, 16, 16, 2], 64), ([64, 128, 10], 128), ([784, 512, 512, 10], 256)]
    if quick:
        configs = [([2, 4, 1], 4), ([8, 16, 3], 16)]
    rows, ratio_rows = [], []
    for dtype in (np.float32, np.float64):
        for sizes, batch in configs:
            X, y, weights = make_data(sizes, batch, dtype)
            if sizes[-1] == 1:  # CrossEntropyLoss needs two classes at least
                sizes = [*sizes[:-1], 2]
                X, y, weights = make_data(sizes, batch, dtype)
            b_step, b_fwd, b_bwd = bpcourse_step(sizes, X, y, weights, dtype)
            t_step, t_fwd, t_bwd = torch_step(sizes, X, y, weights, dtype)
            n_step = numpy_step(sizes, X, y, weights, dtype)
            tb, tt, tn = (median_time(f, repeat=repeat) for f in (b_step, t_step, n_step))
            fb, ft = median_time(b_fwd, repeat=repeat), median_time(t_fwd, repeat=repeat)
            b_fwd()  # the backward passes below reuse this forward's caches
            bb, bt = median_time(b_bwd, repeat=repeat), median_time(t_bwd, repeat=repeat)
            name = "-".join(map(str, sizes))
            dt = np.dtype(dtype).name
            rows.append([name, str(batch), dt, fmt_time(tb), fmt_time(tt), fmt_time(tn),
                         f"{tb / tt:.2f}", f"{tb / tn:.2f}"])
            ratio_rows.append([name, str(batch), dt, f"{bb / fb:.2f}", f"{bt / ft:.2f}"])
    return (
        "### Train step (forward, loss, backward, SGD update), median\n\n"
        + table(["MLP", "batch", "dtype", "bpcourse", "torch", "numpy by hand",
                 "bpcourse/torch", "bpcourse/numpy"], rows)
        + "\n\n### Backward time / forward time\n\n"
        + table(["MLP", "batch", "dtype", "bpcourse", "torch"], ratio_rows)
    )


# --- optimizers ------------------------------------------------------------------------------------
def bench_optimizers(quick: bool, repeat: int) -> str:
    shape = (100, 100) if quick else (1000, 1000)
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
    rows = []
    for name, kwargs in cases:
        p = nn.Parameter(W.copy())
        p.grad[...] = G
        ours = getattr(optim, name)([p], **kwargs)
        tp = torch.nn.Parameter(torch.from_numpy(W.copy()))
        tp.grad = torch.from_numpy(G.copy())
        # foreach=False: the single-tensor loop, the same algorithm bpcourse writes out.
        theirs = getattr(torch.optim, name)([tp], foreach=False, **kwargs)
        to, tt = median_time(ours.step, repeat=repeat), median_time(theirs.step, repeat=repeat)
        label = name + ("(momentum, nesterov)" if "nesterov" in kwargs else "")
        rows.append([label, f"{W.size:,}", fmt_time(to), fmt_time(tt), f"{to / tt:.2f}"])
    return "### Optimizer step, float32, median\n\n" + table(
        ["optimizer", "parameters", "bpcourse", "torch.optim", "ratio"], rows)


# --- scalar engine -------------------------------------------------------------------------------
def bench_engine(quick: bool, repeat: int) -> str:
    n_chain = 10_000 if quick else 100_000

    def mlp_pass():
        model = engine.MLP(2, [16, 16, 1])
        x = [engine.Value(0.5), engine.Value(-1.5)]
        out = model(x)
        out.backward()
        return out

    def count_nodes(root) -> int:
        seen, stack = set(), [root]
        while stack:
            v = stack.pop()
            if id(v) not in seen:
                seen.add(id(v))
                stack.extend(v._prev)
        return len(seen)

    nodes = count_nodes(mlp_pass())
    t_mlp = median_time(mlp_pass, repeat=repeat)

    def chain():
        x = engine.Value(0.5)
        y = x
        for _ in range(n_chain):
            y = y * 1.0 + 0.0
        y.backward()

    start = time.perf_counter()
    chain()
    t_chain = time.perf_counter() - start
    rows = [
        [f"MLP 2-16-16-1, forward+backward ({nodes} nodes)", fmt_time(t_mlp),
         f"{nodes / t_mlp:,.0f} nodes/s"],
        [f"chain of {2 * n_chain:,} nodes, forward+backward", fmt_time(t_chain),
         f"{2 * n_chain / t_chain:,.0f} nodes/s"],
    ]
    return "### Scalar engine (bpcourse.engine.Value)\n\n" + table(["graph", "time", "rate"], rows)


# --- the course ---------------------------------------------------------------------------------
RUN_ONE = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - start
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def bench_notebooks() -> str:
    """Wall time and peak memory (largest process: the kernel) of executing each notebook."""
    rows, total = [], 0.0
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    jupyter = str(pathlib.Path(sys.executable).with_name("jupyter"))
    with tempfile.TemporaryDirectory() as tmp:
        for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
            cmd = [sys.executable, "-c", RUN_ONE, jupyter, "nbconvert", "--to", "notebook",
                   "--execute", "--output-dir", tmp, "--ExecutePreprocessor.kernel_name=python3",
                   str(nb)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env,
                                 cwd=ROOT / "notebooks").stdout.split()
            wall, peak_kib = float(out[0]), int(out[1])
            total += wall
            rows.append([nb.name, f"{wall:.1f} s", f"{peak_kib / 1024:.0f} MiB"])
    rows.append(["**all notebooks**", f"**{total:.1f} s**", ""])
    return ("### Executing the course (jupyter nbconvert --execute, one notebook at a time)\n\n"
            + table(["notebook", "wall time", "peak memory"], rows))


def machine(threads: int) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i.get('architecture')})"
                     for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas")
    return (f"Machine: {cpu}, {os.cpu_count()} cores, {threads} thread(s) for numpy and torch; "
            f"numpy BLAS: {blas}; torch {torch.__version__} (BLAS: MKL {torch.backends.mkl.is_available()}); "
            f"numpy {np.__version__}; Python {platform.python_version()}; "
            f"measured {time.strftime('%Y-%m-%d')}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (the CI smoke test)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "build" / "bench.md")
    parser.add_argument("--no-notebooks", action="store_true")
    args = parser.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 7)
    torch.set_num_threads(args.threads)
    with threadpoolctl.threadpool_limits(args.threads):
        parts = [f"## bpcourse benchmarks\n\n{machine(args.threads)}",
                 bench_mlps(args.quick, repeat), bench_optimizers(args.quick, repeat),
                 bench_engine(args.quick, repeat)]
        if not args.no_notebooks and not args.quick:
            parts.append(bench_notebooks())
    report = "\n\n".join(parts) + "\n"
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
