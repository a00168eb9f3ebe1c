"""bpcourse.optim against torch.optim: same parameters, same gradients, same trajectory.

Every optimizer and every combination of its options runs >= 50 steps next to its torch.optim
twin; after EVERY step the parameters must agree within 1e-10 (float64, docs/verification.md; relative
for parameters beyond 1 in magnitude, see ``_scaled_diff``). The
gradients come from a fixed noise stream plus the gradient of a convex function of the current
parameters (each side evaluates it at its own parameters), so an error feeds back into later
gradients without the dynamics being chaotic. Mutant Adams/SGDs (classic bugs) show that the
same comparison catches the mistakes tutorials make.
"""

from __future__ import annotations

import itertools
import pathlib
import re

import numpy as np
import pytest
import torch
from helpers import BadInputs, fresh_linear, tt
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

from bpcourse import nn, optim
from bpcourse.nn import Module, Parameter
from bpcourse.optim import Optimizer

STEPS = 50
TOL = 1e-10
SHAPES = [(3, 4), (4,), ()]
NAMES = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]


# --- the harness ------------------------------------------------------------------------------
def convex_grad(p: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """Gradient of sum(log cosh(p) + 0.05 p**2) plus noise: curvature in [0.1, 1.1]."""
    return np.asarray(noise + np.tanh(p) + 0.1 * p)


def trajectory_diffs(
    make_ours,
    torch_cls,
    kwargs,
    shapes=SHAPES,
    steps=STEPS,
    seed=0,
    dtype=np.float64,
    schedule=None,
):
    """Run both optimizers side by side; return the largest difference after each step.

    ``make_ours(params)`` builds the bpcourse optimizer (a class or a mutant subclass);
    ``schedule(t)``, if given, is the learning rate set on both before step t.
    """
    rng = np.random.default_rng(seed)
    init = [rng.normal(size=s).astype(dtype) for s in shapes]
    noise = [[rng.normal(size=s).astype(dtype) for s in shapes] for _ in range(steps)]
    ours = [Parameter(a) for a in init]
    theirs = [torch.tensor(a, requires_grad=True) for a in init]
    opt = make_ours(ours)
    topt = torch_cls(theirs, **kwargs)
    diffs = []
    for t in range(steps):
        if schedule is not None:
            opt.lr = schedule(t)
            topt.param_groups[0]["lr"] = schedule(t)
        opt.zero_grad()
        for p, tp, n in zip(ours, theirs, noise[t]):
            p.grad += convex_grad(p.data, n)
            tp.grad = torch.from_numpy(convex_grad(tp.detach().numpy(), n))
        opt.step()
        topt.step()
        diffs.append(max(_scaled_diff(p.data, tp.detach().numpy()) for p, tp in zip(ours, theirs)))
    return diffs


def _scaled_diff(ours: np.ndarray, theirs: np.ndarray) -> float:
    """max |ours - theirs| / max(1, |theirs|): docs/verification.md's absolute difference while the parameters
    are O(1), as in every fixed-option run; relative where a run carries them far from 1
    (maximize=True climbs the convex function; Adam with beta2 near 0 can divide by eps), since
    float64 rounding alone then exceeds 1e-10 in absolute terms."""
    scale = np.maximum(1.0, np.abs(theirs))
    return float(np.max(np.abs(ours - theirs) / scale, initial=0.0))


def assert_matches_torch(name, kwargs, **kw):
    cls = getattr(optim, name)
    diffs = trajectory_diffs(lambda ps: cls(ps, **kwargs), getattr(torch.optim, name), kwargs, **kw)
    worst = int(np.argmax(diffs))
    assert max(diffs) <= TOL, (
        f"{name}({kwargs}): differs from torch.optim by {diffs[worst]:.3e} after step {worst + 1}"
    )


def grid(**options):
    keys = list(options)
    return [dict(zip(keys, values)) for values in itertools.product(*options.values())]


CASES = (
    [
        ("SGD", dict(lr=0.1, **c))
        for c in grid(
            momentum=[0.0, 0.9],
            dampening=[0.0, 0.3],
            nesterov=[False, True],
            weight_decay=[0.0, 0.1],
            maximize=[False, True],
        )
        if not c["nesterov"] or (c["momentum"] > 0 and c["dampening"] == 0)
    ]
    + [
        ("Adagrad", dict(lr=0.1, **c))
        for c in grid(
            lr_decay=[0.0, 0.05],
            weight_decay=[0.0, 0.1],
            initial_accumulator_value=[0.0, 0.5],
            maximize=[False, True],
        )
    ]
    + [
        ("RMSprop", dict(lr=0.01, **c))
        for c in grid(
            alpha=[0.99, 0.5],
            momentum=[0.0, 0.9],
            centered=[False, True],
            weight_decay=[0.0, 0.1],
            maximize=[False, True],
        )
    ]
    + [
        (name, dict(lr=0.05, **c))
        for name in ("Adam", "AdamW")
        for c in grid(
            betas=[(0.9, 0.999), (0.5, 0.9)],
            weight_decay=[0.0, 0.1],
            amsgrad=[False, True],
            maximize=[False, True],
        )
    ]
)


def case_id(case):
    name, kw = case
    return name + "-" + ",".join(f"{k}={v}" for k, v in kw.items() if k != "lr")


# --- step for step against torch.optim ---------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_every_option_combination_matches_torch_every_step(case):
    name, kwargs = case
    assert_matches_torch(name, kwargs)


@pytest.mark.parametrize("name", NAMES)
def test_defaults_are_torchs_and_default_trajectory_matches(name):
    t = torch.zeros(2)
    theirs = getattr(torch.optim, name)([t]).defaults
    ours = getattr(optim, name)([Parameter(np.zeros(2))]).defaults
    for key, value in ours.items():
        assert value == theirs[key], f"{name}.{key}: {value!r} vs torch {theirs[key]!r}"
    assert_matches_torch(name, {})


@pytest.mark.parametrize("name", NAMES)
def test_learning_rate_set_between_steps_is_used(name):
    kwargs = {} if name != "SGD" else {"momentum": 0.9}
    assert_matches_torch(name, kwargs, schedule=lambda t: 0.1 * 0.95**t)


def _hyperparameters(name: str) -> st.SearchStrategy:
    unit = st.floats(0.0, 0.99)
    wd = st.sampled_from([0.0]) | st.floats(0.0, 0.2)
    if name == "SGD":
        return st.builds(
            dict,
            lr=st.floats(0.0, 0.5),
            momentum=unit,
            dampening=st.floats(0.0, 1.0),
            weight_decay=wd,
            nesterov=st.booleans(),
            maximize=st.booleans(),
        ).map(_fix_nesterov)
    if name == "Adagrad":
        return st.builds(
            dict,
            lr=st.floats(0.0, 0.5),
            lr_decay=st.floats(0.0, 0.1),
            weight_decay=wd,
            initial_accumulator_value=st.floats(0.0, 1.0),
            eps=st.floats(1e-10, 1e-3),
            maximize=st.booleans(),
        )
    if name == "RMSprop":
        # alpha >= 0.5: with alpha near 0 a centered RMSprop divides by eps and the
        # trajectories reach 1e8, where an absolute tolerance says nothing.
        return st.builds(
            dict,
            lr=st.floats(0.0, 0.05),
            alpha=st.floats(0.5, 0.999),
            eps=st.floats(1e-8, 1e-3),
            weight_decay=wd,
            momentum=unit,
            centered=st.booleans(),
            maximize=st.booleans(),
        )
    return st.builds(
        dict,
        lr=st.floats(0.0, 0.1),
        betas=st.tuples(st.floats(0.0, 0.99), st.floats(0.0, 0.9999)),
        eps=st.floats(1e-8, 1e-3),
        weight_decay=wd,
        amsgrad=st.booleans(),
        maximize=st.booleans(),
    )


def _fix_nesterov(kw: dict) -> dict:
    if kw["nesterov"] and (kw["momentum"] == 0 or kw["dampening"] != 0):
        kw["dampening"] = 0.0
        kw["momentum"] = kw["momentum"] or 0.5
    return kw


@settings(max_examples=40)
@given(
    data=st.data(),
    name=st.sampled_from(NAMES),
    shapes=st.lists(
        array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4), min_size=1, max_size=3
    ),
    seed=st.integers(0, 2**16),
)
def test_hypothesis_shapes_and_hyperparameters(data, name, shapes, seed):
    kwargs = data.draw(_hyperparameters(name), label="kwargs")
    assert_matches_torch(name, kwargs, shapes=shapes, seed=seed)


