"""bpcourse.nn.init against torch.nn.init: gains, fans, exact bounds and standard deviations.

Expected values come from torch (calculate_gain, _calculate_fan_in_and_fan_out) and the papers'
formulas written out here; samples are checked statistically with tolerances of about five
standard errors, so a wrong constant (sqrt(3) vs 3, fan_in vs fan_out, a missing gain) fails.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import BadInputs, T
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import nn
from bpcourse.nn import Parameter, init

NONLINEARITIES = ["linear", "conv1d", "conv_transpose3d", "sigmoid", "tanh", "relu", "selu"]


@pytest.mark.parametrize("name", NONLINEARITIES)
def test_gain_equals_torch(name):
    assert init.calculate_gain(name) == torch.nn.init.calculate_gain(name)


@pytest.mark.parametrize("slope", [None, 0, 0.01, 0.2, 1, 3.5])
def test_leaky_relu_gain_equals_torch(slope):
    assert init.calculate_gain("leaky_relu", slope) == torch.nn.init.calculate_gain(
        "leaky_relu", slope
    )


def test_gain_errors_like_torch():
    for args in [("softplus",), ("leaky_relu", True), ("leaky_relu", "0.1")]:
        with pytest.raises(ValueError):
            torch.nn.init.calculate_gain(*args)
        with pytest.raises(ValueError):
            init.calculate_gain(*args)


@settings(max_examples=50)
@given(shape=st.lists(st.integers(1, 5), min_size=2, max_size=5))
def test_fans_equal_torch(shape):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init.calculate_fan_in_and_fan_out(np.empty(shape)) == expected


def test_fan_of_a_linear_weight_is_in_then_out():
    assert init.calculate_fan_in_and_fan_out(Parameter(np.zeros((3, 7)))) == (7, 3)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.calculate_fan_in_and_fan_out(np.zeros(5))


def torch_std(kind, shape, **kw):
    """The standard deviation torch's init aims for, from torch's own gain and fan functions."""
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    if kind.startswith("xavier"):
        return kw.get("gain", 1.0) * math.sqrt(2.0 / (fan_in + fan_out))
    fan = fan_in if kw.get("mode", "fan_in") == "fan_in" else fan_out
    gain = torch.nn.init.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0))
    return gain / math.sqrt(fan)


CASES = [
    ("xavier_uniform_", (200, 100), {}),
    ("xavier_uniform_", (50, 300), {"gain": 5 / 3}),
    ("xavier_normal_", (200, 100), {}),
    ("xavier_normal_", (20, 30, 7), {"gain": 2.0}),
    ("kaiming_uniform_", (300, 100), {}),
    ("kaiming_uniform_", (100, 300), {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_uniform_", (200, 150), {"a": 0.2}),
    ("kaiming_normal_", (300, 100), {"nonlinearity": "relu"}),
    ("kaiming_normal_", (100, 300), {"mode": "fan_out", "nonlinearity": "tanh"}),
    ("kaiming_normal_", (40, 10, 9), {"a": math.sqrt(5)}),
]


@pytest.mark.parametrize(("kind", "shape", "kw"), CASES)
def test_distribution_matches_torch_formula(kind, shape, kw):
    w = np.empty(shape)
    out = getattr(init, kind)(w, rng=0, **kw)
    assert out is w  # filled in place and returned, like torch
    std = torch_std(kind, shape, **kw)
    n = w.size
    # Standard error of a sample std is about std / sqrt(2n) (normal) and smaller (uniform).
    assert abs(w.mean()) < 5 * std / math.sqrt(n)
    assert abs(w.std() - std) < 5 * std / math.sqrt(2 * n)
    if kind.endswith("uniform_"):
        bound = math.sqrt(3.0) * std
        assert np.abs(w).max() <= bound  # exact support [-bound, bound]
        assert np.abs(w).max() > 0.99 * bound
        # Uniform: a quarter of the mass in each quarter of the support.
        frac = np.mean(np.abs(w) < bound / 2)
        assert abs(frac - 0.5) < 5 * math.sqrt(0.25 / n)
    else:
        frac = np.mean(np.abs(w) < std)  # normal: 68.27 % within one std
        assert abs(frac - 0.682689) < 5 * math.sqrt(0.2167 / n)


@pytest.mark.parametrize(("kind", "shape", "kw"), CASES[::3])
def test_torch_samples_have_the_same_spread(kind, shape, kw):
    """The same statistic on torch's own samples: both implementations aim at one std."""
    torch.manual_seed(0)
    t = getattr(torch.nn.init, kind)(torch.empty(shape, dtype=torch.float64), **kw).numpy()
    w = getattr(init, kind)(np.empty(shape), rng=1, **kw)
    assert abs(w.std() / t.std() - 1) < 10 / math.sqrt(2 * w.size)


