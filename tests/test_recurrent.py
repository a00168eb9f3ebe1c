"""RNN and LSTM against torch.nn.RNN / torch.nn.LSTM with the same weights (copied by to_torch):
outputs, final states, and the hand-written backward through time for every weight, the input
and the initial states, in full and truncated (torch with detach() at the same steps)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import Accepts, Raises, assert_same, bad_input_tests
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import nn
from bpcourse.check import to_torch

T = torch.float64
NUMPY_HINT = r"must be a numpy array, got a torch\.Tensor .*\.detach\(\)\.numpy\(\)"


def tt(a, grad=False):
    return torch.tensor(np.asarray(a), dtype=T, requires_grad=grad)


def draw_case(seed, kind, L, N, I, H, batch_first, bias, states, final_grads):
    """The layer, its torch twin and random data: x, initial states, output and state grads."""
    rng = np.random.default_rng(seed)
    cls = nn.LSTM if kind == "lstm" else nn.RNN
    ours = cls(I, H, bias=bias, batch_first=batch_first, rng=seed)
    theirs = to_torch(ours)
    x = rng.normal(size=(N, L, I) if batch_first else (L, N, I))
    n_states = 2 if kind == "lstm" else 1
    s0 = [rng.normal(size=(1, N, H)) if states else None for _ in range(n_states)]
    gy = rng.normal(size=(N, L, H) if batch_first else (L, N, H))
    gs = [rng.normal(size=(1, N, H)) if final_grads else None for _ in range(n_states)]
    return ours, theirs, x, s0, gy, gs


def run_ours(ours, x, s0, gy, gs, truncate=None):
    if isinstance(ours, nn.LSTM):
        y, (h_n, c_n) = ours(x, None if s0[0] is None else (s0[0], s0[1]))
        dx, (dh0, dc0) = ours.backward(gy, gs[0], gs[1], truncate=truncate)
        return y, [h_n, c_n], dx, [dh0, dc0]
    y, h_n = ours(x, s0[0])
    dx, dh0 = ours.backward(gy, gs[0], truncate=truncate)
    return y, [h_n], dx, [dh0]


def run_torch(theirs, x, s0, gy, gs, truncate=None):
    """torch, full or truncated: the sequence in chunks of ``truncate`` steps, the state
    detached between chunks (the same as h.detach() before steps k, 2k, ...)."""
    lstm = isinstance(theirs, torch.nn.LSTM)
    xt = tt(x, grad=True)
    axis = 1 if theirs.batch_first else 0
    # ours with no initial state starts from zeros and still returns their gradient: torch
    # gives it for zeros passed explicitly
    zeros = np.zeros((1, x.shape[1 - axis], theirs.hidden_size))
    s0t = [tt(zeros if s is None else s, grad=True) for s in s0]
    state = (s0t[0], s0t[1]) if lstm else s0t[0]
    L = x.shape[axis]
    k = truncate or L
    outs = []
    for start in range(0, L, k):
        if start > 0:
            state = tuple(s.detach() for s in state) if lstm else state.detach()
        out, state = theirs(xt.narrow(axis, start, min(k, L - start)), state)
        outs.append(out)
    y = torch.cat(outs, dim=axis)
    finals = list(state) if lstm else [state]
    loss = (y * tt(gy)).sum()
    for s, g in zip(finals, gs):
        if g is not None:
            loss = loss + (s * tt(g)).sum()
    loss.backward()
    grads0 = [zeros if s.grad is None else s.grad.numpy() for s in s0t]
    return y, finals, xt.grad, grads0


def compare(ours, theirs, got, want):
    y, finals, dx, ds0 = got
    y_t, finals_t, dx_t, ds0_t = want
    assert_same(y, y_t)
    for a, b in zip(finals, finals_t):
        assert_same(a, b)
    assert_same(dx, dx_t)
    for a, b in zip(ds0, ds0_t):
        assert_same(a, b)
    theirs_params = dict(theirs.named_parameters())
    names = [n for n, _ in ours.named_parameters()]
    assert names == list(theirs_params), (names, list(theirs_params))
    for name, p in ours.named_parameters():
        assert_same(p.grad, theirs_params[name].grad)


sizes = dict(
    L=st.integers(1, 7),
    N=st.integers(1, 4),
    I=st.integers(1, 5),
    H=st.integers(1, 5),
    batch_first=st.booleans(),
    bias=st.booleans(),
    states=st.booleans(),
    final_grads=st.booleans(),
    seed=st.integers(0, 2**16),
)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
@settings(max_examples=20)
@given(**sizes)
def test_forward_and_backward_through_time_match_torch(kind, **kw):
    ours, theirs, x, s0, gy, gs = draw_case(kind=kind, **kw)
    compare(ours, theirs, run_ours(ours, x, s0, gy, gs), run_torch(theirs, x, s0, gy, gs))


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
@settings(max_examples=15)
@given(k=st.integers(1, 4), **{**sizes, "L": st.integers(2, 9)})
def test_truncated_backward_matches_torch_with_detach(kind, k, **kw):
    ours, theirs, x, s0, gy, gs = draw_case(kind=kind, **kw)
    got = run_ours(ours, x, s0, gy, gs, truncate=k)
    compare(ours, theirs, got, run_torch(theirs, x, s0, gy, gs, truncate=k))


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
@settings(max_examples=10)
@given(k=st.integers(1, 4), L=st.integers(2, 9), seed=st.integers(0, 2**16))
def test_chunks_with_the_carried_state_as_data_match_torch_detach(kind, k, L, seed):
    """Truncated BPTT the usual way: forward and backward chunk by chunk, the last state of one
    chunk given to the next as a plain array; the weight gradients add up over the chunks."""
    ours, theirs, x, s0, gy, gs = draw_case(seed, kind, L, 3, 2, 4, False, True, True, False)
    state = (s0[0], s0[1]) if kind == "lstm" else s0[0]
    ys = []
    for start in range(0, L, k):
        y, state = ours(x[start : start + k], state)
        ours.backward(gy[start : start + k])
        ys.append(y)
    want = run_torch(theirs, x, s0, gy, gs, truncate=k)
    assert_same(np.concatenate(ys), want[0])
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_same(p.grad, theirs_params[name].grad)


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM])
def test_float32_matches_torch_float32(cls):
    ours = cls(3, 4, dtype=np.float32, rng=0)
    theirs = to_torch(ours)
    x = np.random.default_rng(1).normal(size=(5, 2, 3)).astype(np.float32)
    y, state = ours(x)
    dx, dstate = ours.backward(np.ones_like(y))
    states = state if cls is nn.LSTM else (state,)  # (h_n, c_n) or h_n
    dstates = dstate if cls is nn.LSTM else (dstate,)
    assert {a.dtype for a in (y, dx, *states, *dstates)} == {np.dtype(np.float32)}
    assert {p.grad.dtype for p in ours.parameters()} == {np.dtype(np.float32)}
    xt = torch.tensor(x, requires_grad=True)
    theirs(xt)[0].sum().backward()
    assert_same(y, theirs(xt)[0], rtol=1e-5, atol=1e-6)
    assert_same(dx, xt.grad, rtol=1e-5, atol=1e-6)
    for name, p in ours.named_parameters():
        assert_same(p.grad, dict(theirs.named_parameters())[name].grad, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM])
def test_float32_layer_takes_float64_inputs_states_and_gradients_in_float32(cls):
    ours = cls(3, 4, dtype=np.float32, rng=0)
    x, h0 = np.ones((5, 2, 3)), np.zeros((1, 2, 4))  # float64
    y, state = ours(x, (h0, h0) if cls is nn.LSTM else h0)
    dx, _ = ours.backward(np.ones(y.shape))
    assert y.dtype == dx.dtype == np.float32
    assert {p.grad.dtype for p in ours.parameters()} == {np.dtype(np.float32)}


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM])
def test_defaults_as_torch_bias_and_time_first(cls):
    m = cls(3, 4, rng=0)
    assert m.batch_first is False
    assert [n for n, _ in m.named_parameters()] == [
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"
    ]  # fmt: skip


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM])
def test_parameters_have_torchs_names_layouts_and_init_range(cls):
    m = cls(3, 5, rng=0)
    G = 4 if cls is nn.LSTM else 1
    shapes = {n: p.shape for n, p in m.named_parameters()}
    assert shapes == {
        "weight_ih_l0": (G * 5, 3),
        "weight_hh_l0": (G * 5, 5),
        "bias_ih_l0": (G * 5,),
        "bias_hh_l0": (G * 5,),
    }
    t = getattr(torch.nn, cls.__name__)(3, 5, dtype=T)
    assert [n for n, _ in t.named_parameters()] == list(shapes)
    for p in m.parameters():  # U(-1/sqrt(5), 1/sqrt(5)), and not a constant
        assert np.abs(p.data).max() <= 5**-0.5 and p.data.std() > 0.1
    assert [n for n, _ in cls(3, 5, bias=False).named_parameters()] == [
        "weight_ih_l0",
        "weight_hh_l0",
    ]


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM])
def test_two_backward_passes_accumulate_and_backward_needs_forward(cls):
    m = cls(2, 3, rng=0)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        m.backward(np.ones((4, 1, 3)))
    x = np.random.default_rng(0).normal(size=(4, 1, 2))
    y = m(x)[0]
    m.backward(np.ones_like(y))
    once = [p.grad.copy() for p in m.parameters()]
    m.backward(np.ones_like(y))
    for p, g in zip(m.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-12)
        assert np.abs(g).max() > 0


def test_repr_names_the_class_sizes_bias_and_layout():
    assert repr(nn.RNN(3, 4)) == "RNN(3, 4, bias=True, batch_first=False)"
    assert repr(nn.LSTM(3, 4, bias=False, batch_first=True)) == (
        "LSTM(3, 4, bias=False, batch_first=True)"
    )


def test_the_inputs_are_not_changed():
    m = nn.LSTM(2, 3, batch_first=True, rng=0)
    x = np.random.default_rng(0).normal(size=(2, 4, 2))
    h0 = np.ones((1, 2, 3))
    x_copy, h0_copy = x.copy(), h0.copy()
    y, _ = m(x, (h0, h0))
    m.backward(np.ones_like(y))
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(h0, h0_copy)


# --- bad inputs: one clear error, and legitimate unusual inputs give torch's result ----------
X = np.arange(12.0).reshape(3, 2, 2) / 10  # (L=3, N=2, I=2)


def fresh(cls, **kw):
    return cls(2, 4, rng=0, **kw)


def torch_output(cls_name, x, state=None):
    def ref():
        t = to_torch(fresh(getattr(nn, cls_name)))
        return t(tt(x), state)[0].detach().numpy()

    return ref


def _rnn_backward(g):
    rnn = nn.RNN(3, 4, rng=0)
    rnn(np.ones((2, 1, 3)))
    return rnn.backward(g)


RAISES = [
    Raises(
        "RNN h0 a string",
        lambda: nn.RNN(3, 4, rng=0)(np.ones((2, 1, 3)), "a"),
        exc=TypeError,
        match=r"^h0 must be an array of numbers, got str 'a'$",
    ),
    Raises(
        "RNN grad_output a string",
        _rnn_backward,
        ("a",),
        exc=TypeError,
        match=r"^grad_output must be an array of numbers, got str 'a'$",
    ),
    Raises("RNN(0, 4)", nn.RNN, (0, 4), match=r"^input_size must be at least 1, got 0"),
    Raises(
        "RNN(2, 4.0)", nn.RNN, (2, 4.0), exc=TypeError, match=r"^hidden_size must be an int, got"
    ),
    Raises("LSTM(2, 0)", nn.LSTM, (2, 0), match=r"^hidden_size must be at least 1, got 0"),
    Raises(
        "RNN(batch_first=1)",
        nn.RNN,
        (2, 4),
        {"batch_first": 1},
        exc=TypeError,
        match=r"^batch_first must be True or False, got 1",
    ),
    Raises(
        "RNN(bias='yes')",
        nn.RNN,
        (2, 4),
        {"bias": "yes"},
        exc=TypeError,
        match=r"^bias must be True or False, got 'yes'",
    ),
    Raises(
        "RNN(rng='0')",
        nn.RNN,
        (2, 4),
        {"rng": "0"},
        exc=TypeError,
        match=r"^rng must be a np\.random\.Generator, an int seed or None, got str '0'",
    ),
    Raises(
        "rnn(x) with 3 features for input_size 2",
        lambda: fresh(nn.RNN)(np.zeros((3, 2, 3))),
        match=r"^x must have shape \(L, N, input_size=2\), got an array of shape \(3, 2, 3\)",
    ),
    Raises(
        "lstm(x) batch_first with 5 features for input_size 2",
        lambda: fresh(nn.LSTM, batch_first=True)(np.zeros((2, 3, 5))),
        match=r"^x must have shape \(N, L, input_size=2\), got an array of shape \(2, 3, 5\)",
    ),
    Raises(
        "rnn(x) 2-D",
        lambda: fresh(nn.RNN)(np.zeros((3, 2))),
        match=r"^x must be 3-D, got an array of shape \(3, 2\)",
    ),
    Raises(
        "rnn(torch x)",
        lambda: fresh(nn.RNN)(torch.zeros(3, 2, 2)),
        exc=TypeError,
        match=NUMPY_HINT,
    ),
    Raises(
        "rnn(x, h0 of shape (N, H))",
        lambda: fresh(nn.RNN)(X, np.zeros((2, 4))),
        match=r"^h0 must have shape \(num_layers=1, N=2, hidden_size=4\), "
        r"got an array of shape \(2, 4\)",
    ),
    Raises(
        "rnn(x, h0 with the wrong batch)",
        lambda: fresh(nn.RNN)(X, np.zeros((1, 3, 4))),
        match=r"^h0 must have shape \(num_layers=1, N=2, hidden_size=4\), "
        r"got an array of shape \(1, 3, 4\)",
    ),
    Raises(
        "lstm(x, h0) without c0",
        lambda: fresh(nn.LSTM)(X, np.zeros((1, 2, 4))),
        exc=TypeError,
        match=r"^hx must be a tuple \(h0, c0\) or None, got ndarray",
    ),
    Raises(
        "lstm(x, (h0, c0, None))",
        lambda: fresh(nn.LSTM)(X, (np.zeros((1, 2, 4)), np.zeros((1, 2, 4)), None)),
        exc=TypeError,
        match=r"^hx must be a tuple \(h0, c0\) or None, got a tuple of 3$",
    ),
    Raises(
        "lstm(x, (h0 with the wrong batch, c0))",
        lambda: fresh(nn.LSTM)(X, (np.zeros((1, 3, 4)), np.zeros((1, 2, 4)))),
        match=r"^h0 must have shape \(num_layers=1, N=2, hidden_size=4\), "
        r"got an array of shape \(1, 3, 4\)",
    ),
    Raises(
        "lstm(x, (h0, c0 of the wrong size))",
        lambda: fresh(nn.LSTM)(X, (np.zeros((1, 2, 4)), np.zeros((1, 2, 3)))),
        match=r"^c0 must have shape \(num_layers=1, N=2, hidden_size=4\), "
        r"got an array of shape \(1, 2, 3\)",
    ),
    Raises(
        "rnn.backward(grad_output of the input's shape)",
        lambda: (lambda m: (m(X), m.backward(np.zeros((3, 2, 2)))))(fresh(nn.RNN)),
        match=r"^grad_output must have shape \(L=3, N=2, hidden_size=4\), "
        r"got an array of shape \(3, 2, 2\)",
    ),
    Raises(
        "lstm.backward batch_first (grad_output in the (L, N, H) layout)",
        lambda: (lambda m: (m(X.transpose(1, 0, 2)), m.backward(np.zeros((3, 2, 4)))))(
            fresh(nn.LSTM, batch_first=True)
        ),
        match=r"^grad_output must have shape \(N=2, L=3, hidden_size=4\), "
        r"got an array of shape \(3, 2, 4\)",
    ),
    Raises(
        "rnn.backward(grad_h_n of shape (N, H))",
        lambda: (lambda m: (m(X), m.backward(np.zeros((3, 2, 4)), np.zeros((2, 4)))))(
            fresh(nn.RNN)
        ),
        match=r"^grad_h_n must have shape \(num_layers=1, N=2, hidden_size=4\), "
        r"got an array of shape \(2, 4\)",
    ),
    Raises(
        "lstm.backward(grad_h_n of the wrong size)",
        lambda: (lambda m: (m(X), m.backward(np.zeros((3, 2, 4)), np.zeros((1, 2, 3)))))(
            fresh(nn.LSTM)
        ),
        match=r"^grad_h_n must have shape \(num_layers=1, N=2, hidden_size=4\), "
        r"got an array of shape \(1, 2, 3\)",
    ),
    Raises(
        "lstm.backward(grad_c_n of shape (N, H))",
        lambda: (lambda m: (m(X), m.backward(np.zeros((3, 2, 4)), None, np.zeros((2, 4)))))(
            fresh(nn.LSTM)
        ),
        match=r"^grad_c_n must have shape \(num_layers=1, N=2, hidden_size=4\)",
    ),
    Raises(
        "rnn.backward(truncate=0)",
        lambda: (lambda m: (m(X), m.backward(np.zeros((3, 2, 4)), truncate=0)))(fresh(nn.RNN)),
        match=r"^truncate must be at least 1 \(or None\), got 0",
    ),
    Raises(
        "rnn.backward(truncate=2.0)",
        lambda: (lambda m: (m(X), m.backward(np.zeros((3, 2, 4)), truncate=2.0)))(fresh(nn.RNN)),
        exc=TypeError,
        match=r"^truncate must be an int, got 2\.0",
    ),
]

ACCEPTS = [
    Accepts(
        "rnn(nested list x)",
        lambda: fresh(nn.RNN)(X.tolist())[0],
        expected=torch_output("RNN", X),
    ),
    Accepts(
        "lstm(integer x)",
        lambda: fresh(nn.LSTM)((X * 10).astype(int))[0],
        expected=torch_output("LSTM", X * 10),
    ),
    Accepts(
        "rnn(x, h0=None) starts from zeros",
        lambda: fresh(nn.RNN)(X, None)[0],
        expected=torch_output("RNN", X, tt(np.zeros((1, 2, 4)))),
    ),
    Accepts(
        "rnn.backward(truncate=L) is the full backward",
        lambda: (lambda m: (m(X), m.backward(np.ones((3, 2, 4)), truncate=3)[0])[1])(fresh(nn.RNN)),
        expected=lambda: torch.autograd.grad(
            to_torch(fresh(nn.RNN))(xt := tt(X, grad=True))[0].sum(), xt
        )[0].numpy(),
    ),
]

test_raises_one_clear_error, test_gives_the_reference_result = bad_input_tests(RAISES, ACCEPTS)
