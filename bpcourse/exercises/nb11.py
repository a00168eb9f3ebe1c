"""Checks of notebook 11 (backpropagation through time): the carry of dh back through the steps,
the shared weight's gradient summed over time, and the backward of the LSTM's forget gate.

The inputs are adversarial: a batch of 3 against a hidden size of 4, a W_hh that is not
symmetric (a transpose gives other values), states far from zero (tanh' = 1 - h^2 differs from
1, and from 1 - h), gates away from 1/2, so that each typical mistake gives its own value. Each
check then runs a second time on other sizes (7 steps, a batch of 2, H = 3 or 5): an answer
that hard-codes the first call's sizes, or reads the notebook's global L, fails there. The
references come from torch autograd on the same forward pass, never from the learner's code or
from bpcourse.nn.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .core import Mistake, expect, register

_L, _N, _H, _I = 5, 3, 4, 2
_SIZES = ((_L, _N, _H), (7, 2, 3))  # (steps, batch, hidden): the adversarial call, then others
_FIXED_STEPS = (5, 6)  # the notebook's global L before the exercises (sections 1 and 2)


def _rnn_forward_torch(seed: int, L: int, N: int, H: int):
    """A tanh RNN (no bias) run in torch with every h_t kept: (h as a list, W_hh, w_hh)."""
    import torch

    rng = np.random.default_rng(seed)
    w_hh = rng.normal(0, 0.8, (H, H))
    w_ih = rng.normal(0, 1.0, (H, _I))
    x = rng.normal(0, 1.0, (L, N, _I))
    h0 = rng.normal(0, 0.5, (N, H))
    W_hh = torch.tensor(w_hh, requires_grad=True)
    hs = [torch.tensor(h0, requires_grad=True)]
    for t in range(L):
        hs.append(torch.tanh(torch.tensor(x[t]) @ torch.tensor(w_ih).T + hs[-1] @ W_hh.T))
        hs[-1].retain_grad()
    return hs, W_hh, w_hh


def _array(got: object, shape: tuple[int, ...], what: str) -> np.ndarray:
    if not isinstance(got, np.ndarray):
        raise Mistake(
            f"{what} returned {type(got).__name__}, expected a numpy array of shape {shape}"
        )
    if got.shape != shape:
        raise Mistake(f"{what} has shape {got.shape}, expected {shape}")
    return got


def _call(fn: Callable, name: str, args: tuple[np.ndarray, ...]) -> object:
    """fn(*args), with a Mistake if it changed any of the arrays it was given."""
    before = tuple(a.copy() for a in args)
    got = fn(*args)
    if not all(np.array_equal(a, b) for a, b in zip(args, before)):
        raise Mistake(f"{name} changed an input in place: compute a new array")
    return got


# --- exercise 1: the carry of dh back through time ----------------------------------------------
@register(
    "ex_bptt_carry",
    hints=(
        "h_t is used twice: by the loss at step t (dy[t]) and by step t+1, which computes h_{t+1} "
        "from it. Its gradient is the sum of what comes back along both uses. In which order must "
        "the steps be visited so that step t+1's share is known when you need it?",
        "Go backwards: dh[L-1] = dy[L-1]; for t = L-2 ... 0, step t+1 computed "
        "h[t+1] = tanh(a), a = ... + h[t] @ W_hh.T; back through tanh (its derivative in terms of "
        "its output h[t+1]) and through the product with W_hh.T.",
        "dh = dy.copy(); for t in reversed(range(L - 1)): "
        "dh[t] = dy[t] + (dh[t + 1] * (1 - h[t + 1] ** 2)) @ W_hh",
    ),
)
def check_ex_bptt_carry(ex_bptt_carry):
    for k, (L, N, H) in enumerate(_SIZES):
        _check_carry(ex_bptt_carry, L, N, H, seed=11 + 100 * k, first=k == 0)
    return "dL/dh_t matches torch autograd, for 5 steps and for 7"


def _check_carry(ex_bptt_carry, L: int, N: int, H: int, seed: int, first: bool) -> None:
    import torch

    hs, _, w_hh = _rnn_forward_torch(seed, L, N, H)
    h = np.stack([t.detach().numpy() for t in hs[1:]])  # (L, N, H): h_1 ... h_L
    dy = np.random.default_rng(seed + 99).normal(size=h.shape)
    sum((t * torch.tensor(dy[i])).sum() for i, t in enumerate(hs[1:])).backward()
    want = np.stack([t.grad.numpy() for t in hs[1:]])
    got = _call(ex_bptt_carry, "ex_bptt_carry", (dy, h, w_hh))
    what = f"ex_bptt_carry(dy of shape {dy.shape}, h, W_hh): dL/dh_t for every t"
    got = _array(got, dy.shape, what)

    def carry(step, own=dy, steps=L, last=dy[-1]):  # a wrong rule, run backwards
        dh = dy.copy()
        dh[-1] = last
        for t in reversed(range(steps - 1)):
            dh[t] = own[t] + step(dh[t + 1], t)
        return dh

    right = lambda d, t: (d * (1 - h[t + 1] ** 2)) @ w_hh  # noqa: E731
    one_step = dy.copy()
    for t in reversed(range(L - 1)):
        one_step[t] = dy[t] + (dy[t + 1] * (1 - h[t + 1] ** 2)) @ w_hh
    forwards = dy.copy()
    for t in range(1, L):
        forwards[t] = dy[t] + (forwards[t - 1] * (1 - h[t - 1] ** 2)) @ w_hh
    skip_first = carry(right)
    skip_first[0] = dy[0]
    added_up = dy.copy()  # a running carry that adds to the previous one: carry += ...
    carry_sum = np.zeros_like(dy[0])
    for t in reversed(range(L)):
        added_up[t] = dy[t] + carry_sum
        carry_sum = carry_sum + (added_up[t] * (1 - h[t] ** 2)) @ w_hh
    mistakes = {
        "no gradient carried back: each dh[t] is only dy[t], but h_t also feeds step t+1": dy,
        "multiplied by W_hh.T: a = h[t] @ W_hh.T, so going back multiplies by W_hh "
        "(dh[t] = ... @ W_hh)": carry(lambda d, t: (d * (1 - h[t + 1] ** 2)) @ w_hh.T),
        "left out tanh's derivative (1 - h[t+1]**2) before multiplying by W_hh": carry(
            lambda d, t: d @ w_hh
        ),
        "took tanh's derivative at h[t] instead of h[t+1]: the tanh is differentiated at its "
        "own output, the state the step produced, not at the state going into it": carry(
            lambda d, t: (d * (1 - h[t] ** 2)) @ w_hh
        ),
        "used 1 - h instead of 1 - h**2 for tanh's derivative": carry(
            lambda d, t: (d * (1 - h[t + 1])) @ w_hh
        ),
        "used (1 - h)**2 for tanh's derivative: it is 1 - h**2, the square on h alone": carry(
            lambda d, t: (d * (1 - h[t + 1]) ** 2) @ w_hh
        ),
        "used 1 - tanh(h)**2: h is already tanh's output, so tanh's derivative is 1 - h**2": (
            carry(lambda d, t: (d * (1 - np.tanh(h[t + 1]) ** 2)) @ w_hh)
        ),
        "multiplied by tanh's derivative after the product with W_hh: the derivative "
        "(1 - h[t+1]**2) comes first, (dh[t+1] * (1 - h[t+1]**2)) @ W_hh": carry(
            lambda d, t: (d @ w_hh) * (1 - h[t + 1] ** 2)
        ),
        "multiplied by (1 - h[t]**2) after the product with W_hh: that is the derivative of "
        "step t's tanh, but the carry goes back through step t+1's, (1 - h[t+1]**2) before "
        "@ W_hh": carry(lambda d, t: (d @ w_hh) * (1 - h[t] ** 2)),
        "left out dy[t], the loss's own share at step t: dh[t] = dy[t] + what step t+1 carries "
        "back": carry(right, own=np.zeros_like(dy)),
        "dh[L-1] is zero: the last state gets the loss's own share dy[L-1] (nothing comes "
        "after it)": carry(right, last=np.zeros_like(dy[-1])),
        "the loop stops before t = 0: dh[0] got no carry (range(L - 2, 0, -1) ends at 1; "
        "reversed(range(L - 1)) reaches 0)": skip_first,
        "returned dh * (1 - h**2), the gradient of the pre-activations: the exercise asks for "
        "dh, the gradient of the states h_t": carry(right) * (1 - h**2),
        "the carry was added up (carry += ...): each step's carry replaces the previous one "
        "(carry = ...), since dh[t] already holds everything from later steps": added_up,
        "carried only dy[t+1] back, not the whole dh[t+1]: the gradient must be carried "
        "through all later steps": one_step,
        "went forwards in time: the carry must start at the last step and go backwards": forwards,
    }
    if not first:
        for steps in _FIXED_STEPS:
            mistakes[
                f"a fixed number of steps ({steps}, the notebook's global L?): this call has "
                f"{L} steps, take the number from the input, len(dy)"
            ] = carry(right, steps=steps)
    expect(got, want, what, mistakes=mistakes)


# --- exercise 2: the shared weight's gradient is a sum over time ------------------------------
@register(
    "ex_whh_grad",
    hints=(
        "W_hh is used once at every step. How do the gradients of several uses of one weight "
        "combine (notebook 01's paths)?",
        "At step t, a_t = ... + h[t] @ W_hh.T with h[t] the state before the step (h has L+1 "
        "entries, h[0] the initial state). One step's share is like a Linear layer's weight "
        "gradient: da[t].T @ (its input).",
        "return sum(da[t].T @ h[t] for t in range(len(da)))   # h[t], the state going in",
    ),
)
def check_ex_whh_grad(ex_whh_grad):
    for k, (L, N, H) in enumerate(_SIZES):
        _check_whh(ex_whh_grad, L, N, H, seed=12 + 100 * k, first=k == 0)
    return "the sum over the steps matches torch autograd's W_hh.grad, for 5 steps and for 7"


def _check_whh(ex_whh_grad, L: int, N: int, H: int, seed: int, first: bool) -> None:
    import torch

    hs, W_hh, _ = _rnn_forward_torch(seed, L, N, H)
    h = np.stack([t.detach().numpy() for t in hs])  # (L + 1, N, H): h_0 ... h_L
    dy = np.random.default_rng(seed + 108).normal(size=(L, N, H))
    sum((t * torch.tensor(dy[i])).sum() for i, t in enumerate(hs[1:])).backward()
    want = W_hh.grad.numpy()
    # da[t] = dL/da_t, from autograd's dL/dh_{t+1} and tanh' at h_{t+1}
    da = np.stack([hs[t + 1].grad.numpy() * (1 - h[t + 1] ** 2) for t in range(L)])
    got = _call(ex_whh_grad, "ex_whh_grad", (da, h))
    what = f"ex_whh_grad(da of shape {da.shape}, h of shape {h.shape}): dL/dW_hh"
    got = _array(got, (H, H), what)
    per_step = np.stack([da[t].T @ h[t] for t in range(L)])
    mistakes = {
        "kept only the last step's term: W_hh is used at every step, its gradient is the sum "
        "over all steps": per_step[-1],
        "kept only the first step's term: the gradient is the sum over all steps": per_step[0],
        "left out step 0's term (its input is h[0], the initial state): the sum runs over "
        "every step, t = 0 ... L-1": per_step[1:].sum(0),
        "left out the last step's term: the sum runs over t = 0 ... L-1, all len(da) steps": (
            per_step[:-1].sum(0)
        ),
        "averaged over time (divided by the number of steps): the uses add up, a sum": (
            per_step.mean(axis=0)
        ),
        "averaged over time and batch: the loss here is a sum, the uses add up": (
            per_step.sum(0) / (L * N)
        ),
        "used h[t+1] (the state the step produces) instead of h[t] (the state going in)": sum(
            da[t].T @ h[t + 1] for t in range(L)
        ),
        "used h[t-1]: step t's input is h[t], the state going in (h[0] is the initial state)": sum(
            da[t].T @ h[t - 1] for t in range(L)
        ),
        "transposed: W_hh has shape (H_out, H_in), its gradient is da.T @ h, not h.T @ da": sum(
            h[t].T @ da[t] for t in range(L)
        ),
        "averaged over the batch: the loss here is a sum, do not divide by N": per_step.sum(0) / N,
        "summed da and h over time before multiplying: the gradient is the sum of the "
        "per-step products, sum_t da[t].T @ h[t]": da.sum(0).T @ h[:-1].sum(0),
        "multiplied by tanh's derivative again: da is already the gradient of the "
        "pre-activation a_t, past the tanh": sum(
            (da[t] * (1 - h[t + 1] ** 2)).T @ h[t] for t in range(L)
        ),
    }
    if not first:
        for steps in _FIXED_STEPS:
            mistakes[
                f"a fixed number of steps ({steps}, the notebook's global L?): this call has "
                f"{L} steps, take the number from the input, len(da)"
            ] = per_step[:steps].sum(0)
    expect(got, want, what, mistakes=mistakes)


# --- exercise 3: one LSTM gate's backward ---------------------------------------------------
@register(
    "ex_forget_gate_grad",
    hints=(
        "c_t = f * c_prev + i * g and h_t = o * tanh(c_t): the cell c_t reaches the loss along "
        "two paths. First collect its whole gradient, then go back into the gate.",
        "The gradient reaching c_t is dc (from step t+1) plus dh * o * tanh'(c_t), with "
        "tanh'(c) = 1 - tanh(c)**2. Then d(c_t)/df = c_prev, and f = sigmoid(a_f).",
        "dct = dc + dh * o * (1 - np.tanh(c) ** 2); return dct * c_prev * f * (1 - f)",
    ),
)
def check_ex_forget_gate_grad(ex_forget_gate_grad):
    for k, (N, H) in enumerate(((_N, _H), (2, 5))):
        _check_forget(ex_forget_gate_grad, N, H, seed=13 + 100 * k)
    return "dL/da_f matches torch autograd, both paths into the cell included"


def _check_forget(ex_forget_gate_grad, N: int, H: int, seed: int) -> None:
    import torch

    rng = np.random.default_rng(seed)
    a = torch.tensor(rng.normal(0.5, 1.5, (N, 4 * H)), requires_grad=True)
    c_prev_t = torch.tensor(rng.normal(0, 1.5, (N, H)))
    i, f = torch.sigmoid(a[:, :H]), torch.sigmoid(a[:, H : 2 * H])
    g, o = torch.tanh(a[:, 2 * H : 3 * H]), torch.sigmoid(a[:, 3 * H :])
    c_t = f * c_prev_t + i * g
    h_t = o * torch.tanh(c_t)
    dh, dc = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    ((h_t * torch.tensor(dh)).sum() + (c_t * torch.tensor(dc)).sum()).backward()
    want = a.grad.numpy()[:, H : 2 * H]
    o_, f_ = o.detach().numpy(), f.detach().numpy()
    c, c_prev = c_t.detach().numpy(), c_prev_t.numpy()
    got = _call(ex_forget_gate_grad, "ex_forget_gate_grad", (dh, dc, o_, f_, c_prev, c))
    what = f"ex_forget_gate_grad(dh, dc, o, f, c_prev, c of shape {(N, H)}): dL/da_f"
    got = _array(got, (N, H), what)
    sig = f_ * (1 - f_)
    tanh_d = 1 - np.tanh(c) ** 2
    dct = dc + dh * o_ * tanh_d

    def s(x):
        return 1 / (1 + np.exp(-x))

    mistakes = {
        "left out the path through h_t = o * tanh(c_t): the cell's gradient is dc + "
        "dh * o * (1 - tanh(c)**2)": dc * c_prev * sig,
        "left out dc, the gradient reaching c_t from the next step: the cell's gradient is "
        "dc + dh * o * (1 - tanh(c)**2)": dh * o_ * tanh_d * c_prev * sig,
        "multiplied the two paths into c_t: their gradients add, dc + dh * o * (1 - tanh(c)**2)": (
            dc * dh * o_ * tanh_d * c_prev * sig
        ),
        "used 1 - c**2 for the derivative of tanh(c): it is 1 - tanh(c)**2": (
            dc + dh * o_ * (1 - c**2)
        )
        * c_prev
        * sig,
        "used tanh(c)**2 for the derivative of tanh(c): it is 1 - tanh(c)**2": (
            dc + dh * o_ * np.tanh(c) ** 2
        )
        * c_prev
        * sig,
        "multiplied by tanh(c), which is dh_t/do: through c the path needs tanh's derivative, "
        "dh * o * (1 - tanh(c)**2)": (dc + dh * o_ * np.tanh(c)) * c_prev * sig,
        "left out tanh's derivative on the path through h_t: dh * o * (1 - tanh(c)**2)": (
            dc + dh * o_
        )
        * c_prev
        * sig,
        "took tanh's derivative at c_prev: h_t = o * tanh(c_t), so it is 1 - tanh(c)**2 with "
        "the new cell c": (dc + dh * o_ * (1 - np.tanh(c_prev) ** 2)) * c_prev * sig,
        "left out the sigmoid's derivative f * (1 - f): this is dL/df, not dL/da_f": dct * c_prev,
        "applied sigmoid to f again: f is already sigmoid(a_f), so the derivative is "
        "f * (1 - f) with f itself": dct * c_prev * s(f_) * (1 - s(f_)),
        "multiplied by f alone: the sigmoid's derivative is f * (1 - f)": dct * c_prev * f_,
        "multiplied by (1 - f) alone: the sigmoid's derivative is f * (1 - f)": (
            dct * c_prev * (1 - f_)
        ),
        "multiplied by c (the new cell) instead of c_prev: d(f * c_prev)/df = c_prev": (
            dct * c * sig
        ),
        "returned dct * f, the gradient carried to c_prev: the gate's gradient multiplies by "
        "c_prev and the sigmoid's derivative instead": dct * f_,
        "used tanh's derivative 1 - f**2 for the gate: f = sigmoid(a_f), whose derivative is "
        "f * (1 - f)": dct * c_prev * (1 - f_**2),
        "left out o in the path through h_t: h_t = o * tanh(c_t)": (dc + dh * tanh_d)
        * c_prev
        * sig,
        "multiplied by o's sigmoid derivative o * (1 - o): o is a factor of h_t = o * tanh(c), "
        "not differentiated on this path": (dc + dh * o_ * (1 - o_) * tanh_d) * c_prev * sig,
    }
    expect(got, want, what, mistakes=mistakes)