def test_parameter_is_filled_in_place_and_seeds_reproduce():
    p = Parameter(np.zeros((4, 6)))
    data = p.data
    assert init.kaiming_normal_(p, rng=3) is p
    assert p.data is data and p.data.std() > 0
    q = init.kaiming_normal_(Parameter(np.zeros((4, 6))), rng=np.random.default_rng(3))
    np.testing.assert_array_equal(p.data, q.data)
    np.random.seed(7)  # noqa: NPY002 - rng=None means the legacy global RNG, by design
    a = init.xavier_uniform_(np.empty((3, 5)))
    np.random.seed(7)  # noqa: NPY002 - rng=None means the legacy global RNG, by design
    b = init.xavier_uniform_(np.empty((3, 5)))
    np.testing.assert_array_equal(a, b)  # rng=None draws from numpy's seeded global RNG


def test_float32_stays_float32_and_simple_fills():
    w = np.empty((3, 4), dtype=np.float32)
    init.xavier_normal_(w, rng=0)
    assert w.dtype == np.float32
    np.testing.assert_array_equal(init.zeros_(np.ones(3)), np.zeros(3))
    np.testing.assert_array_equal(init.ones_(np.zeros(3)), np.ones(3))
    np.testing.assert_array_equal(init.constant_(np.zeros(2), 0.5), [0.5, 0.5])
    u = init.uniform_(np.empty(1000), -2.0, -1.0, rng=0)
    assert u.min() >= -2.0 and u.max() < -1.0
    g = init.normal_(np.empty(4000), 3.0, 0.5, rng=0)
    assert abs(g.mean() - 3.0) < 5 * 0.5 / math.sqrt(4000)


def test_errors():
    with pytest.raises(ValueError, match="Mode"):
        init.kaiming_uniform_(np.empty((2, 2)), mode="fan_avg")
    with pytest.raises(TypeError, match="detach"):
        init.xavier_uniform_(torch.empty(2, 2))
    with pytest.raises(TypeError, match="float32 or float64"):
        init.xavier_uniform_(np.zeros((2, 2), dtype=int))
    with pytest.raises(TypeError, match="rng"):
        init.normal_(np.empty(3), rng="seed")
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_normal_(np.empty((0, 3)))


# --- bad input: one clear error, or the reference result (runner: tests/helpers.py) ---------------
BAD_INPUT = BadInputs()

W = np.zeros((2, 3))
for fname in (
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "uniform_",
    "normal_",
    "zeros_",
    "ones_",
):
    fn = getattr(init, fname)
    BAD_INPUT.raises(
        f"init.{fname}(a list)",
        fn,
        ([[0.0, 0.0]],),
        exc=TypeError,
        match=r"^tensor must be a Parameter or a numpy array \(filled in place\), got list$",
    )
    BAD_INPUT.raises(
        f"init.{fname}(torch tensor)",
        fn,
        (torch.zeros(2, 3),),
        exc=TypeError,
        match=(
            r"^tensor must be a Parameter or a numpy array .*got Tensor; call "
            r"\.detach\(\)\.numpy\(\) first"
        ),
    )
    BAD_INPUT.raises(
        f"init.{fname}(integer array)",
        fn,
        (np.zeros((2, 3), dtype=int),),
        exc=TypeError,
        match=r"^tensor must have dtype float32 or float64, got int64",
    )
for fname in ("xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"):
    BAD_INPUT.raises(
        f"init.{fname}(a bias (3,))",
        getattr(init, fname),
        (np.zeros(3),),
        match=(
            r"^Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            r"\(got shape \(3,\)\)"
        ),
    )
    BAD_INPUT.raises(
        f"init.{fname}(rng='0')",
        getattr(init, fname),
        (np.zeros((2, 3)),),
        {"rng": "0"},
        exc=TypeError,
        match=r"^rng must be a np\.random\.Generator, an int seed or None, got '0'",
    )
