"""Checks of notebook 05's exercises (optimizers).

Each update rule the learner writes is wrapped in a ``bpcourse.optim.Optimizer`` and run side by
side with ``torch.optim`` (the reference), on two parameters of different shapes, with
hyperparameters away from the defaults (so that a hard-coded 0.9 shows), and with inputs chosen
so that each typical mistake takes a path of its own:

- momentum: the learning rate CHANGES between steps, the only way to tell torch's form (the lr
  multiplies the whole buffer) from the textbook form ``v = mu v - lr g; p += v``;
- every step: ``p.data`` must stay the same array object (in place), and ``grad`` unchanged;
- Adam: a large ``eps`` (where it is added matters), betas that differ from each other and from
  the defaults, two parameters (a counter or buffer shared between them shows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .core import Mistake, check_unchanged, expect, register

# Two parameters of different shapes, their starting values and a gradient for each.
_A = np.array([[0.9, -0.4, 0.3], [0.2, 1.1, -0.7], [-0.5, 0.6, 0.8], [1.2, 0.1, -0.3]])
_B = np.array([0.3, -0.8, 0.5, 1.0])
_C = np.array([[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]])
_STARTS = (np.array([0.6, -1.2, 0.9]), np.array([[1.0, -0.5, 0.2], [-0.3, 0.8, -1.1]]))


def _grads(p1: np.ndarray, p2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of mean(log cosh(A p1 - b)) + sum(log cosh(p2 - C)): shapes (3,), (2, 3)."""
    return _A.T @ np.tanh(_A @ p1 - _B) / len(_B), np.tanh(p2 - _C)


def _torch_path(make_opt: Callable[[list], Any], lrs: list[float]) -> np.ndarray:
    """torch.optim's parameters after each step, (steps, 9): the reference."""
    import torch

    params = [torch.tensor(s.copy()) for s in _STARTS]
    opt = make_opt(params)
    path = []
    for lr in lrs:
        opt.param_groups[0]["lr"] = lr
        for p, g in zip(params, _grads(*(q.numpy() for q in params))):
            p.grad = torch.from_numpy(g)
        opt.step()
        path.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    return np.array(path)


def _learner_path(
    update: Callable[..., None], hyper: dict[str, Any], lrs: list[float]
) -> np.ndarray:
    """The learner's update rule inside a bpcourse Optimizer; (steps, 9) parameters after each step.

    Raises Mistake when p.data is rebound or grad is modified."""
    from bpcourse.nn import Parameter
    from bpcourse.optim import Optimizer

    class LearnerOptimizer(Optimizer):
        def _update(self, p, grad, state):
            self.current = self.params.index(p)
            update(p, grad, state, **{k: getattr(self, k) for k in ("lr", *hyper)})

    params = [Parameter(s.copy()) for s in _STARTS]
    opt = LearnerOptimizer(params, {"lr": lrs[0], **hyper})
    arrays = [p.data for p in params]
    path = []
    for step, lr in enumerate(lrs, start=1):
        opt.lr = lr
        opt.zero_grad()
        for p, g in zip(params, _grads(*(q.data for q in params))):
            p.grad += g
        given = [p.grad.copy() for p in params]
        with np.errstate(all="ignore"):
            try:
                opt.step()
            except ValueError as err:
                if step == 1 and opt.current == 1:
                    raise Mistake(
                        f"a shape error at the second parameter, shape {params[1].data.shape}, after "
                        f"the first, shape {params[0].data.shape}, went through: is something shared "
                        "by all parameters (a buffer on self)? Keep it in this parameter's state "
                        f"dict. ({str(err).splitlines()[0][:80]})"
                    ) from None
                raise
        for p, array, g in zip(params, arrays, given):
            if p.data is not array:
                raise Mistake(
                    f"step {step}: p.data is a new array (p.data = ... rebinds it); change it in "
                    "place (p.data -= ...): whatever else holds the array (a model, a torch twin, "
                    "a view) never sees a rebinding"
                )
            if not np.array_equal(p.grad, g):
                raise Mistake(
                    f"step {step}: grad changed in place; the update must leave it alone (a "
                    "buffer that is grad itself, not a copy, changes it when it is updated)"
                )
        if not all(np.isfinite(p.data).all() for p in params):
            first = " (on the first step: is a counter still 0 where 1 - beta**t is computed?)"
            raise Mistake(
                f"step {step}: the parameters became inf or nan (a division by 0, or the square "
                f"root of a negative number){first if step == 1 else ''}"
            )
        path.append(np.concatenate([p.data.ravel() for p in params]))
    return np.array(path)


