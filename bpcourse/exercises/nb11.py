"""Checks of notebook 11 (backpropagation through time): the carry of dh back through the steps,
the shared weight's gradient summed over time, and the backward of the LSTM's forget gate.

The inputs are adversarial: a batch of 3 against a hidden size of 4, a W_hh that is not
symmetric (a transpose gives other values), states far from zero (tanh' = 1 - h^2 differs from
1, and from 1 - h), gates away from 1/2, so that each typical mistake gives its own value. The
references come from torch autograd on the same forward pass, never from the learner's code or
from bpcourse.nn.
"""

from __future__ import annotations

import numpy as np

from .core import Mistake, expect, register

_L, _N, _H, _I = 5, 3, 4, 2


def _rnn_forward_torch(seed: int):
    """A tanh RNN (no bias) run in torch with every h_t kept: (h as a list, W_ih, W_hh, x)."""
    import torch

    rng = np.random.default_rng(seed)
    w_hh = rng.normal(0, 0.8, (_H, _H))
    w_ih = rng.normal(0, 1.0, (_H, _I))
    x = rng.normal(0, 1.0, (_L, _N, _I))
    h0 = rng.normal(0, 0.5, (_N, _H))
    W_hh = torch.tensor(w_hh, requires_grad=True)
    hs = [torch.tensor(h0, requires_grad=True)]
    for t in range(_L):
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
    import torch

    hs, _, w_hh = _rnn_forward_torch(11)
    h = np.stack([t.detach().numpy() for t in hs[1:]])  # (L, N, H): h_1 ... h_L
    dy = np.random.default_rng(110).normal(size=h.shape)
    sum((t * torch.tensor(dy[i])).sum() for i, t in enumerate(hs[1:])).backward()
    want = np.stack([t.grad.numpy() for t in hs[1:]])
    before = (dy.copy(), h.copy(), w_hh.copy())
    got = ex_bptt_carry(dy, h, w_hh)
    if not all(np.array_equal(a, b) for a, b in zip((dy, h, w_hh), before)):
        raise Mistake("ex_bptt_carry changed an input in place: compute a new array for dh")
    what = f"ex_bptt_carry(dy of shape {dy.shape}, h, W_hh): dL/dh_t for every t"
    got = _array(got, dy.shape, what)

    def carry(step):  # a wrong rule for one step back, run backwards from the last step
        dh = dy.copy()
        for t in reversed(range(_L - 1)):
            dh[t] = dy[t] + step(dh[t + 1], t)
        return dh

    one_step = dy.copy()
    for t in reversed(range(_L - 1)):
        one_step[t] = dy[t] + (dy[t + 1] * (1 - h[t + 1] ** 2)) @ w_hh
    forwards = dy.copy()
    for t in range(1, _L):
        forwards[t] = dy[t] + (forwards[t - 1] * (1 - h[t - 1] ** 2)) @ w_hh
    mistakes = {
        "no gradient carried back: each dh[t] is only dy[t], but h_t also feeds step t+1": dy,
        "multiplied by W_hh.T: a = h[t] @ W_hh.T, so going back multiplies by W_hh "
        "(dh[t] = ... @ W_hh)": carry(lambda d, t: (d * (1 - h[t + 1] ** 2)) @ w_hh.T),
        "left out tanh's derivative (1 - h[t+1]**2) before multiplying by W_hh": carry(
            lambda d, t: d @ w_hh
        ),
        "took tanh's derivative at h[t] instead of h[t+1], the output of the tanh being "
        "differentiated": carry(lambda d, t: (d * (1 - h[t] ** 2)) @ w_hh),
        "used 1 - h instead of 1 - h**2 for tanh's derivative": carry(
            lambda d, t: (d * (1 - h[t + 1])) @ w_hh
        ),
        "carried only dy[t+1] back, not the whole dh[t+1]: the gradient must be carried "
        "through all later steps": one_step,
        "went forwards in time: the carry must start at the last step and go backwards": forwards,
    }
    expect(got, want, what, mistakes=mistakes)
    return "dL/dh_t for all five steps matches torch autograd"


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
    import torch

    hs, W_hh, w_hh = _rnn_forward_torch(12)
    h = np.stack([t.detach().numpy() for t in hs])  # (L + 1, N, H): h_0 ... h_L
    dy = np.random.default_rng(120).normal(size=(_L, _N, _H))
    sum((t * torch.tensor(dy[i])).sum() for i, t in enumerate(hs[1:])).backward()
    want = W_hh.grad.numpy()
    # da[t] = dL/da_t, from autograd's dL/dh_{t+1} and tanh' at h_{t+1}
    da = np.stack([hs[t + 1].grad.numpy() * (1 - h[t + 1] ** 2) for t in range(_L)])
    before = (da.copy(), h.copy())
    got = ex_whh_grad(da, h)
    if not all(np.array_equal(a, b) for a, b in zip((da, h), before)):
        raise Mistake("ex_whh_grad changed an input in place: compute a new array")
    what = f"ex_whh_grad(da of shape {da.shape}, h of shape {h.shape}): dL/dW_hh"
    got = _array(got, (_H, _H), what)
    per_step = np.stack([da[t].T @ h[t] for t in range(_L)])
    mistakes = {
        "kept only the last step's term: W_hh is used at every step, its gradient is the sum "
        "over all steps": per_step[-1],
        "kept only the first step's term: the gradient is the sum over all steps": per_step[0],
        "averaged over time (divided by the number of steps): the uses add up, a sum": (
            per_step.mean(axis=0)
        ),
        "used h[t+1] (the state the step produces) instead of h[t] (the state going in)": sum(
            da[t].T @ h[t + 1] for t in range(_L)
        ),
        "transposed: W_hh has shape (H_out, H_in), its gradient is da.T @ h, not h.T @ da": sum(
            h[t].T @ da[t] for t in range(_L)
        ),
        "averaged over the batch: the loss here is a sum, do not divide by N": per_step.sum(0) / _N,
    }
    expect(got, want, what, mistakes=mistakes)
    return "the sum over the five steps matches torch autograd's W_hh.grad"


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
    import torch

    rng = np.random.default_rng(13)
    a = torch.tensor(rng.normal(0.5, 1.5, (_N, 4 * _H)), requires_grad=True)
    c_prev_t = torch.tensor(rng.normal(0, 1.5, (_N, _H)))
    H = _H
    i, f = torch.sigmoid(a[:, :H]), torch.sigmoid(a[:, H : 2 * H])
    g, o = torch.tanh(a[:, 2 * H : 3 * H]), torch.sigmoid(a[:, 3 * H :])
    c_t = f * c_prev_t + i * g
    h_t = o * torch.tanh(c_t)
    dh, dc = rng.normal(size=(_N, _H)), rng.normal(size=(_N, _H))
    ((h_t * torch.tensor(dh)).sum() + (c_t * torch.tensor(dc)).sum()).backward()
    want = a.grad.numpy()[:, H : 2 * H]
    o_, f_ = o.detach().numpy(), f.detach().numpy()
    c, c_prev = c_t.detach().numpy(), c_prev_t.numpy()
    args = (dh, dc, o_, f_, c_prev, c)
    before = tuple(v.copy() for v in args)
    got = ex_forget_gate_grad(*args)
    if not all(np.array_equal(v, b) for v, b in zip(args, before)):
        raise Mistake("ex_forget_gate_grad changed an input in place: compute a new array")
    what = "ex_forget_gate_grad(dh, dc, o, f, c_prev, c): dL/da_f"
    got = _array(got, (_N, _H), what)
    dct = dc + dh * o_ * (1 - np.tanh(c) ** 2)
    mistakes = {
        "left out the path through h_t = o * tanh(c_t): the cell's gradient is dc + "
        "dh * o * (1 - tanh(c)**2)": dc * c_prev * f_ * (1 - f_),
        "used 1 - c**2 for the derivative of tanh(c): it is 1 - tanh(c)**2": (
            dc + dh * o_ * (1 - c**2)
        )
        * c_prev
        * f_
        * (1 - f_),
        "left out the sigmoid's derivative f * (1 - f): this is dL/df, not dL/da_f": dct * c_prev,
        "multiplied by c (the new cell) instead of c_prev: d(f * c_prev)/df = c_prev": (
            dct * c * f_ * (1 - f_)
        ),
        "used tanh's derivative 1 - f**2 for the gate: f = sigmoid(a_f), whose derivative is "
        "f * (1 - f)": dct * c_prev * (1 - f_**2),
        "left out o in the path through h_t: h_t = o * tanh(c_t)": (dc + dh * (1 - np.tanh(c) ** 2))
        * c_prev
        * f_
        * (1 - f_),
    }
    expect(got, want, what, mistakes=mistakes)
    return "dL/da_f matches torch autograd, both paths into the cell included"
