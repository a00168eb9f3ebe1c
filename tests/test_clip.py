"""clip_grad_norm_ / clip_grad_value_ / get_total_norm against torch.nn.utils."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import BadInputs, T, fresh_linear, tt
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import nn
from bpcourse.nn import Parameter, utils
from bpcourse.nn.utils import clip_grad_norm_, clip_grad_value_, get_total_norm


def pairs(grads):
    """Our Parameters and torch leaf tensors holding the same gradients."""
    ours, theirs = [], []
    for g in grads:
        p = Parameter(np.zeros_like(g))
        p.grad[...] = g
        t = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        t.grad = torch.tensor(g)
        ours.append(p)
        theirs.append(t)
    return ours, theirs


grad_lists = st.lists(
    st.tuples(st.integers(1, 4), st.integers(1, 5), st.floats(0.01, 100.0)), min_size=1, max_size=4
)


@settings(max_examples=60)
@given(
    spec=grad_lists,
    max_norm=st.floats(0.01, 50.0),
    norm_type=st.sampled_from([2.0, 1.0, 3.0, 0.5, math.inf]),
    seed=st.integers(0, 2**16),
)
def test_clip_grad_norm_equals_torch(spec, max_norm, norm_type, seed):
    rng = np.random.default_rng(seed)
    grads = [scale * rng.normal(size=(r, c)) for r, c, scale in spec]
    ours, theirs = pairs(grads)
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, float)
    assert total == pytest.approx(total_t.item(), rel=1e-10)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_total_norm_is_computed_before_clipping_and_clipped_norm_is_max_norm():
    ours, _ = pairs([np.array([[3.0, 4.0]]), np.array([[12.0]])])  # joint 2-norm 13
    assert clip_grad_norm_(ours, 1.0) == pytest.approx(13.0)
    assert get_total_norm([p.grad for p in ours]) == pytest.approx(1.0, rel=1e-6)
    # Small gradients are left as they are (coefficient clamped at 1).
    small, _ = pairs([np.array([0.3, -0.4])])
    assert clip_grad_norm_(small[0], 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(small[0].grad, [0.3, -0.4])


def test_generator_of_parameters_is_consumed_once_and_empty_generator_warns():
    ours, theirs = pairs([np.full((2, 2), 10.0)])
    clip_grad_norm_((p for p in ours), 1.0)
    torch.nn.utils.clip_grad_norm_((t for t in theirs), 1.0)
    np.testing.assert_allclose(ours[0].grad, theirs[0].grad.numpy(), rtol=1e-10)
    with pytest.warns(UserWarning, match=r"^`parameters` is an empty generator, no gradient"):
        assert clip_grad_norm_((p for p in []), 1.0) == 0.0


def test_nonfinite_total():
    ours, theirs = pairs([np.array([1.0, np.inf])])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="non-finite"):
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    assert math.isinf(clip_grad_norm_(ours, 1.0))
    torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    np.testing.assert_array_equal(ours[0].grad, theirs[0].grad.numpy())  # both give 0 and nan


@settings(max_examples=30)
@given(spec=grad_lists, clip=st.floats(0.001, 10.0), seed=st.integers(0, 2**16))
def test_clip_grad_value_equals_torch(spec, clip, seed):
    rng = np.random.default_rng(seed)
    ours, theirs = pairs([s * rng.normal(size=(r, c)) for r, c, s in spec])
    assert clip_grad_value_(ours, clip) is None
    torch.nn.utils.clip_grad_value_(theirs, clip)
    for p, t in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad, t.grad.numpy())
        assert np.abs(p.grad).max() <= clip


def test_clear_errors():
    from bpcourse.nn import Module

    with pytest.raises(TypeError, match="model.parameters"):
        clip_grad_norm_(Module(), 1.0)
    with pytest.raises(TypeError, match="Parameter"):
        clip_grad_norm_([np.ones(3)], 1.0)
    with pytest.raises(TypeError, match="iterable"):
        clip_grad_value_(3.0, 1.0)


# --- bad input: one clear error, or the reference result (runner: tests/helpers.py) ---------------
BAD_INPUT = BadInputs()


def params_with_grads(*grads):
    ps = [nn.Parameter(np.zeros_like(np.asarray(g, dtype=float))) for g in grads]
    for p, g in zip(ps, grads):
        p.grad[...] = g
    return ps


def clipped(fn, grads, *args, **kw):
    ps = params_with_grads(*grads)
    fn(ps, *args, **kw)
    return np.concatenate([p.grad.ravel() for p in ps])


def torch_clipped(name, grads, *args):
    def ref():
        ts = [torch.zeros(np.shape(g), dtype=T, requires_grad=True) for g in grads]
        for t_, g in zip(ts, grads):
            t_.grad = tt(g)
        getattr(torch.nn.utils, name)(ts, *args)
        return np.concatenate([t_.grad.numpy().ravel() for t_ in ts])

    return ref


GR = ([3.0, -4.0], [[12.0]])
BAD_INPUT.raises(
    "clip_grad_norm_(model)",
    utils.clip_grad_norm_,
    (fresh_linear(), 1.0),
    exc=TypeError,
    match=(
        r"^parameters must be a Parameter or an iterable of Parameters, got the module Linear; "
        r"pass model\.parameters\(\)"
    ),
)
BAD_INPUT.raises(
    "clip_grad_norm_([array])",
    utils.clip_grad_norm_,
    ([np.ones(2)], 1.0),
    exc=TypeError,
    match=(
        r"^parameters\[0\] must be a Parameter, got ndarray; wrap arrays in bpcourse\.nn\.Parameter"
    ),
)
BAD_INPUT.raises(
    "clip_grad_norm_(torch params)",
    utils.clip_grad_norm_,
    ([torch.ones(2)], 1.0),
    exc=TypeError,
    match=r"^parameters\[0\] must be a Parameter, got Tensor \(a torch tensor",
)
BAD_INPUT.raises(
    "clip_grad_norm_(42)",
    utils.clip_grad_norm_,
    (42, 1.0),
    exc=TypeError,
    match=r"^parameters must be a Parameter or an iterable of Parameters, got int",
)
BAD_INPUT.raises(
    "clip_grad_norm_: inf norm with error_if_nonfinite",
    lambda: utils.clip_grad_norm_(params_with_grads([np.inf, 1.0]), 1.0, error_if_nonfinite=True),
    exc=RuntimeError,
    match=r"^The total norm of order 2\.0 for gradients from `parameters` is non-finite",
)
BAD_INPUT.raises(
    "clip_grad_norm_(max_norm='1')",
    lambda: utils.clip_grad_norm_(params_with_grads([1.0]), "1"),
    exc=TypeError,
    match=r"^max_norm must be a (real )?number, got '1'",
)
BAD_INPUT.raises(
    "clip_grad_norm_(max_norm=-1)",
    lambda: utils.clip_grad_norm_(params_with_grads([1.0]), -1.0),
    match=r"^max_norm must be >= 0, got -1",
)
BAD_INPUT.raises(
    "clip_grad_norm_(norm_type='l2')",
    lambda: utils.clip_grad_norm_(params_with_grads([1.0]), 1.0, "l2"),
    exc=TypeError,
    match=r"^norm_type must be a real number \(2\.0, 1\.0, float\(\"inf\"\), \.\.\.\), got 'l2'",
)
BAD_INPUT.raises(
    "clip_grad_value_(clip_value=-1)",
    lambda: utils.clip_grad_value_(params_with_grads([1.0]), -1.0),
    match=r"^clip_value must be >= 0, got -1",
)
BAD_INPUT.accepts(
    "clip_grad_norm_: two parameters, total norm 13 -> 1",
    clipped,
    (utils.clip_grad_norm_, GR, 1.0),
    expected=torch_clipped("clip_grad_norm_", GR, 1.0),
)
BAD_INPUT.accepts(
    "clip_grad_norm_: norm_type=inf",
    clipped,
    (utils.clip_grad_norm_, GR, 2.0, np.inf),
    expected=torch_clipped("clip_grad_norm_", GR, 2.0, np.inf),
)
BAD_INPUT.accepts(
    "clip_grad_norm_: a single Parameter (not in a list)",
    lambda: (lambda p: (utils.clip_grad_norm_(p, 1.0), p.grad)[1])(
        params_with_grads([3.0, 4.0])[0]
    ),
    expected=lambda: np.array([3.0, 4.0]) / (5 + 1e-6),
)
BAD_INPUT.accepts(
    "clip_grad_norm_: empty list returns 0.0",
    utils.clip_grad_norm_,
    ([], 1.0),
    expected=lambda: 0.0,
)
BAD_INPUT.accepts(
    "clip_grad_value_: max_norm as int",
    clipped,
    (utils.clip_grad_value_, GR, 5),
    expected=torch_clipped("clip_grad_value_", GR, 5.0),
)
for fname in ("clip_grad_norm_", "clip_grad_value_"):
    BAD_INPUT.accepts(
        f"{fname}: an infinite bound leaves the gradients as they are",
        clipped,
        (getattr(utils, fname), GR, math.inf),
        expected=torch_clipped(fname, GR, math.inf),
    )


def _same_parameter_twice(fn, *args):
    """torch counts a parameter listed twice twice (and clips it twice); so do we."""
    (p,) = params_with_grads([3.0, -4.0])
    fn([p, p], *args)
    return p.grad


def _torch_same_parameter_twice(name, *args):
    def ref():
        t_ = torch.zeros(2, dtype=T, requires_grad=True)
        t_.grad = tt([3.0, -4.0])
        getattr(torch.nn.utils, name)([t_, t_], *args)
        return t_.grad.numpy()

    return ref


BAD_INPUT.accepts(
    "clip_grad_norm_: the same Parameter twice in the list, as torch",
    _same_parameter_twice,
    (utils.clip_grad_norm_, 1.0),
    expected=_torch_same_parameter_twice("clip_grad_norm_", 1.0),
)

test_bad_input_raises_one_clear_error, test_legitimate_input_gives_the_reference_result = (
    BAD_INPUT.tests()
)