def _simulate(
    lrs: list[float], update: Callable[[int, np.ndarray, np.ndarray, dict, float], np.ndarray]
) -> np.ndarray:
    """A reference-free numpy run of a (mistaken) rule: update(k, p, g, state, lr) -> new p."""
    params = [s.copy() for s in _STARTS]
    states: list[dict] = [{}, {}]
    shared: dict = {}
    path = []
    for lr in lrs:
        grads = _grads(*params)
        for k in range(2):
            states[k]["shared"] = shared
            params[k] = update(k, params[k], grads[k], states[k], lr)
        path.append(np.concatenate([p.ravel() for p in params]))
    return np.array(path)


# --- exercise 1: momentum in torch's form ------------------------------------------------------
MOMENTUM_LRS = [0.1, 0.1, 0.1, 0.02, 0.02, 0.2, 0.2, 0.05, 0.1, 0.1, 0.3, 0.01]
MU = 0.8


def _momentum_mistake(kind: str) -> np.ndarray:
    def update(k, p, g, state, lr):
        if kind == "textbook":  # v = mu v - lr g; p += v
            state["v"] = MU * state.get("v", 0.0) - lr * g
            return p + state["v"]
        if kind == "plain":
            return p - lr * g
        mu = 0.9 if kind == "hard 0.9" else MU
        if "b" not in state:
            state["b"] = (1 - mu) * g if kind == "ema" else g.copy()
        else:
            state["b"] = mu * state["b"] + ((1 - mu) * g if kind == "ema" else g)
        step = g + mu * state["b"] if kind == "nesterov" else state["b"]
        return p - lr * step

    return _simulate(MOMENTUM_LRS, update)


@register(
    "ex_momentum_step",
    hints=(
        "A nudge: write down what the buffer holds after two steps, and where the learning rate "
        "enters. In torch's form the buffer holds gradients only; the check changes lr between steps.",
        "First call: state['momentum_buffer'] = grad.copy(). Later calls: buffer *= momentum, then "
        "buffer += grad (in place). Then p.data -= lr * buffer, never p.data = ...",
        "buf = state.get('momentum_buffer'); if buf is None: state['momentum_buffer'] = buf = "
        "grad.copy()  else: buf *= momentum; buf += grad;  and then p.data -= lr * buf",
    ),
)
def check_ex_momentum_step(ex_momentum_step):
    import torch

    want = _torch_path(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=MU), MOMENTUM_LRS)
    got = _learner_path(ex_momentum_step, {"momentum": MU}, MOMENTUM_LRS)
    expect(
        got,
        want,
        "the parameters after each step (the lr changes at steps 4, 6, 8, 9, 11, 12)",
        rtol=0,
        atol=1e-10,
        mistakes={
            "this is the textbook form v = mu*v - lr*g, p += v: the learning rate is inside the "
            "buffer, so a changed lr does not rescale past steps; torch's buffer holds gradients "
            "only and the current lr multiplies all of it": _momentum_mistake("textbook"),
            "no momentum at all: the step uses grad, not the buffer": _momentum_mistake("plain"),
            "the buffer is an average, mu*b + (1 - mu)*g (that is dampening = momentum); torch's "
            "form adds the whole gradient: b = mu*b + g": _momentum_mistake("ema"),
            "this is Nesterov's step (grad + momentum * buffer), not plain momentum": _momentum_mistake(
                "nesterov"
            ),
            "momentum 0.9 is hard-coded: use the momentum argument (the check uses 0.8)": _momentum_mistake(
                "hard 0.9"
            ),
        },
    )
    return (
        f"{len(MOMENTUM_LRS)} steps on two parameters equal torch.optim.SGD's, with the "
        "learning rate changing between steps; p.data changed in place, grad untouched"
    )


