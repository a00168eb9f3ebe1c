"""bpcourse.forward (dual numbers, jvp, the Jacobian by forward mode) against torch.func.jvp
and torch.autograd.functional.jacobian in float64, over Hypothesis-drawn shapes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from helpers import BadInputs, assert_same
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import forward as fw
from bpcourse.forward import Dual, jacobian, jvp

# torch's forward-mode AD loads its decompositions on first use through the deprecated
# torch.jit.script: a DeprecationWarning from inside torch (an error under our filterwarnings).
# Load them once here, that warning silenced; every later call runs under the strict filter.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    torch.func.jvp(torch.sin, (torch.zeros(1),), (torch.ones(1),))

SETTINGS = settings(max_examples=30)
seeds = st.integers(0, 2**32 - 1)
shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)

# Each function is written once, for both engines: ``m`` is bpcourse.forward or torch.
UNARY = {
    "exp": ("any", lambda m, x: m.exp(x)),
    "log": ("positive", lambda m, x: m.log(x)),
    "sin": ("any", lambda m, x: m.sin(x)),
    "cos": ("any", lambda m, x: m.cos(x)),
    "tanh": ("any", lambda m, x: m.tanh(x)),
    "relu": ("nonzero", lambda m, x: m.relu(x)),
    "sigmoid": ("wide", lambda m, x: m.sigmoid(x)),
    "neg": ("any", lambda m, x: -x),
    "pow3": ("any", lambda m, x: x**3),
    "pow-0.5": ("positive", lambda m, x: x**-0.5),
    "pow0": ("any", lambda m, x: x**0),
    "rdiv": ("nonzero", lambda m, x: 2.0 / x),
    "rsub": ("any", lambda m, x: 2.0 - x),
    "sum": ("any", lambda m, x: (x * x).sum()),
}


def draw_domain(rng, domain, shape):
    if domain == "positive":
        return rng.uniform(0.1, 4, shape)
    if domain == "nonzero":
        return rng.uniform(0.1, 2, shape) * rng.choice([-1.0, 1.0], shape)
    if domain == "wide":
        return rng.uniform(-700, 700, shape)
    return rng.standard_normal(shape) * 2


def compare_jvp(fn, primals, tangents):
    out, tan = jvp(lambda *xs: fn(fw, *xs), primals, tangents)
    out_t, tan_t = torch.func.jvp(
        lambda *xs: fn(torch, *xs),
        tuple(torch.tensor(p) for p in primals),
        tuple(torch.tensor(t) for t in tangents),
    )
    assert_same(out, out_t)
    assert_same(tan, tan_t)


@pytest.mark.parametrize("name", UNARY)
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_each_rule_matches_torch_func_jvp(name, shape, seed):
    domain, fn = UNARY[name]
    rng = np.random.default_rng(seed)
    compare_jvp(fn, (draw_domain(rng, domain, shape),), (rng.standard_normal(shape),))


BINARY = {
    "+": lambda m, a, b: a + b,
    "-": lambda m, a, b: a - b,
    "*": lambda m, a, b: a * b,
    "/": lambda m, a, b: a / (b * b + 1.0),
}


@pytest.mark.parametrize("op", BINARY)
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_binary_rules_match_torch_func_jvp(op, shape, seed):
    rng = np.random.default_rng(seed)
    a, b, ta, tb = (rng.standard_normal(shape) for _ in range(4))
    compare_jvp(BINARY[op], (a, b), (ta, tb))


@SETTINGS
@given(n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), seed=seeds)
def test_a_small_network_matches_torch_func_jvp(n, k, m, seed):
    """tanh(X W + b) then a loss: matmul's rule dA B + A dB, broadcasting, reductions."""
    rng = np.random.default_rng(seed)
    X, W, b = rng.standard_normal((n, k)), rng.standard_normal((k, m)), rng.standard_normal(m)

    def f(mod, X, W, b):
        h = mod.tanh(X @ W + b)
        return (mod.sigmoid(h) * h).sum() + mod.exp(-(h * h)).sum() / 3.0

    compare_jvp(f, (X, W, b), tuple(rng.standard_normal(a.shape) for a in (X, W, b)))