# --- the comparison catches classic bugs ---------------------------------------------------------
class TextbookAdam(optim.Adam):
    """Adam written again the way a learner would, with switches for classic mistakes.

    With no switch on it must equal torch (so each mutant differs by its one bug only).
    """

    bias_correction = True  # False: forget  m / (1 - beta1^t),  v / (1 - beta2^t)
    shared_counter = False  # True: one counter for all parameters, advanced per parameter
    eps_inside_sqrt = False  # True: sqrt(v_hat + eps) instead of sqrt(v_hat) + eps

    def _update(self, p, grad, state):
        beta1, beta2 = self.betas
        if self.shared_counter:
            self.t = getattr(self, "t", 0) + 1
            t = self.t
        else:
            state["step"] += 1
            t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m[...] = beta1 * m + (1 - beta1) * grad
        v[...] = beta2 * v + (1 - beta2) * grad**2
        m_hat = m / (1 - beta1**t) if self.bias_correction else m
        v_hat = v / (1 - beta2**t) if self.bias_correction else v
        denom = np.sqrt(v_hat + self.eps) if self.eps_inside_sqrt else np.sqrt(v_hat) + self.eps
        p.data -= self.lr * m_hat / denom


class AdamNoBiasCorrection(TextbookAdam):
    bias_correction = False