# --- exercise 2: Adam ----------------------------------------------------------------------------
ADAM_LRS = [0.05] * 4 + [0.02] * 4
BETAS, EPS = (0.8, 0.95), 0.05


def _adam_mistake(kind: str) -> np.ndarray:
    b1, b2 = BETAS[::-1] if kind == "swapped" else BETAS

    def update(k, p, g, state, lr):
        if not state.get("m_init"):
            state.update(m_init=True, t=0, m=np.zeros_like(p), v=np.zeros_like(p))
        counter = state["shared"] if kind == "shared counter" else state
        counter["t"] = counter.get("t", 0) + 1
        t = counter["t"]
        m = b1 * state["m"] + (1 - b1) * g
        v = b2 * state["v"] + (1 - b2) * g * g
        if kind != "not stored":
            state["m"], state["v"] = m, v
        c1 = 1 - b1**t if kind not in ("no correction", "v only") else 1.0
        c2 = 1 - b2**t if kind not in ("no correction", "m only") else 1.0
        if kind == "eps inside":
            return p - lr * (m / c1) / np.sqrt(v / c2 + EPS)
        if kind == "eps before":
            return p - lr * (m / c1) / ((np.sqrt(v) + EPS) / np.sqrt(c2))
        return p - lr * (m / c1) / (np.sqrt(v / c2) + EPS)

    return _simulate(ADAM_LRS, update)


@register(
    "ex_adam_step",
    hints=(
        "A nudge: on the very first call, what is t when you compute 1 - beta1**t, and what should "
        "it be? And in which order does torch divide by sqrt(1 - beta2**t) and add eps?",
        "Create step = 0 and two zero arrays on the first call; t = step + 1, stored back, before "
        "anything else; m and v updated IN the state (m *= beta1; m += ...); then "
        "denominator = sqrt(v) / sqrt(1 - beta2**t) + eps, outside the square root.",
        "state['step'] += 1; t = state['step']; m *= beta1; m += (1 - beta1) * grad; v *= beta2; "
        "v += (1 - beta2) * grad**2; p.data -= lr / (1 - beta1**t) * m / (np.sqrt(v) / "
        "np.sqrt(1 - beta2**t) + eps)",
    ),
)
def check_ex_adam_step(ex_adam_step):
    import torch

    want = _torch_path(lambda ps: torch.optim.Adam(ps, lr=0.05, betas=BETAS, eps=EPS), ADAM_LRS)
    try:
        got = _learner_path(ex_adam_step, {"betas": BETAS, "eps": EPS}, ADAM_LRS)
    except ZeroDivisionError:
        raise Mistake(
            "ZeroDivisionError on the first step: 1 - beta1**t is 0 because the step counter is "
            "still 0 when it is used; advance it first, so that the first step uses t = 1"
        ) from None
    expect(
        got,
        want,
        f"the parameters after each step (betas {BETAS}, eps {EPS})",
        rtol=0,
        atol=1e-10,
        mistakes={
            "no bias correction: m and v are used as they are, so the first steps have the "
            "wrong size; divide by 1 - beta1**t and 1 - beta2**t": _adam_mistake("no correction"),
            "only m is bias-corrected: v needs its 1 - beta2**t too": _adam_mistake("m only"),
            "only v is bias-corrected: m needs its 1 - beta1**t too": _adam_mistake("v only"),
            "eps is inside the square root, sqrt(v_hat + eps); torch adds it after: "
            "sqrt(v_hat) + eps": _adam_mistake("eps inside"),
            "eps is added before the correction of v, (sqrt(v) + eps) / sqrt(1 - beta2**t); "
            "torch divides first, then adds eps": _adam_mistake("eps before"),
            "beta1 and beta2 are swapped: m uses beta1, v uses beta2": _adam_mistake("swapped"),
            "m and v are not kept between steps: a new array bound to a local name never "
            "reaches state; update them in place (m *= beta1; m += ...)": _adam_mistake(
                "not stored"
            ),
            "the step counter is shared by all parameters (on self, not in state): each "
            "parameter needs its own": _adam_mistake("shared counter"),
        },
    )
    return (
        f"{len(ADAM_LRS)} steps on two parameters equal torch.optim.Adam's (betas {BETAS}, "
        f"a large eps {EPS}, where its place shows); p.data changed in place"
    )