@SETTINGS
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple), seed=seeds)
def test_jacobian_column_by_column_matches_torch(shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    A = rng.standard_normal((3, x.size))

    def f(mod, x):
        return mod.sin(x) * x.sum() + 0.5 * x**2

    def g(mod, x):  # a vector output of another size: (3,)
        return mod.tanh((torch.tensor(A) if mod is torch else A) @ x.reshape(-1))

    for fn in (f, g):
        J, passes = jacobian(lambda x, fn=fn: fn(fw, x), x)
        J_t = torch.autograd.functional.jacobian(lambda x, fn=fn: fn(torch, x), torch.tensor(x))
        assert_same(J, J_t)
        assert passes == x.size  # one forward pass per input coordinate


def test_dual_by_hand_from_the_definition():
    # f(x) = x^2 sin(x) at x = 2 along 1: f'(2) = 2*2 sin 2 + 4 cos 2
    y = Dual(2.0, 1.0) ** 2 * fw.sin(Dual(2.0, 1.0))
    assert y.value == pytest.approx(4 * np.sin(2.0), rel=1e-15)
    assert y.tangent == pytest.approx(4 * np.sin(2.0) + 4 * np.cos(2.0), rel=1e-15)
    z = Dual(np.ones(3), 2.0)  # a number as tangent: the same everywhere
    assert z.tangent.shape == (3,) and z.tangent.dtype == np.float64  # not a broadcast scalar
    np.testing.assert_array_equal(z.tangent, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal((np.arange(3.0) + z).tangent, [2.0, 2.0, 2.0])
    assert fw.exp(0.0) == 1.0  # numbers go straight to numpy


def test_dual_and_jvp_edge_cases():
    # a Dual without tangent is a constant: tangent 0
    assert Dual(2.0).tangent == 0.0
    # empty arrays are values like any other; a float32 value makes a float32 tangent
    assert Dual(np.zeros(0)).tangent.shape == Dual(np.zeros(0), np.zeros(0)).tangent.shape == (0,)
    assert Dual(np.ones(2, dtype=np.float32), np.ones(2)).tangent.dtype == np.float32
    # d/dx x**1 = 1 and d/dx x**0 = 0, at 0 too (where n * x**(n - 1) would be 0 * inf)
    assert (Dual(3.0, 1.0) ** 1).tangent == 1.0
    with np.errstate(all="raise"):
        assert (Dual(0.0, 1.0) ** 0).tangent == 0.0
    # sum over one axis: value and tangent both reduced over that axis
    s = Dual(np.arange(6.0).reshape(2, 3), np.ones((2, 3))).sum(axis=0)
    np.testing.assert_array_equal(s.value, [3.0, 5.0, 7.0])
    np.testing.assert_array_equal(s.tangent, [2.0, 2.0, 2.0])
    # empty arrays are a valid point and direction, as for torch.func.jvp
    out, tangent = jvp(lambda x: x * 2.0, (np.zeros(0),), (np.zeros(0),))
    assert out.shape == tangent.shape == (0,)
    # a float32 primal keeps float32: the tangent is converted to it, constants are not upcast
    x32 = np.ones(2, dtype=np.float32)
    out, tangent = jvp(lambda x: x * x32, (x32,), (np.ones(2),))
    assert out.dtype == tangent.dtype == np.float32


# Bad inputs: one clear error each (the table runner of tests/helpers.py).
_EXPECTED = "expected a Dual, a real number or a numpy array of numbers$"
_BAD_CALLS = [
    (lambda: Dual("a"), TypeError, r"Dual\(value\) must be an array of numbers"),
    (
        lambda: Dual(1.0, "a"),
        TypeError,
        r"^Dual\(tangent\) must be an array of numbers, got str 'a'$",
    ),
    (
        lambda: jvp(lambda x: None, (np.ones(1),), (np.ones(1),)),
        TypeError,
        r"^jvp: f must return a Dual \(built from Dual-aware operations\), got NoneType None; "
        r"a constant output has tangent 0$",
    ),
    (
        lambda: Dual(np.ones(3), np.ones(2)),
        ValueError,
        r"Dual\(tangent\) must have the value's shape \(3,\), got shape \(2,\)",
    ),
    (lambda: Dual(1.0) + "x", TypeError, r"unsupported operand for Dual \+: str"),
    # a bad right operand: each operator names itself
    (
        lambda: Dual(1.0) * "a",
        TypeError,
        r"^unsupported operand for Dual \*: str 'a'; " + _EXPECTED,
    ),
    (
        lambda: Dual(1.0) / None,
        TypeError,
        r"^unsupported operand for Dual /: NoneType None; " + _EXPECTED,
    ),
    (
        lambda: Dual(1.0) - [1j],
        TypeError,
        r"^unsupported operand for Dual -: list \[1j\]; " + _EXPECTED,
    ),
    (
        lambda: Dual(np.ones((1, 1))) @ "a",
        TypeError,
        r"^unsupported operand for Dual @: str 'a'; " + _EXPECTED,
    ),
    # a bad left operand: the reflected operators name their operator too
    (
        lambda: "a" + Dual(1.0),
        TypeError,
        r"^unsupported operand for Dual \+: str 'a'; " + _EXPECTED,
    ),
    (
        lambda: 1j - Dual(1.0),
        TypeError,
        r"^unsupported operand for Dual -: complex 1j; " + _EXPECTED,
    ),
    (
        lambda: None * Dual(1.0),
        TypeError,
        r"^unsupported operand for Dual \*: NoneType None; " + _EXPECTED,
    ),
    (
        lambda: [2.0] / Dual(1.0),
        TypeError,
        r"^unsupported operand for Dual /: list \[2\.0\]; " + _EXPECTED,
    ),
    (
        lambda: np.array([["a"]]) @ Dual(np.ones((1, 1))),
        TypeError,
        r"^unsupported operand for Dual @: an array of shape \(1, 1\) and dtype <U1; " + _EXPECTED,
    ),
    (
        lambda: Dual(1.0) ** Dual(2.0),
        TypeError,
        r"^unsupported exponent for Dual \*\*: Dual Dual\(value=array\(2\.\), "
        r"tangent=array\(0\.\)\); expected a plain int or float$",
    ),
    (lambda: Dual(1.0) / 0.0, ZeroDivisionError, r"^Dual /: the divisor has a zero value$"),
    (lambda: fw.log(Dual(-1.0)), ValueError, r"log of a non-positive number"),
    (lambda: fw.log(Dual(0.0)), ValueError, r"^log of a non-positive number$"),
    (
        lambda: jvp(lambda x: x, np.ones(2), np.ones(2)),
        TypeError,
        r"jvp\(primals, tangents\) must be tuples",
    ),
    (  # the primals a tuple, the tangents not: either one is enough to refuse
        lambda: jvp(lambda x: x, (np.ones(2),), np.ones(2)),
        TypeError,
        r"^jvp\(primals, tangents\) must be tuples of arrays, as in torch\.func\.jvp, got tuple "
        r"\(array\(\[1\., 1\.\]\),\) and an array of shape \(2,\) and dtype float64$",
    ),
    (
        lambda: jvp(lambda x: x, ("a",), (np.ones(1),)),
        TypeError,
        r"^jvp\(primals\[0\]\) must be an array of numbers, got str 'a'$",
    ),
    (
        lambda: jvp(lambda x: x, (np.ones(1),), ("a",)),
        TypeError,
        r"^jvp\(tangents\[0\]\) must be an array of numbers, got str 'a'$",
    ),
    (lambda: jvp(lambda x: x, (np.ones(2),), ()), ValueError, r"1 primals but 0 tangents"),
    (
        lambda: jvp(lambda x: x, (np.ones(2),), (np.ones(3),)),
        ValueError,
        r"tangents\[0\] must have primals\[0\]'s shape \(2,\), got shape \(3,\)",
    ),
    (
        lambda: jvp(lambda x: 3.0, (np.ones(2),), (np.ones(2),)),
        TypeError,
        r"f must return a Dual",
    ),
    (lambda: jacobian(lambda x: x, "abc"), TypeError, r"jacobian\(x\) must be an array"),
]
BAD_INPUT = BadInputs()
for _make, _err, _phrase in _BAD_CALLS:
    BAD_INPUT.raises(_phrase, _make, exc=_err, match=_phrase)
test_bad_input_gives_one_clear_error, _ = BAD_INPUT.tests()