class AdamCounterPerParameter(TextbookAdam):
    shared_counter = True


class AdamEpsInsideSqrt(TextbookAdam):
    eps_inside_sqrt = True


class SGDDampenedFirstStep(optim.SGD):
    """Applies dampening to the first momentum step too (torch copies the raw gradient)."""

    def _init_state(self, p):
        return {"momentum_buffer": np.zeros_like(p.data)}

    def _update(self, p, grad, state):
        buf = state["momentum_buffer"]
        buf[...] = self.momentum * buf + (1 - self.dampening) * grad
        p.data -= self.lr * buf


class SGDNesterovLookahead(optim.SGD):
    """'Nesterov' written as g + momentum * (previous buffer): not torch's form."""

    def _update(self, p, grad, state):
        prev = state.get("momentum_buffer", np.zeros_like(p.data))
        buf = state["momentum_buffer"] = self.momentum * prev + grad
        p.data -= self.lr * (grad + self.momentum * prev)
        assert buf is state["momentum_buffer"]


MUTANTS = [
    (AdamNoBiasCorrection, "Adam", {"lr": 0.05}),
    (AdamCounterPerParameter, "Adam", {"lr": 0.05}),
    (AdamEpsInsideSqrt, "Adam", {"lr": 0.05, "eps": 1e-3}),
    (SGDDampenedFirstStep, "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}),
    (SGDNesterovLookahead, "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
]


def test_textbook_adam_without_bugs_matches_torch():
    diffs = trajectory_diffs(lambda ps: TextbookAdam(ps, lr=0.05), torch.optim.Adam, {"lr": 0.05})
    assert max(diffs) <= TOL


@pytest.mark.parametrize(
    "mutant, torch_name, kwargs", MUTANTS, ids=[m[0].__name__ for m in MUTANTS]
)
def test_the_comparison_catches_a_broken_optimizer(mutant, torch_name, kwargs):
    diffs = trajectory_diffs(
        lambda ps: mutant(ps, **kwargs), getattr(torch.optim, torch_name), kwargs
    )
    assert max(diffs) > 1e-4, f"{mutant.__name__} was not caught: max diff {max(diffs):.2e}"
    # ... and caught early: within the first 3 steps the diff is already far above TOL.
    assert max(diffs[:3]) > 1e3 * TOL, f"{mutant.__name__}: first diffs {diffs[:3]}"


# --- in-place updates, dtypes, state --------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32_in_place_and_close_to_torch(name):
    rng = np.random.default_rng(1)
    init = [rng.normal(size=s).astype(np.float32) for s in SHAPES]
    ps = [Parameter(a) for a in init]
    arrays = [p.data for p in ps]
    kwargs = {"lr": 0.01, "weight_decay": 0.1}
    if name in ("SGD", "RMSprop"):
        kwargs["momentum"] = 0.9
    opt = getattr(optim, name)(ps, **kwargs)
    ts = [torch.tensor(a) for a in init]
    topt = getattr(torch.optim, name)(ts, **kwargs)
    for _ in range(20):
        for p, t in zip(ps, ts):
            p.grad[...] = np.tanh(p.data) + np.float32(0.5)
            t.grad = torch.from_numpy(np.asarray(np.tanh(t.numpy()) + np.float32(0.5)))
        opt.step()
        topt.step()
    for p, arr, t in zip(ps, arrays, ts):
        assert p.data is arr, "step() must update .data in place, not rebind it"
        assert p.data.dtype == np.float32 and p.grad.dtype == np.float32
        np.testing.assert_allclose(p.data, t.numpy(), rtol=1e-5, atol=1e-6)
    for state in opt.state.values():
        for key, value in state.items():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32, f"{name} state {key} is {value.dtype}"


@pytest.mark.parametrize("name", NAMES)
def test_step_never_changes_grad(name):
    p = Parameter(np.array([1.0, -2.0, 3.0]))
    p.grad[...] = [0.5, 0.25, -1.0]
    kwargs = {"weight_decay": 0.1, "maximize": True}
    opt = getattr(optim, name)([p], **kwargs)
    for _ in range(3):
        opt.step()
    np.testing.assert_array_equal(p.grad, [0.5, 0.25, -1.0])


@pytest.mark.parametrize("name", NAMES)
def test_parameter_without_grad_is_skipped_like_torch(name):
    a, b = Parameter(np.ones(3)), Parameter(np.ones(2))
    b.grad = None
    opt = getattr(optim, name)([a, b], lr=0.1)
    ta, tb = torch.ones(3, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    topt = getattr(torch.optim, name)([ta, tb], lr=0.1)
    for _ in range(5):
        a.grad[...] = [1.0, -1.0, 0.5]
        ta.grad = torch.tensor([1.0, -1.0, 0.5], dtype=torch.float64)
        opt.step()
        topt.step()
    np.testing.assert_allclose(a.data, ta.numpy(), rtol=0, atol=TOL)
    np.testing.assert_array_equal(b.data, np.ones(2))
    np.testing.assert_array_equal(tb.numpy(), np.ones(2))
    assert b not in opt.state  # (torch's Adagrad creates all its state up front; we lazily)


def test_zero_grad_zeros_in_place_and_keeps_none():
    a, b = Parameter(np.ones(3)), Parameter(np.ones(2))
    a.grad += 5.0
    b.grad = None
    g = a.grad
    optim.SGD([a, b], lr=0.1).zero_grad()
    assert a.grad is g
    np.testing.assert_array_equal(a.grad, np.zeros(3))
    assert b.grad is None


def test_step_with_closure_returns_its_loss_and_uses_its_gradient():
    p = Parameter(np.array([2.0]))

    def closure():
        p.grad[...] = 2 * p.data  # d/dp p^2
        return float(p.data[0] ** 2)

    loss = optim.SGD([p], lr=0.25).step(closure)
    assert loss == 4.0
    assert p.data[0] == 1.0  # 2 - 0.25 * 4


def test_generator_of_parameters_is_accepted():
    class Two(Module):
        def __init__(self):
            self.w = Parameter(np.ones(2))
            self.b = Parameter(np.zeros(1))

    model = Two()
    opt = optim.Adam(p for p in model.parameters())
    assert opt.params == [model.w, model.b]


def test_a_subclass_writes_only_update():
    class SignSGD(optim.Optimizer):
        def __init__(self, params, lr):
            super().__init__(params, {"lr": lr})

        def _update(self, p, grad, state):
            p.data -= self.lr * np.sign(grad)

    p = Parameter(np.array([1.0, -1.0, 0.0]))
    p.grad[...] = [3.0, -0.5, 0.0]
    SignSGD([p], lr=0.5).step()
    np.testing.assert_array_equal(p.data, [0.5, -0.5, 0.0])
    with pytest.raises(NotImplementedError, match="_update is not written"):
        optim.Optimizer([p], {}).step()


def test_repr_lists_hyperparameters():
    text = repr(optim.SGD([Parameter(np.ones(1))], lr=0.1, momentum=0.9))
    assert text.startswith("SGD(lr=0.1, momentum=0.9, dampening=0.0")


# --- invalid input: one clear error naming the argument ------------------------------------------
INVALID = [
    ("SGD", {"lr": -0.1}, "lr"),
    ("SGD", {"lr": float("nan")}, "lr"),
    ("SGD", {"momentum": -0.5}, "momentum"),
    ("SGD", {"dampening": 1.5}, "dampening"),
    ("SGD", {"weight_decay": -1e-4}, "weight_decay"),
    ("SGD", {"nesterov": True}, "nesterov"),
    ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "nesterov"),
    ("Adagrad", {"lr": -1.0}, "lr"),
    ("Adagrad", {"lr_decay": -0.1}, "lr_decay"),
    ("Adagrad", {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
    ("Adagrad", {"eps": -1e-10}, "eps"),
    ("RMSprop", {"alpha": -0.1}, "alpha"),
    ("RMSprop", {"alpha": 1.5}, "alpha"),
    ("RMSprop", {"eps": -1.0}, "eps"),
    ("RMSprop", {"momentum": -0.9}, "momentum"),
    ("Adam", {"betas": (1.0, 0.999)}, r"betas\[0\]"),
    ("Adam", {"betas": (0.9, -0.1)}, r"betas\[1\]"),
    ("Adam", {"betas": (0.9,)}, "betas"),
    ("Adam", {"eps": float("inf")}, "eps"),
    ("AdamW", {"weight_decay": -0.01}, "weight_decay"),
    ("AdamW", {"lr": -1e-3}, "lr"),
]


@pytest.mark.parametrize(
    "name, kwargs, arg", INVALID, ids=[f"{n}-{list(k)[-1]}" for n, k, _ in INVALID]
)
def test_invalid_hyperparameter_is_one_clear_value_error(name, kwargs, arg):
    with pytest.raises(ValueError, match=rf"^{name}: {arg}") as info:
        getattr(optim, name)([Parameter(np.ones(2))], **kwargs)
    assert "got" in str(info.value)


@pytest.mark.parametrize(
    "kwargs, arg",
    [
        ({"lr": "0.1"}, "lr"),
        ({"lr": None}, "lr"),
        ({"momentum": True}, "momentum"),
        ({"nesterov": "yes"}, "nesterov"),
    ],
)
def test_hyperparameter_of_the_wrong_kind_is_a_type_error(kwargs, arg):
    with pytest.raises(TypeError, match=rf"^SGD: {arg} must be"):
        optim.SGD([Parameter(np.ones(2))], **kwargs)


@pytest.mark.parametrize(
    "params, error, message",
    [
        ([], ValueError, "empty parameter list"),
        (iter([]), ValueError, "empty parameter list"),
        (Parameter(np.ones(2)), TypeError, "wrap it in a list"),
        (np.ones(2), TypeError, "iterable of Parameters"),
        ([np.ones(2)], TypeError, r"params\[0\].*wrap arrays in bpcourse.nn.Parameter"),
        ([torch.ones(2)], TypeError, r"params\[0\].*torch tensor"),
        ([{"params": []}], TypeError, "parameter groups are not supported"),
        (Module(), TypeError, r"pass model.parameters\(\)"),
    ],
)
def test_bad_params_are_refused_with_a_hint(params, error, message):
    with pytest.raises(error, match=message):
        optim.Adam(params)


def test_duplicate_parameter_is_refused():
    p = Parameter(np.ones(2))
    with pytest.raises(ValueError, match=r"params\[1\] appears twice"):
        optim.SGD([p, p], lr=0.1)


def test_grad_of_the_wrong_shape_or_dtype_is_refused_at_step():
    p = Parameter(np.ones(3))
    opt = optim.SGD([p], lr=0.1)
    p.grad = np.ones((1, 3))
    with pytest.raises(ValueError, match=r"params\[0\].grad must be an array of shape \(3,\)"):
        opt.step()
    p.grad = np.ones(3, dtype=np.float32)
    with pytest.raises(ValueError, match="dtype float64"):
        opt.step()


def test_optim_source_never_imports_torch():
    root = pathlib.Path(optim.__file__).parent
    for path in root.glob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+torch", path.read_text(), re.M), path.name


# ==============================================================================================
# bpcourse.optim: paths mutation testing found untested (tests/MUTATION.md).
# ==============================================================================================
def test_an_optimizer_without_update_names_itself():
    class Lazy(Optimizer):
        pass

    p = nn.Parameter(np.ones(2))
    with pytest.raises(NotImplementedError, match=r"^Lazy\._update is not written$"):
        Lazy([p], {}).step()


def test_rmsprop_state_counts_steps_and_has_only_the_buffers_it_uses():
    from bpcourse.optim import RMSprop

    p = nn.Parameter(np.array([1.0, -2.0]))
    p.grad[...] = [0.5, 0.25]
    opt = RMSprop([p], lr=0.1)
    for _ in range(3):
        opt.step()
    assert opt.state[p]["step"] == 3 and set(opt.state[p]) == {"step", "square_avg"}
    opt2 = RMSprop([q := nn.Parameter(np.ones(2))], lr=0.1, momentum=0.5, centered=True)
    q.grad[...] = 1.0
    opt2.step()
    assert set(opt2.state[q]) == {"step", "square_avg", "momentum_buffer", "grad_avg"}


def test_rmsprop_weight_decay_of_one_is_applied():
    import torch

    from bpcourse.optim import RMSprop

    p = nn.Parameter(np.array([1.0, -2.0]))
    p.grad[...] = [0.5, 0.25]
    RMSprop([p], lr=0.1, weight_decay=1.0).step()
    t = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    t.grad = torch.tensor([0.5, 0.25], dtype=torch.float64)
    torch.optim.RMSprop([t], lr=0.1, weight_decay=1.0).step()
    np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-10, atol=1e-12)


# --- bad input: one clear error, or the reference result (runner: tests/helpers.py) ---------------
BAD_INPUT = BadInputs()

OPTS = {
    "SGD": optim.SGD,
    "Adagrad": optim.Adagrad,
    "RMSprop": optim.RMSprop,
    "Adam": optim.Adam,
    "AdamW": optim.AdamW,
}


def params():
    return fresh_linear().parameters()


def same_param_twice(cls):
    q = nn.Parameter(np.ones(2))
    return cls([q, q], lr=0.1)


def step_with_grad(cls, grad):
    q = nn.Parameter(np.ones(2))
    q.grad = grad
    return cls([q], lr=0.1).step()


for name, cls in OPTS.items():
    BAD_INPUT.raises(
        f"{name}([]): no parameters",
        cls,
        ([],),
        {"lr": 0.1},
        match=rf"^{name}: params is an empty parameter list; nothing to optimize",
    )
    BAD_INPUT.raises(
        f"{name}(empty generator)",
        cls,
        ((p for p in ()),),
        {"lr": 0.1},
        match=rf"^{name}: params is an empty parameter list",
    )
    BAD_INPUT.raises(
        f"{name}(model)",
        cls,
        (fresh_linear(),),
        {"lr": 0.1},
        exc=TypeError,
        match=(
            rf"^{name}: params must be an iterable of Parameters, got the module Linear; pass "
            rf"model\.parameters\(\)"
        ),
    )
    BAD_INPUT.raises(
        f"{name}(one Parameter)",
        cls,
        (nn.Parameter(np.ones(2)),),
        {"lr": 0.1},
        exc=TypeError,
        match=(
            rf"^{name}: params must be an iterable of Parameters, got a single Parameter; wrap it "
            rf"in a list"
        ),
    )
    BAD_INPUT.raises(
        f"{name}([array])",
        cls,
        ([np.ones(2)],),
        {"lr": 0.1},
        exc=TypeError,
        match=(
            rf"^{name}: params\[0\] must be a Parameter, got ndarray; wrap arrays in "
            rf"bpcourse\.nn\.Parameter"
        ),
    )
    BAD_INPUT.raises(
        f"{name}([torch tensor])",
        cls,
        ([torch.ones(2, requires_grad=True)],),
        {"lr": 0.1},
        exc=TypeError,
        match=rf"^{name}: params\[0\] must be a Parameter, got Tensor \(a torch tensor",
    )
    BAD_INPUT.raises(
        f"{name}(param groups)",
        cls,
        ([{"params": params()}],),
        {"lr": 0.1},
        exc=TypeError,
        match=rf"^{name}: params\[0\] is a dict; parameter groups are not supported",
    )
    BAD_INPUT.raises(
        f"{name}(the same parameter twice)",
        same_param_twice,
        (cls,),
        match=rf"^{name}: params\[1\] appears twice in params",
    )
    BAD_INPUT.raises(
        f"{name}(lr=-0.1)",
        cls,
        (params(),),
        {"lr": -0.1},
        match=rf"^{name}: lr must be >= 0, got -0\.1",
    )
    BAD_INPUT.raises(
        f"{name}(lr=nan)",
        cls,
        (params(),),
        {"lr": np.nan},
        match=rf"^{name}: lr must be >= 0, got nan",
    )
    BAD_INPUT.raises(
        f"{name}(lr='0.1')",
        cls,
        (params(),),
        {"lr": "0.1"},
        exc=TypeError,
        match=rf"^{name}: lr must be a real number, got str '0\.1'",
    )
    BAD_INPUT.raises(
        f"{name}(lr=True)",
        cls,
        (params(),),
        {"lr": True},
        exc=TypeError,
        match=rf"^{name}: lr must be a real number, got bool True",
    )
    BAD_INPUT.raises(
        f"{name}(weight_decay=-1)",
        cls,
        (params(),),
        {"lr": 0.1, "weight_decay": -1},
        match=rf"^{name}: weight_decay must be >= 0, got -1",
    )
    BAD_INPUT.raises(
        f"{name}(maximize=1)",
        cls,
        (params(),),
        {"lr": 0.1, "maximize": 1},
        exc=TypeError,
        match=rf"^{name}: maximize must be True or False, got 1",
    )
    BAD_INPUT.raises(
        f"{name}.step: .grad of another shape",
        step_with_grad,
        (cls, np.ones(3)),
        match=(
            r"^params\[0\]\.grad must be an array of shape \(2,\) and dtype float64 \(like "
            r"\.data\), got shape \(3,\)"
        ),
    )
    BAD_INPUT.raises(
        f"{name}.step: integer .grad",
        step_with_grad,
        (cls, np.ones(2, dtype=int)),
        match=(
            r"^params\[0\]\.grad must be an array of shape \(2,\) and dtype float64 .*got shape "
            r"\(2,\) and dtype int64"
        ),
    )
    BAD_INPUT.raises(
        f"{name}.step: NaN in .grad",
        step_with_grad,
        (cls, np.array([np.nan, 1.0])),
        match=(
            r"^params\[0\]\.grad must be finite, got nan at index \(0,\): a NaN or infinite "
            r"gradient would spread into \.data \(look for an overflow, a log\(0\) or a division "
            r"by 0 in the forward or backward pass\)$"
        ),
    )
BAD_INPUT.raises(
    "SGD(momentum=-0.9)",
    optim.SGD,
    (params(),),
    {"lr": 0.1, "momentum": -0.9},
    match=r"^SGD: momentum must be >= 0, got -0\.9",
)
BAD_INPUT.raises(
    "SGD(dampening=2)",
    optim.SGD,
    (params(),),
    {"lr": 0.1, "momentum": 0.9, "dampening": 2},
    match=r"^SGD: dampening must be in \[0, 1\], got 2",
)
BAD_INPUT.raises(
    "SGD(nesterov=True) without momentum",
    optim.SGD,
    (params(),),
    {"lr": 0.1, "nesterov": True},
    match=(
        r"^SGD: nesterov=True requires momentum > 0 and dampening = 0, got momentum=0, dampening=0"
    ),
)
BAD_INPUT.raises(
    "SGD(nesterov='yes')",
    optim.SGD,
    (params(),),
    {"lr": 0.1, "nesterov": "yes"},
    exc=TypeError,
    match=r"^SGD: nesterov must be True or False, got 'yes'",
)
BAD_INPUT.raises(
    "Adam(betas=0.9)",
    optim.Adam,
    (params(),),
    {"betas": 0.9},
    match=r"^Adam: betas must be a pair \(beta1, beta2\), got 0\.9",
)
BAD_INPUT.raises(
    "Adam(betas=(0.9, 1.0))",
    optim.Adam,
    (params(),),
    {"betas": (0.9, 1.0)},
    match=r"^Adam: betas\[1\] must be in \[0, 1\), got 1\.0",
)
BAD_INPUT.raises(
    "AdamW(betas=(-0.1, 0.999))",
    optim.AdamW,
    (params(),),
    {"betas": (-0.1, 0.999)},
    match=r"^AdamW: betas\[0\] must be in \[0, 1\), got -0\.1",
)
BAD_INPUT.raises(
    "Adam(eps=-1e-8)",
    optim.Adam,
    (params(),),
    {"eps": -1e-8},
    match=r"^Adam: eps must be >= 0, got -1e-08",
)
BAD_INPUT.raises(
    "Adam(amsgrad='no')",
    optim.Adam,
    (params(),),
    {"amsgrad": "no"},
    exc=TypeError,
    match=r"^Adam: amsgrad must be True or False, got 'no'",
)
BAD_INPUT.raises(
    "RMSprop(alpha=1.5)",
    optim.RMSprop,
    (params(),),
    {"alpha": 1.5},
    match=r"^RMSprop: alpha must be in \[0, 1\], got 1\.5",
)
BAD_INPUT.raises(
    "RMSprop(momentum=-1)",
    optim.RMSprop,
    (params(),),
    {"momentum": -1},
    match=r"^RMSprop: momentum must be >= 0, got -1",
)
BAD_INPUT.raises(
    "RMSprop(centered=None)",
    optim.RMSprop,
    (params(),),
    {"centered": None},
    exc=TypeError,
    match=r"^RMSprop: centered must be True or False, got None",
)
BAD_INPUT.raises(
    "Adagrad(lr_decay=-1)",
    optim.Adagrad,
    (params(),),
    {"lr_decay": -1},
    match=r"^Adagrad: lr_decay must be >= 0, got -1",
)
BAD_INPUT.raises(
    "Adagrad(initial_accumulator_value=-1)",
    optim.Adagrad,
    (params(),),
    {"initial_accumulator_value": -1},
    match=r"^Adagrad: initial_accumulator_value must be >= 0, got -1",
)
BAD_INPUT.raises(
    "Adagrad(eps=inf)",
    optim.Adagrad,
    (params(),),
    {"eps": np.inf},
    match=r"^Adagrad: eps must be >= 0, got inf",
)


def one_step(cls, torch_cls, kwargs, data_, grad):
    """(bpcourse result, torch result) of one step from the same data and gradient."""
    p = nn.Parameter(data_)
    p.grad[...] = grad
    cls([p], **kwargs).step()
    return p.data


def torch_step(torch_cls, kwargs, data_, grad):
    def ref():
        t_ = tt(data_, grad=True)
        t_.grad = tt(grad)
        torch_cls(
            [t_],
            **{
                k: (float(v) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v)
                for k, v in kwargs.items()
            },
        ).step()
        return t_.detach().numpy()

    return ref


D0, G0 = np.array([1.0, -2.0, 0.5]), np.array([0.3, -0.1, 2.0])
TORCH_OPTS = {
    "SGD": torch.optim.SGD,
    "Adagrad": torch.optim.Adagrad,
    "RMSprop": torch.optim.RMSprop,
    "Adam": torch.optim.Adam,
    "AdamW": torch.optim.AdamW,
}
for name, cls in OPTS.items():
    BAD_INPUT.accepts(
        f"{name}(generator, lr=1 an int)",
        one_step,
        (cls, None, {"lr": 1}, D0, G0),
        expected=torch_step(TORCH_OPTS[name], {"lr": 1}, D0, G0),
    )
    BAD_INPUT.accepts(
        f"{name}(np.float32 lr)",
        one_step,
        (cls, None, {"lr": np.float32(0.5)}, D0, G0),
        expected=torch_step(TORCH_OPTS[name], {"lr": float(np.float32(0.5))}, D0, G0),
    )
BAD_INPUT.accepts(
    "SGD: integer Parameter data becomes float64 and steps",
    one_step,
    (optim.SGD, None, {"lr": 0.5}, np.array([1, -2, 0]), G0),
    expected=torch_step(torch.optim.SGD, {"lr": 0.5}, np.array([1.0, -2.0, 0.0]), G0),
)
BAD_INPUT.accepts(
    "SGD: a parameter whose .grad is None is skipped",
    lambda: (lambda p: (setattr(p, "grad", None), optim.SGD([p], lr=0.1).step(), p.data)[2])(
        nn.Parameter(D0)
    ),
    expected=lambda: D0,
)

test_bad_input_raises_one_clear_error, test_legitimate_input_gives_the_reference_result = (
    BAD_INPUT.tests()
)