# --- exercise 3: the largest stable learning rate ------------------------------------------------
def _rotated(eigenvalues: list[float], seed: int) -> np.ndarray:
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(len(eigenvalues),) * 2))
    return q @ np.diag(eigenvalues) @ q.T


@register(
    "ex_lr_ceiling",
    hints=(
        "A nudge: gradient descent on f = 1/2 theta^T A theta is theta <- (I - lr A) theta. What does "
        "one step do to the part of theta along an eigenvector of A?",
        "Along the eigenvector with eigenvalue lam, each step multiplies theta's component by "
        "(1 - lr * lam); every one of them must have |1 - lr * lam| < 1. Which eigenvalue limits lr? "
        "(A need not be diagonal: its diagonal is not its curvature.)",
        "return 2 / np.linalg.eigvalsh(A).max()",
    ),
)
def check_ex_lr_ceiling(ex_lr_ceiling):
    for A in (_rotated([0.5, 2.0, 9.0], 0), _rotated([1.0, 4.0, 6.0, 30.0], 1)):
        A_before = A.copy()
        got = ex_lr_ceiling(A)
        check_unchanged(
            "ex_lr_ceiling",
            {"A": A_before},
            {"A": A},
            "{fn} changed {name} in place; compute from it, leave it as it was",
        )
        lam = np.linalg.eigvalsh(A)
        if np.ndim(got) != 0:
            raise Mistake(
                f"return one number, the ceiling for the whole matrix; got shape "
                f"{np.shape(got)} (one value per direction?)"
            )
        got = np.asarray(got, dtype=np.float64) if isinstance(got, (int, float, np.number)) else got
        expect(
            got,
            np.float64(2 / lam.max()),
            f"the ceiling for A with eigenvalues {np.round(lam, 2)}",
            rtol=1e-9,
            atol=0,
            mistakes={
                "this is 2 / (largest diagonal entry): right only for a diagonal A; the "
                "curvature is in A's eigenvalues": 2 / np.diag(A).max(),
                "this is 2 / (smallest eigenvalue): the flat direction allows large steps, the "
                "steep one sets the ceiling": 2 / lam.min(),
                "this is 1 / (largest eigenvalue), half the ceiling: |1 - lr*lam| < 1 allows "
                "lr up to 2 / lam": 1 / lam.max(),
                "this is 2 / (largest + smallest eigenvalue), the BEST constant rate, not the "
                "largest that converges": 2 / (lam.max() + lam.min()),
                "this is 2 / trace(A), the sum of all eigenvalues: only the largest matters": 2
                / np.trace(A),
                "this uses a matrix norm of A (Frobenius), not its largest eigenvalue": 2
                / np.linalg.norm(A),
            },
        )
    # The claim itself, on the first matrix: just below the ceiling converges, just above diverges.
    A = _rotated([0.5, 2.0, 9.0], 0)
    ceiling = 2 / np.linalg.eigvalsh(A).max()
    ends = []
    for lr in (0.98 * ceiling, 1.02 * ceiling):
        theta = np.ones(3)
        for _ in range(400):
            theta = theta - lr * (A @ theta)
        ends.append(np.linalg.norm(theta))
    if not ends[0] < 1e-2 < 1e2 < ends[1]:  # pragma: no cover - a fact of the maths
        raise RuntimeError(f"gradient descent around the ceiling: {ends}")
    return (
        f"gradient descent with 0.98 x your ceiling ends at |theta| = {ends[0]:.1e}, "
        f"with 1.02 x at {ends[1]:.1e}"
    )