BAD_INPUT.raises(
    "init.kaiming_uniform_(mode='fan')",
    init.kaiming_uniform_,
    (np.zeros((2, 3)),),
    {"mode": "fan"},
    match=r"^Mode fan not supported, please use one of \['fan_in', 'fan_out'\]",
)
BAD_INPUT.raises(
    "init.kaiming_normal_(nonlinearity='gelu')",
    init.kaiming_normal_,
    (np.zeros((2, 3)),),
    {"nonlinearity": "gelu"},
    match=r"^Unsupported nonlinearity 'gelu'; expected one of: .*relu",
)
BAD_INPUT.raises(
    "init.calculate_gain('softmax')",
    init.calculate_gain,
    ("softmax",),
    match=r"^Unsupported nonlinearity 'softmax'",
)
BAD_INPUT.raises(
    "init.calculate_gain('leaky_relu', '0.2')",
    init.calculate_gain,
    ("leaky_relu", "0.2"),
    match=r"^negative_slope 0\.2 not a valid number",
)
BAD_INPUT.raises(
    "init.calculate_fan_in_and_fan_out(scalar array)",
    init.calculate_fan_in_and_fan_out,
    (np.zeros(()),),
    match=r"fewer than 2 dimensions \(got shape \(\)\)",
)
BAD_INPUT.raises(
    "init.normal_(std=-1)",
    init.normal_,
    (np.zeros((2, 3)),),
    {"std": -1.0},
    match=r"^std must be >= 0, got -1",
)
BAD_INPUT.raises(
    "init.uniform_(a=1, b=0)",
    init.uniform_,
    (np.zeros((2, 3)), 1.0, 0.0),
    match=r"^uniform_ expects a <= b, got a=1\.0 > b=0\.0",
)
BAD_INPUT.raises(
    "init.constant_(val='1')",
    init.constant_,
    (np.zeros((2, 3)), "1"),
    exc=TypeError,
    match=r"^val must be a (real )?number, got '1'",
)
BAD_INPUT.raises(
    "init.xavier_uniform_(gain='1')",
    init.xavier_uniform_,
    (np.zeros((2, 3)),),
    {"gain": "1"},
    exc=TypeError,
    match=r"^gain must be a (real )?number, got '1'",
)
for fname, args, kwargs, arg in [
    ("uniform_", (W, "0", 1.0), {}, "a"),
    ("uniform_", (W, 0.0, "1"), {}, "b"),
    ("normal_", (W, "0"), {}, "mean"),
    ("normal_", (W, 0.0, "1"), {}, "std"),
    ("xavier_normal_", (W,), {"gain": "1"}, "gain"),
]:
    BAD_INPUT.raises(
        f"init.{fname}({arg}='1')",
        getattr(init, fname),
        args,
        kwargs,
        exc=TypeError,
        match=rf"^{arg} must be a (real )?number, got '[01]'",
    )
BAD_INPUT.accepts(
    "init.constant_(val=inf): filled with inf, as in torch",
    init.constant_,
    (np.zeros(2), math.inf),
    expected=lambda: torch.nn.init.constant_(torch.zeros(2, dtype=T), math.inf).numpy(),
)
BAD_INPUT.accepts(
    "init.uniform_(a == b): torch fills with that value",
    init.uniform_,
    (np.zeros((2, 3)), 1.5, 1.5),
    {"rng": 0},
    expected=lambda: torch.nn.init.uniform_(torch.zeros(2, 3, dtype=T), 1.5, 1.5).numpy(),
)
BAD_INPUT.accepts(
    "init.normal_(std=inf): infinite samples, as in torch (not an error)",
    lambda: bool(np.isinf(init.normal_(np.zeros(4), 0.0, math.inf, rng=0)).all()),
    expected=lambda: bool(
        torch.nn.init.normal_(torch.zeros(4, dtype=T), 0.0, math.inf).isinf().all()
    ),
)
BAD_INPUT.accepts(
    "init.xavier_uniform_(Parameter, rng=0): fills .data in the torch bound",
    lambda: bool(
        np.abs(init.xavier_uniform_(nn.Parameter(np.zeros((20, 30))), rng=0).data).max()
        <= np.sqrt(6 / 50)
    ),
    expected=lambda: True,
)
BAD_INPUT.accepts(
    "init.calculate_gain('leaky_relu', 0.2) (an int-free float)",
    init.calculate_gain,
    ("leaky_relu", 0.2),
    expected=lambda: torch.nn.init.calculate_gain("leaky_relu", 0.2),
)
BAD_INPUT.accepts(
    "init.calculate_fan_in_and_fan_out: (out, in, k)",
    init.calculate_fan_in_and_fan_out,
    (np.zeros((4, 3, 5)),),
    expected=lambda: np.array(torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(4, 3, 5))),
)

test_bad_input_raises_one_clear_error, test_legitimate_input_gives_the_reference_result = (
    BAD_INPUT.tests()
)
