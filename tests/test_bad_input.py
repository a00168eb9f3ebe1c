"""The bad-input catalogue: what a learner plausibly passes, and what bpcourse must answer.

Two tables, one row per case:

- ``RAISES``: a call that must fail with ONE clear error, of the given type, whose message
  matches a regex naming the argument (anchored at the start where the argument comes first)
  and saying what was expected and what came ("... must be ..., got ...");
- ``ACCEPTS``: a call that is legitimate (a list instead of an array, integer inputs, float32,
  a batch of one in eval mode ...) and must give the right result, compared with a reference
  computed independently (torch, or the same maths written out here), never with itself.

A case that bpcourse does not handle well yet is marked ``xfail(strict=True)`` with the fix it
needs: the day the fix lands, the case passes, the strict xfail fails, and the mark goes.
``backward`` twice is documented here as what torch does with ``retain_graph=True``: parameter
gradients accumulate (``+=``), the returned input gradient is the same each time.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from helpers import Accepts, Raises, bad_input_tests

import bpcourse.check as C
import bpcourse.exercises as X
import bpcourse.functional as F
from bpcourse import data, engine, nn, notebook, optim
from bpcourse.nn import init, utils

T = torch.float64


def tt(a, dtype=T, grad=False):
    """A torch tensor copy of ``a`` (the reference side)."""
    return torch.tensor(np.array(a, dtype=np.float64), dtype=dtype, requires_grad=grad)


def tgrad(fn, *arrays, dtype=T):
    """d sum(fn(*xs)) / d xs[0] by torch autograd, as numpy (elementwise derivative for maps)."""
    xs = [tt(a, dtype, grad=(i == 0)) for i, a in enumerate(arrays)]
    out = fn(*xs)
    (g,) = torch.autograd.grad(out.sum(), xs[0])
    return g.detach().numpy()


def as_in_a_notebook(fn, *args, **kwargs):
    """Run ``fn`` with warnings shown rather than raised (pytest turns them into errors here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


# --- the two tables (Raises, Accepts and their runner: tests/helpers.py) -----------------------
X23 = np.array([[0.5, -1.0, 2.0], [-0.3, 0.0, 1.5]])
XI = np.array([[1, -2, 3], [0, 2, -1]])  # integer inputs
X32 = X23.astype(np.float32)
NAN = np.array([[0.5, np.nan, 2.0]])
INF = np.array([[0.5, np.inf, 2.0]])
P = np.array([[0.2, 0.7], [0.9, 0.4]])  # probabilities
XM = np.array([[0.5, -1.0], [2.0, -0.3]])  # regression outputs (2, 2)
Y = np.array([[0.0, 1.0], [1.0, 0.0]])  # binary targets
TORCH = torch.ones(2, 3, dtype=torch.float64)

NUMPY_HINT = r"must be a numpy array, got a torch\.Tensor .*\.detach\(\)\.numpy\(\)"

RAISES: list[Raises] = []
ACCEPTS: list[Accepts] = []


def R(*a, **k):
    RAISES.append(Raises(*a, **k))


def A(*a, **k):
    ACCEPTS.append(Accepts(*a, **k))


# =============================================================================================
# bpcourse.functional
# =============================================================================================
ELEMENTWISE = {
    # name: (function, argument name, torch reference of the value)
    "sigmoid": (F.sigmoid, "x", torch.sigmoid),
    "sigmoid_grad": (F.sigmoid_grad, "z", None),
    "tanh": (F.tanh, "x", torch.tanh),
    "tanh_grad": (F.tanh_grad, "z", None),
    "relu": (F.relu, "x", torch.relu),
    "relu_grad": (F.relu_grad, "z", None),
    "leaky_relu": (F.leaky_relu, "x", torch.nn.functional.leaky_relu),
    "leaky_relu_grad": (F.leaky_relu_grad, "z", None),
    "softmax": (F.softmax, "x", lambda t: torch.softmax(t, -1)),
    "log_softmax": (F.log_softmax, "x", lambda t: torch.log_softmax(t, -1)),
}
GRAD_OF = {
    "sigmoid_grad": torch.sigmoid,
    "tanh_grad": torch.tanh,
    "relu_grad": torch.relu,
    "leaky_relu_grad": torch.nn.functional.leaky_relu,
}


def _reference(name, x, dtype=T):
    if name in GRAD_OF:
        return lambda: tgrad(GRAD_OF[name], x, dtype=dtype).astype(
            np.float32 if dtype == torch.float32 else np.float64
        )
    ref = ELEMENTWISE[name][2]
    return lambda: ref(tt(x, dtype)).numpy()


for name, (fn, arg, _) in ELEMENTWISE.items():
    R(f"F.{name}: torch tensor", fn, (TORCH,), exc=TypeError, match=rf"^{arg} {NUMPY_HINT}")
    R(
        f"F.{name}: None",
        fn,
        (None,),
        exc=TypeError,
        match=rf"^{arg} must be an array of numbers, got NoneType",
    )
    R(
        f"F.{name}: string",
        fn,
        ("0.5",),
        exc=TypeError,
        match=rf"^{arg} must be an array of numbers, got str",
    )
    R(f"F.{name}: NaN", fn, (NAN,), match=rf"^{arg} must be finite, got nan at index \(0, 1\)")
    R(f"F.{name}: inf", fn, (INF,), match=rf"^{arg} must be finite, got inf at index \(0, 1\)")
    R(
        f"F.{name}: empty batch",
        fn,
        (np.zeros((0, 3)),),
        match=rf"^{arg} must not be empty, got an array of shape \(0, 3\)",
    )
    R(
        f"F.{name}: ragged list",
        fn,
        ([[1.0, 2.0], [3.0]],),
        match=rf"^{arg} must be a rectangular array",
    )
    A(f"F.{name}: list", fn, (X23.tolist(),), expected=_reference(name, X23))
    A(f"F.{name}: integers", fn, (XI,), expected=_reference(name, XI))
    A(
        f"F.{name}: float32 stays float32",
        fn,
        (X32,),
        expected=_reference(name, X32, torch.float32),
        rtol=1e-5,
        atol=1e-6,
    )

for name in ("leaky_relu", "leaky_relu_grad"):
    fn = getattr(F, name)
    R(
        f"F.{name}: slope a string",
        fn,
        (X23, "0.1"),
        exc=TypeError,
        match=r"^negative_slope must be a number, got '0\.1'",
    )
    R(
        f"F.{name}: slope True",
        fn,
        (X23, True),
        exc=TypeError,
        match=r"^negative_slope must be a number, got True",
    )
    R(f"F.{name}: slope inf", fn, (X23, np.inf), match=r"^negative_slope must be finite, got inf")
A(
    "F.leaky_relu_grad: slope 0.2, float32",
    F.leaky_relu_grad,
    (X32, 0.2),
    expected=lambda: tgrad(
        lambda t: torch.nn.functional.leaky_relu(t, 0.2), X32, dtype=torch.float32
    ),
    rtol=1e-5,
    atol=1e-6,
)
A(
    "F.leaky_relu: slope 0.2, integers",
    F.leaky_relu,
    (XI, 0.2),
    expected=lambda: torch.nn.functional.leaky_relu(tt(XI), 0.2).numpy(),
)

for name in ("softmax", "log_softmax"):
    fn = getattr(F, name)
    R(
        f"F.{name}: axis out of range",
        fn,
        (X23,),
        {"axis": 2},
        match=r"^axis must be in \[-2, 2\) for x of shape \(2, 3\), got 2",
    )
    R(
        f"F.{name}: axis a float",
        fn,
        (X23,),
        {"axis": 1.0},
        exc=TypeError,
        match=r"^axis must be an int, got 1\.0",
    )
    R(
        f"F.{name}: axis True",
        fn,
        (X23,),
        {"axis": True},
        exc=TypeError,
        match=r"^axis must be an int, got True",
    )
A(
    "F.softmax: axis=0",
    F.softmax,
    (X23,),
    {"axis": 0},
    expected=lambda: torch.softmax(tt(X23), 0).numpy(),
)
A(
    "F.log_softmax: axis=-2, integers",
    F.log_softmax,
    (XI,),
    {"axis": -2},
    expected=lambda: torch.log_softmax(tt(XI), 0).numpy(),
)

# softmax_backward / log_softmax_backward: (grad_output, out)
SM = F.softmax(X23)
LSM = F.log_softmax(X23)
G23 = np.array([[1.0, -2.0, 0.5], [0.3, 0.1, -1.0]])


def _sm_backward_ref(log, dtype=T):
    def ref():
        x = tt(X23, dtype, grad=True)
        out = torch.log_softmax(x, -1) if log else torch.softmax(x, -1)
        (g,) = torch.autograd.grad((out * tt(G23, dtype)).sum(), x)
        return g.numpy()

    return ref


for name, out in (("softmax_backward", SM), ("log_softmax_backward", LSM)):
    fn = getattr(F, name)
    log = name.startswith("log")
    R(
        f"F.{name}: grad_output of another shape",
        fn,
        (G23[:, :2], out),
        match=r"^grad_output must have shape \(2, 3\), got an array of shape \(2, 2\)",
    )
    R(
        f"F.{name}: grad_output transposed",
        fn,
        (G23.T, out),
        match=r"^grad_output must have shape \(2, 3\), got an array of shape \(3, 2\)",
    )
    R(f"F.{name}: out a torch tensor", fn, (G23, TORCH), exc=TypeError, match=rf"^out {NUMPY_HINT}")
    R(
        f"F.{name}: grad_output a torch tensor",
        fn,
        (TORCH, out),
        exc=TypeError,
        match=rf"^grad_output {NUMPY_HINT}",
    )
    R(f"F.{name}: grad_output NaN", fn, (NAN, out[:1]), match=r"^grad_output must be finite")
    R(
        f"F.{name}: axis out of range",
        fn,
        (G23, out),
        {"axis": -3},
        match=r"^axis must be in \[-2, 2\) for out of shape \(2, 3\), got -3",
    )
    A(f"F.{name}: grad_output a list", fn, (G23.tolist(), out), expected=_sm_backward_ref(log))
    A(
        f"F.{name}: float32 out keeps float32",
        fn,
        (G23, out.astype(np.float32)),
        expected=_sm_backward_ref(log, torch.float32),
        rtol=1e-5,
        atol=1e-6,
    )

# --- losses ----------------------------------------------------------------------------------
TF = torch.nn.functional
LOSSES = {
    # name: (value fn, grad fn, prediction argument name, torch loss, prediction, target)
    "mse": (F.mse, F.mse_grad, "pred", TF.mse_loss, XM, Y),
    "binary_cross_entropy": (
        F.binary_cross_entropy,
        F.binary_cross_entropy_grad,
        "prob",
        TF.binary_cross_entropy,
        P,
        Y,
    ),
    "binary_cross_entropy_with_logits": (
        F.binary_cross_entropy_with_logits,
        F.binary_cross_entropy_with_logits_grad,
        "logits",
        TF.binary_cross_entropy_with_logits,
        X23[:, :2],
        Y,
    ),
}


def _loss_ref(tloss, p, t, reduction="mean", grad=False, dtype=T):
    def ref():
        pt = tt(p, dtype, grad=True)
        out = tloss(pt, tt(t, dtype), reduction=reduction)
        if not grad:
            return out.item() if reduction != "none" else out.detach().numpy()
        (g,) = torch.autograd.grad(out.sum(), pt)
        return g.numpy()

    return ref


for name, (fn, gfn, arg, tloss, p, t) in LOSSES.items():
    for f, kind in ((fn, ""), (gfn, "_grad")):
        nm = f"F.{name}{kind}"
        R(
            f"{nm}: target of another shape",
            f,
            (p, t[:, :1]),
            match=r"^target must have shape \(2, 2\), got an array of shape \(2, 1\)",
        )
        R(
            f"{nm}: batch sizes differ",
            f,
            (p, np.vstack([t, t])),
            match=r"^target must have shape \(2, 2\), got an array of shape \(4, 2\)",
        )
        R(
            f"{nm}: (N,) target for (N, 1) predictions",
            f,
            (p[:, :1], t[:, 0]),
            match=r"^target must have shape \(2, 1\), got an array of shape \(2,\)",
        )
        R(
            f"{nm}: {arg} a torch tensor",
            f,
            (tt(p), t),
            exc=TypeError,
            match=rf"^{arg} {NUMPY_HINT}",
        )
        R(
            f"{nm}: target a torch tensor",
            f,
            (p, tt(t)),
            exc=TypeError,
            match=rf"^target {NUMPY_HINT}",
        )
        R(
            f"{nm}: {arg} NaN",
            f,
            (np.where(p == p.max(), np.nan, p), t),
            match=rf"^{arg} must be finite, got nan",
        )
        R(
            f"{nm}: target inf",
            f,
            (p, np.where(t == t.max(), np.inf, t)),
            match=r"^target must be finite, got inf",
        )
        R(
            f"{nm}: empty batch",
            f,
            (np.zeros((0, 2)), np.zeros((0, 2))),
            match=rf"^{arg} must not be empty",
        )
        R(
            f"{nm}: reduction 'avg'",
            f,
            (p, t, "avg"),
            match=r"""^reduction must be "mean", "sum" or "none", got 'avg'""",
        )
        R(
            f"{nm}: reduction None",
            f,
            (p, t),
            {"reduction": None},
            match=r"^reduction must be .*got None",
        )
        A(
            f"{nm}: lists",
            f,
            (p.tolist(), t.tolist()),
            expected=_loss_ref(tloss, p, t, grad=bool(kind)),
        )
        A(
            f"{nm}: integer target",
            f,
            (p, t.astype(int)),
            {"reduction": "sum"},
            expected=_loss_ref(tloss, p, t, "sum", grad=bool(kind)),
        )
    A(f"F.{name}: reduction='none'", fn, (p, t, "none"), expected=_loss_ref(tloss, p, t, "none"))
    A(
        f"F.{name}_grad: float32 {arg}, float64 target: float32",
        gfn,
        (p.astype(np.float32), t),
        expected=_loss_ref(tloss, p, t, grad=True, dtype=torch.float32),
        rtol=1e-5,
        atol=1e-6,
    )

A(
    "F.mse: integer pred and target",
    F.mse,
    (XI, XI[::-1]),
    expected=_loss_ref(TF.mse_loss, XI, XI[::-1]),
)
for fn in (F.binary_cross_entropy, F.binary_cross_entropy_grad):
    nm = f"F.{fn.__name__}"
    R(
        f"{nm}: prob above 1 (logits?)",
        fn,
        (P + 0.5, Y),
        match=r"^prob must hold probabilities in \[0, 1\], got 1\.2 at index \(0, 1\); if these are logits, use binary_cross_entropy_with_logits",
    )
    R(
        f"{nm}: prob below 0",
        fn,
        (P - 0.5, Y),
        match=r"^prob must hold probabilities in \[0, 1\], got -0\.3 at index \(0, 0\)",
    )
    R(
        f"{nm}: target 2",
        fn,
        (P, Y * 2),
        match=r"^target must hold probabilities in \[0, 1\], got 2\.0 at index \(0, 1\)",
    )
    R(
        f"{nm}: target -1 (labels in {{-1, 1}})",
        fn,
        (P, 2 * Y - 1),
        match=r"^target must hold probabilities in \[0, 1\], got -1\.0 at index \(0, 0\)",
    )
for fn in (F.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits_grad):
    nm = f"F.{fn.__name__}"
    R(
        f"{nm}: target -1",
        fn,
        (X23[:, :2], 2 * Y - 1),
        match=r"^target must hold probabilities in \[0, 1\], got -1\.0 at index \(0, 0\)",
    )
    A(
        f"{nm}: logits +-1e4 (stable)",
        fn,
        (np.array([[1e4, -1e4]]), np.array([[0.0, 1.0]])),
        expected=_loss_ref(
            TF.binary_cross_entropy_with_logits,
            [[1e4, -1e4]],
            [[0.0, 1.0]],
            grad=fn.__name__.endswith("grad"),
        ),
    )
A(
    "F.binary_cross_entropy: prob exactly 0 and 1 (log clamped at -100)",
    F.binary_cross_entropy,
    (np.array([0.0, 1.0]), np.array([1.0, 0.0])),
    expected=lambda: 100.0,
)

# cross-entropy: logits (N, C), target class indices (N,) or probabilities (N, C)
CE_T = np.array([2, 0])


def _ce_ref(z, t, reduction="mean", grad=False, dtype=T):
    def ref():
        zt = tt(z, dtype, grad=True)
        tgt = torch.as_tensor(np.asarray(t)).long() if np.ndim(t) == 1 else tt(t, dtype)
        out = TF.cross_entropy(zt, tgt, reduction=reduction)
        if not grad:
            return out.item() if reduction != "none" else out.detach().numpy()
        (g,) = torch.autograd.grad(out.sum(), zt)
        return g.numpy()

    return ref


for f in (F.cross_entropy, F.cross_entropy_grad):
    nm = f"F.{f.__name__}"
    g = f is F.cross_entropy_grad
    R(
        f"{nm}: class index = C",
        f,
        (X23, [0, 3]),
        match=r"^target must hold class indices in \[0, 2\] \(logits has 3 classes\), got 3 at index 1",
    )
    R(
        f"{nm}: class index -1",
        f,
        (X23, [-1, 0]),
        match=r"^target must hold class indices in \[0, 2\] .*got -1 at index 0",
    )
    R(
        f"{nm}: class index 1.5",
        f,
        (X23, [0, 1.5]),
        match=r"^target must hold integer class indices, got 1\.5 at index 1",
    )
    R(
        f"{nm}: batch sizes differ",
        f,
        (X23, [0, 1, 2]),
        match=r"^target must have shape \(2,\), got an array of shape \(3,\)",
    )
    R(
        f"{nm}: target (N, 1)",
        f,
        (X23, [[0], [1]]),
        match=r"^target must have shape \(2, 3\), got an array of shape \(2, 1\)",
    )
    R(
        f"{nm}: target 3-D",
        f,
        (X23, np.zeros((2, 3, 1))),
        match=r"^target must be 1-D or 2-D, got an array of shape \(2, 3, 1\)",
    )
    R(
        f"{nm}: logits 1-D (one sample)",
        f,
        (X23[0], [2]),
        match=r"^logits must be 2-D, got an array of shape \(3,\)",
    )
    R(
        f"{nm}: probabilities above 1",
        f,
        (X23, 2 * np.eye(3)[CE_T]),
        match=r"^target must hold probabilities in \[0, 1\], got 2\.0 at index \(0, 2\)",
    )
    R(
        f"{nm}: logits a torch tensor",
        f,
        (TORCH[:2], CE_T),
        exc=TypeError,
        match=rf"^logits {NUMPY_HINT}",
    )
    R(
        f"{nm}: target a torch tensor of labels",
        f,
        (X23, torch.tensor([2, 0])),
        exc=TypeError,
        match=rf"^target {NUMPY_HINT}",
    )
    R(
        f"{nm}: logits NaN",
        f,
        (np.where(X23 > 1.9, np.nan, X23), CE_T),
        match=r"^logits must be finite, got nan at index \(0, 2\)",
    )
    R(
        f"{nm}: empty batch",
        f,
        (np.zeros((0, 3)), np.zeros(0)),
        match=r"^logits must not be empty, got an array of shape \(0, 3\)",
    )
    R(
        f"{nm}: reduction 'batchmean'",
        f,
        (X23, CE_T, "batchmean"),
        match=r"^reduction must be .*got 'batchmean'",
    )
    A(
        f"{nm}: list logits, list labels",
        f,
        (X23.tolist(), CE_T.tolist()),
        expected=_ce_ref(X23, CE_T, grad=g),
    )
    A(
        f"{nm}: labels as floats 2.0, 0.0",
        f,
        (X23, CE_T.astype(float)),
        expected=_ce_ref(X23, CE_T, grad=g),
    )
    A(f"{nm}: one-hot target", f, (X23, np.eye(3)[CE_T]), expected=_ce_ref(X23, CE_T, grad=g))
    A(
        f"{nm}: soft target, reduction='sum'",
        f,
        (X23, P[:, :1] * np.eye(3)[CE_T] + (1 - P[:, :1]) / 3 * 0),
        {"reduction": "sum"},
        expected=_ce_ref(X23, P[:, :1] * np.eye(3)[CE_T], "sum", grad=g),
    )
    A(f"{nm}: integer logits", f, (XI, CE_T), expected=_ce_ref(XI, CE_T, grad=g))
A(
    "F.cross_entropy: reduction='none'",
    F.cross_entropy,
    (X23, CE_T, "none"),
    expected=_ce_ref(X23, CE_T, "none"),
)
A(
    "F.cross_entropy_grad: float32 logits, int labels: float32",
    F.cross_entropy_grad,
    (X32, CE_T),
    expected=_ce_ref(X32, CE_T, grad=True, dtype=torch.float32),
    rtol=1e-5,
    atol=1e-6,
)
A(
    "F.cross_entropy_grad: float32 logits, one-hot float64: float32",
    F.cross_entropy_grad,
    (X32, np.eye(3)[CE_T]),
    expected=_ce_ref(X32, CE_T, grad=True, dtype=torch.float32),
    rtol=1e-5,
    atol=1e-6,
)


# =============================================================================================
# bpcourse.nn: layers
# =============================================================================================
def fresh_linear(dtype=np.float64):
    return nn.Linear(3, 2, rng=0, dtype=dtype)


def linear_ref(x, dtype=T):
    lin = fresh_linear()
    return lambda: (tt(x, dtype) @ tt(lin.weight.data, dtype).T + tt(lin.bias.data, dtype)).numpy()


def backward_before_forward(module, g):
    return module.backward(g)


def forward_backward(module, x, g, **kw):
    module(x)
    return module.backward(g, **kw)


def forward_backward_twice(module, x, g, what="param"):
    """Forward once, backward twice: returns (the 2nd input gradient, the 1st parameter's .grad)."""
    module(x)
    module.backward(g)
    dx = module.backward(g)
    params = module.parameters()
    return params[0].grad if (what == "param" and params) else dx


def linear_grads_ref(x, g, times=1):
    def ref():
        lin = fresh_linear()
        W = tt(lin.weight.data, grad=True)
        out = tt(x) @ W.T + tt(lin.bias.data)
        (gw,) = torch.autograd.grad((out * tt(g)).sum(), W)
        return times * gw.numpy()

    return ref


G22 = np.array([[1.0, -1.0], [0.5, 2.0]])
R(
    "Linear(x): 4 features for in_features=3",
    lambda x: fresh_linear()(x),
    (np.ones((2, 4)),),
    match=r"^x must have shape \(N, 3\), got an array of shape \(2, 4\)",
)
R(
    "Linear(x): one sample as 1-D",
    lambda x: fresh_linear()(x),
    (np.ones(3),),
    match=r"^x must be 2-D, got an array of shape \(3,\)",
)
R(
    "Linear(x): x transposed",
    lambda x: fresh_linear()(x),
    (np.ones((3, 2)),),
    match=r"^x must have shape \(N, 3\), got an array of shape \(3, 2\)",
)
R(
    "Linear(x): torch tensor",
    lambda x: fresh_linear()(x),
    (TORCH,),
    exc=TypeError,
    match=rf"^x {NUMPY_HINT}",
)
R(
    "Linear(x): NaN",
    lambda x: fresh_linear()(x),
    (NAN,),
    match=r"^x must be finite, got nan at index \(0, 1\)",
)
R(
    "Linear(x): empty batch",
    lambda x: fresh_linear()(x),
    (np.zeros((0, 3)),),
    match=r"^x must not be empty, got an array of shape \(0, 3\)",
)
R(
    "Linear.backward before forward",
    backward_before_forward,
    (fresh_linear(), G22),
    exc=RuntimeError,
    match=r"^Linear\.backward called before forward",
)
R(
    "Linear.backward: grad_output of the input's shape",
    forward_backward,
    (fresh_linear(), X23, X23),
    match=r"^grad_output must have shape \(2, 2\), got an array of shape \(2, 3\)",
)
R(
    "Linear.backward: grad_output batch differs",
    forward_backward,
    (fresh_linear(), X23, np.ones((3, 2))),
    match=r"^grad_output must have shape \(2, 2\), got an array of shape \(3, 2\)",
)
R(
    "Linear.backward: grad_output torch",
    forward_backward,
    (fresh_linear(), X23, torch.ones(2, 2)),
    exc=TypeError,
    match=rf"^grad_output {NUMPY_HINT}",
)
R(
    "Linear.backward: grad_output NaN",
    forward_backward,
    (fresh_linear(), X23, np.array([[np.nan, 1.0], [1.0, 1.0]])),
    match=r"^grad_output must be finite",
)
R("Linear(0, 2)", nn.Linear, (0, 2), match=r"^in_features must be at least 1, got 0")
R("Linear(3, -1)", nn.Linear, (3, -1), match=r"^out_features must be at least 1, got -1")
R(
    "Linear(3.0, 2)",
    nn.Linear,
    (3.0, 2),
    exc=TypeError,
    match=r"^in_features must be an int, got 3\.0",
)
R(
    "Linear(True, 2)",
    nn.Linear,
    (True, 2),
    exc=TypeError,
    match=r"^in_features must be an int, got True",
)
R(
    "Linear(3, 2, dtype=int)",
    nn.Linear,
    (3, 2),
    {"dtype": int},
    exc=TypeError,
    match=r"^dtype must be np\.float32 or np\.float64, got <class 'int'>",
)
R(
    "Linear(3, 2, rng='seed')",
    nn.Linear,
    (3, 2),
    {"rng": "seed"},
    exc=TypeError,
    match=r"^rng must be a np\.random\.Generator, an int seed or None, got str",
)
A("Linear(x): a list", lambda x: fresh_linear()(x), (X23.tolist(),), expected=linear_ref(X23))
A("Linear(x): integers", lambda x: fresh_linear()(x), (XI,), expected=linear_ref(XI))
A(
    "Linear(x): float64 x in a float32 layer gives float32",
    lambda x: fresh_linear(np.float32)(x),
    (X23,),
    expected=lambda: (
        tt(X23, torch.float32) @ tt(fresh_linear(np.float32).weight.data, torch.float32).T
        + tt(fresh_linear(np.float32).bias.data, torch.float32)
    ).numpy(),
    rtol=1e-5,
    atol=1e-6,
)
A(
    "Linear.backward: grad_output a list gives dW",
    lambda g: (lambda m: (m(X23), m.backward(g), m.weight.grad)[2])(fresh_linear()),
    (G22.tolist(),),
    expected=linear_grads_ref(X23, G22),
)
A(
    "Linear.backward twice: weight.grad accumulates (2x), like torch with retain_graph",
    forward_backward_twice,
    (fresh_linear(), X23, G22),
    expected=linear_grads_ref(X23, G22, times=2),
)
A(
    "Linear.backward twice: the same dL/dx each time",
    forward_backward_twice,
    (fresh_linear(), X23, G22),
    {"what": "input"},
    expected=lambda: G22 @ fresh_linear().weight.data,
)

ACTS = {
    "ReLU": (nn.ReLU, torch.relu),
    "LeakyReLU": (nn.LeakyReLU, TF.leaky_relu),
    "Sigmoid": (nn.Sigmoid, torch.sigmoid),
    "Tanh": (nn.Tanh, torch.tanh),
}
for name, (cls, tfn) in ACTS.items():
    R(
        f"{name}.backward before forward",
        backward_before_forward,
        (cls(), G23),
        exc=RuntimeError,
        match=rf"^{name}\.backward called before forward: run the forward pass",
    )
    R(
        f"{name}.backward: grad_output transposed",
        forward_backward,
        (cls(), X23, G23.T),
        match=r"^grad_output must have shape \(2, 3\), got an array of shape \(3, 2\)",
    )
    R(
        f"{name}.backward: grad_output (1, 3) would broadcast",
        forward_backward,
        (cls(), X23, G23[:1]),
        match=r"^grad_output must have shape \(2, 3\), got an array of shape \(1, 3\)",
    )
    R(
        f"{name}(x): torch tensor",
        lambda x, cls=cls: cls()(x),
        (TORCH,),
        exc=TypeError,
        match=rf"^x {NUMPY_HINT}",
    )
    R(f"{name}(x): NaN", lambda x, cls=cls: cls()(x), (NAN,), match=r"^x must be finite")
    A(
        f"{name}(x): integers",
        lambda x, cls=cls: cls()(x),
        (XI,),
        expected=lambda tfn=tfn: tfn(tt(XI)).numpy(),
    )
    A(
        f"{name}.backward: list grad_output",
        forward_backward,
        (cls(), X23, G23.tolist()),
        expected=lambda tfn=tfn: tgrad(lambda x: tfn(x) * tt(G23), X23),
    )
    A(
        f"{name}.backward: float32 forward keeps float32",
        forward_backward,
        (cls(), X32, G23),
        expected=lambda tfn=tfn: tgrad(
            lambda x: tfn(x) * tt(G23, torch.float32), X32, dtype=torch.float32
        ),
        rtol=1e-5,
        atol=1e-6,
    )
    A(
        f"{name}.backward twice: the same dL/dx (no state)",
        forward_backward_twice,
        (cls(), X23, G23),
        {"what": "input"},
        expected=lambda tfn=tfn: tgrad(lambda x: tfn(x) * tt(G23), X23),
    )
R(
    "LeakyReLU('0.1')",
    nn.LeakyReLU,
    ("0.1",),
    exc=TypeError,
    match=r"^negative_slope must be a number, got '0\.1'",
)
R("LeakyReLU(nan)", nn.LeakyReLU, (np.nan,), match=r"^negative_slope must be finite, got nan")

R(
    "Sequential(Linear, a function)",
    nn.Sequential,
    (fresh_linear(), np.tanh),
    exc=TypeError,
    match=r"^Sequential takes bpcourse\.nn modules, got ufunc at position 1",
)
R(
    "Sequential(torch.nn.Linear)",
    nn.Sequential,
    (torch.nn.Linear(2, 2),),
    exc=TypeError,
    match=r"^Sequential takes bpcourse\.nn modules, got Linear at position 0",
)
R(
    "Sequential[5] of 2",
    lambda s: s[5],
    (nn.Sequential(nn.ReLU(), nn.Tanh()),),
    exc=IndexError,
    match=r"^index 5 is out of range for a Sequential of 2",
)
R(
    "Sequential['0']",
    lambda s: s["0"],
    (nn.Sequential(nn.ReLU()),),
    exc=TypeError,
    match=r"^Sequential index must be an int or a slice, got '0'",
)
R(
    "Sequential.backward before forward",
    backward_before_forward,
    (nn.Sequential(fresh_linear(), nn.ReLU()), G22),
    exc=RuntimeError,
    match=r"^ReLU\.backward called before forward",
)
R(
    "Sequential(x): wrong features named by the layer's argument",
    lambda x: nn.Sequential(fresh_linear(), nn.ReLU())(x),
    (np.ones((2, 5)),),
    match=r"^x must have shape \(N, 3\), got an array of shape \(2, 5\)",
)
A(
    "Sequential.backward twice: 0.weight.grad accumulates (2x)",
    forward_backward_twice,
    (nn.Sequential(fresh_linear()), X23, G22),
    expected=linear_grads_ref(X23, G22, times=2),
)

# --- losses as modules ----------------------------------------------------------------------
LOSS_MODULES = {
    "MSELoss": (nn.MSELoss, "pred", TF.mse_loss, XM, Y),
    "BCELoss": (nn.BCELoss, "prob", TF.binary_cross_entropy, P, Y),
    "BCEWithLogitsLoss": (
        nn.BCEWithLogitsLoss,
        "logits",
        TF.binary_cross_entropy_with_logits,
        X23[:, :2],
        Y,
    ),
}


def loss_backward(crit, p, t, grad_output=None):
    crit(p, t)
    return crit.backward(grad_output)


def loss_backward_twice(crit, p, t):
    crit(p, t)
    crit.backward()
    return crit.backward()


for name, (cls, arg, tloss, p, t) in LOSS_MODULES.items():
    R(
        f"{name}(reduction='avg')",
        cls,
        (),
        {"reduction": "avg"},
        match=r"""^reduction must be "mean", "sum" or "none", got 'avg'""",
    )
    R(
        f"{name}(reduction=None)",
        cls,
        (),
        {"reduction": None},
        match=r"^reduction must be .*got None",
    )
    R(
        f"{name}: target batch differs",
        lambda p, t, cls=cls: cls()(p, t),
        (p, t[:1]),
        match=r"^target must have shape \(2, 2\), got an array of shape \(1, 2\)",
    )
    R(
        f"{name}: (N,) target for (N, 1) output",
        lambda p, t, cls=cls: cls()(p, t),
        (p[:, :1], t[:, 0]),
        match=r"^target must have shape \(2, 1\), got an array of shape \(2,\)",
    )
    R(
        f"{name}: {arg} torch",
        lambda p, t, cls=cls: cls()(p, t),
        (tt(p), t),
        exc=TypeError,
        match=rf"^{arg} {NUMPY_HINT}",
    )
    R(
        f"{name}.backward before forward",
        lambda cls=cls: cls().backward(),
        exc=RuntimeError,
        match=rf"^{name}\.backward called before forward",
    )
    R(
        f"{name}.backward: grad_output (2,) for a mean",
        loss_backward,
        (cls(), p, t, np.ones(2)),
        match=r"^grad_output must have shape \(\), got an array of shape \(2,\)",
    )
    R(
        f"{name}(reduction='none').backward: grad_output ()",
        loss_backward,
        (cls(reduction="none"), p, t, 1.0),
        match=r"^grad_output must have shape \(2, 2\), got an array of shape \(\)",
    )
    A(
        f"{name}: lists",
        lambda p, t, cls=cls: cls()(p, t),
        (p.tolist(), t.tolist()),
        expected=_loss_ref(tloss, p, t),
    )
    A(
        f"{name}.backward: dL/dpred",
        loss_backward,
        (cls(), p, t),
        expected=_loss_ref(tloss, p, t, grad=True),
    )
    A(
        f"{name}.backward(2.0): chain rule",
        loss_backward,
        (cls(), p, t, 2.0),
        expected=lambda tloss=tloss, p=p, t=t: 2 * _loss_ref(tloss, p, t, grad=True)(),
    )
    A(
        f"{name}.backward twice: the same dL/dpred (a loss keeps nothing)",
        loss_backward_twice,
        (cls(), p, t),
        expected=_loss_ref(tloss, p, t, grad=True),
    )
    A(
        f"{name}(reduction='none').backward(w): weighted",
        loss_backward,
        (cls(reduction="none"), p, t, [[1.0, 2.0], [3.0, 0.5]]),
        expected=lambda tloss=tloss, p=p, t=t: tgrad(
            lambda q, y: tloss(q, y, reduction="none") * tt([[1.0, 2.0], [3.0, 0.5]]), p, t
        ),
    )
R(
    "BCELoss: prob above 1",
    lambda: nn.BCELoss()(P + 0.5, Y),
    match=r"^prob must hold probabilities in \[0, 1\], got 1\.2 .*binary_cross_entropy_with_logits",
)
R(
    "BCEWithLogitsLoss: target 2",
    lambda: nn.BCEWithLogitsLoss()(P, 2 * Y),
    match=r"^target must hold probabilities in \[0, 1\], got 2\.0",
)
R(
    "CrossEntropyLoss: class index = C",
    lambda: nn.CrossEntropyLoss()(X23, [0, 3]),
    match=r"^target must hold class indices in \[0, 2\] \(logits has 3 classes\), got 3 at index 1",
)
R(
    "CrossEntropyLoss: batch sizes differ",
    lambda: nn.CrossEntropyLoss()(X23, [0, 1, 2]),
    match=r"^target must have shape \(2,\), got an array of shape \(3,\)",
)
R(
    "CrossEntropyLoss: one-hot with too few classes",
    lambda: nn.CrossEntropyLoss()(X23, np.eye(2)),
    match=r"^target must have shape \(2, 3\), got an array of shape \(2, 2\)",
)
R(
    "CrossEntropyLoss(reduction='sum')",
    nn.CrossEntropyLoss,
    (),
    {"reduction": "sum "},
    match=r"^reduction must be .*got 'sum '",
)
R(
    "CrossEntropyLoss.backward before forward",
    lambda: nn.CrossEntropyLoss().backward(),
    exc=RuntimeError,
    match=r"^CrossEntropyLoss\.backward called before forward",
)
R(
    "CrossEntropyLoss(reduction='none').backward: grad_output (3,)",
    loss_backward,
    (nn.CrossEntropyLoss(reduction="none"), X23, CE_T, np.ones(3)),
    match=r"^grad_output must have shape \(2,\), got an array of shape \(3,\)",
)
A(
    "CrossEntropyLoss: lists",
    lambda: nn.CrossEntropyLoss()(X23.tolist(), CE_T.tolist()),
    expected=_ce_ref(X23, CE_T),
)
A(
    "CrossEntropyLoss.backward twice: the same dL/dlogits",
    loss_backward_twice,
    (nn.CrossEntropyLoss(), X23, CE_T),
    expected=_ce_ref(X23, CE_T, grad=True),
)
A(
    "CrossEntropyLoss(reduction='none').backward(w): rows weighted",
    loss_backward,
    (nn.CrossEntropyLoss(reduction="none"), X23, CE_T, [2.0, 0.5]),
    expected=lambda: tgrad(
        lambda z: TF.cross_entropy(z, torch.tensor([2, 0]), reduction="none") * tt([2.0, 0.5]), X23
    ),
)

# --- BatchNorm1d ----------------------------------------------------------------------------
XB = np.array([[0.5, -1.0, 2.0], [-0.3, 0.0, 1.5], [1.2, 0.7, -0.4], [0.1, 2.2, 0.9]])


def bn_ref(x, grad=None, times=1, eval_mode=False):
    def ref():
        bn = torch.nn.BatchNorm1d(3, dtype=T)
        if eval_mode:
            bn.eval()
        xt = tt(x, grad=True)
        out = bn(xt)
        if grad is None:
            return out.detach().numpy()
        (out * tt(grad)).sum().backward()
        return times * bn.weight.grad.numpy()

    return ref


R("BatchNorm1d(0)", nn.BatchNorm1d, (0,), match=r"^num_features must be >= 1, got 0")
R(
    "BatchNorm1d(3.0)",
    nn.BatchNorm1d,
    (3.0,),
    exc=TypeError,
    match=r"^num_features must be an int, got 3\.0",
)
R("BatchNorm1d(3, eps=0)", nn.BatchNorm1d, (3,), {"eps": 0}, match=r"^eps must be > 0, got 0")
R(
    "BatchNorm1d(3, momentum=1.5)",
    nn.BatchNorm1d,
    (3,),
    {"momentum": 1.5},
    match=r"^momentum must be in \[0, 1\] or None, got 1\.5",
)
R(
    "BatchNorm1d(3, eps='1e-5')",
    nn.BatchNorm1d,
    (3,),
    {"eps": "1e-5"},
    exc=TypeError,
    match=r"^eps must be a (positive |real )?number, got '1e-5'",
)
R(
    "BatchNorm1d(3, momentum='0.1')",
    nn.BatchNorm1d,
    (3,),
    {"momentum": "0.1"},
    exc=TypeError,
    match=r"^momentum must be a (real )?number( or None)?, got '0\.1'",
)
R(
    "BatchNorm1d(3, dtype=int)",
    nn.BatchNorm1d,
    (3,),
    {"dtype": int},
    exc=TypeError,
    match=r"^dtype must be np\.float32 or np\.float64, got",
)
R(
    "BatchNorm1d(3)(x): 2 features",
    lambda: nn.BatchNorm1d(3)(np.ones((4, 2))),
    match=r"^x must have 3 features in dimension 1 .*got shape \(4, 2\)",
)
R(
    "BatchNorm1d(3)(x): 1-D sample",
    lambda: nn.BatchNorm1d(3)(np.ones(3)),
    match=r"^x must be 2-D or 3-D, got an array of shape \(3,\)",
)
R(
    "BatchNorm1d(3)(x): batch of one in training",
    lambda: nn.BatchNorm1d(3)(np.ones((1, 3))),
    match=r"^Expected more than 1 value per channel when training, got input shape \(1, 3\): a batch of one has no variance \(use a bigger batch, or eval\(\) with track_running_stats=True\)$",
)
R(
    "BatchNorm1d(3)(x): NaN",
    lambda: nn.BatchNorm1d(3)(np.where(XB > 2, np.nan, XB)),
    match=r"^x must be finite, got nan at index \(3, 1\)",
)
R(
    "BatchNorm1d(3)(x): torch",
    lambda: nn.BatchNorm1d(3)(torch.ones(4, 3)),
    exc=TypeError,
    match=rf"^x {NUMPY_HINT}",
)
R(
    "BatchNorm1d.backward before forward",
    backward_before_forward,
    (nn.BatchNorm1d(3), XB),
    exc=RuntimeError,
    match=r"^BatchNorm1d\.backward called before forward",
)
R(
    "BatchNorm1d.backward: grad_output (4, 2)",
    forward_backward,
    (nn.BatchNorm1d(3), XB, np.ones((4, 2))),
    match=r"^grad_output must have the shape of the forward output \(4, 3\), got \(4, 2\)",
)
R(
    "BatchNorm1d.backward: grad_output torch",
    forward_backward,
    (nn.BatchNorm1d(3), XB, torch.ones(4, 3)),
    exc=TypeError,
    match=rf"^grad_output {NUMPY_HINT}",
)
A(
    "BatchNorm1d(3, momentum=0.0): running stats stay",
    lambda: (lambda b: (b(XB), b.running_mean)[1])(nn.BatchNorm1d(3, momentum=0.0)),
    expected=lambda: np.zeros(3),
)
A(
    "BatchNorm1d(3, momentum=1.0): running stats = the batch's",
    lambda: (lambda b: (b(XB), b.running_var)[1])(nn.BatchNorm1d(3, momentum=1.0)),
    expected=lambda: XB.var(axis=0, ddof=1),
)
A("BatchNorm1d(3)(x): a list", lambda: nn.BatchNorm1d(3)(XB.tolist()), expected=bn_ref(XB))
A("BatchNorm1d(3)(x): integers", lambda: nn.BatchNorm1d(3)(XI), expected=bn_ref(XI))
A(
    "BatchNorm1d(3).eval()(x): a batch of one is fine with running stats",
    lambda: nn.BatchNorm1d(3).eval()(XB[:1]),
    expected=bn_ref(XB[:1], eval_mode=True),
)
A(
    "BatchNorm1d.backward twice: weight.grad accumulates (2x)",
    forward_backward_twice,
    (nn.BatchNorm1d(3), XB, XB[::-1]),
    expected=bn_ref(XB, grad=XB[::-1], times=2),
)

# --- Residual -------------------------------------------------------------------------------
R(
    "Residual(a function)",
    nn.Residual,
    (np.tanh,),
    exc=TypeError,
    match=r"^block must be a bpcourse\.nn\.Module, got ufunc",
)
R(
    "Residual(Linear(3, 2))(x): shape changes",
    lambda: nn.Residual(fresh_linear())(X23),
    match=r"^Residual: the block must keep the shape of its input.*got input \(2, 3\) and block output \(2, 2\)",
)
R(
    "Residual.backward before forward",
    backward_before_forward,
    (nn.Residual(nn.Tanh()), X23),
    exc=RuntimeError,
    match=r"^Residual\.backward called before forward",
)
R(
    "Residual.backward: grad_output transposed",
    forward_backward,
    (nn.Residual(nn.Tanh()), X23, G23.T),
    match=r"^grad_output must have the shape of the forward output \(2, 3\), got \(3, 2\)",
)
R(
    "Residual.backward: grad_output torch",
    forward_backward,
    (nn.Residual(nn.Tanh()), X23, torch.ones(2, 3)),
    exc=TypeError,
    match=rf"^grad_output {NUMPY_HINT}",
)
R(
    "Residual(x): torch",
    lambda: nn.Residual(nn.Tanh())(TORCH),
    exc=TypeError,
    match=rf"^x {NUMPY_HINT}",
)
A(
    "Residual(Tanh).backward: list grad_output",
    forward_backward,
    (nn.Residual(nn.Tanh()), X23, G23.tolist()),
    expected=lambda: tgrad(lambda x: (x + torch.tanh(x)) * tt(G23), X23),
)

# --- Parameter, Module ------------------------------------------------------------------------
R(
    "Parameter(torch tensor)",
    nn.Parameter,
    (torch.ones(2),),
    exc=TypeError,
    match=rf"^parameter {NUMPY_HINT}",
)
R(
    "Parameter('1.0')",
    nn.Parameter,
    ("1.0",),
    exc=TypeError,
    match=r"^parameter must be an array of numbers, got str",
)
R(
    "Parameter(NaN)",
    nn.Parameter,
    ([1.0, np.nan],),
    match=r"^parameter must be finite, got nan at index \(1,\)",
)
R(
    "Module().forward (not written)",
    lambda: nn.Module()(X23),
    exc=NotImplementedError,
    match=r"^Module\.forward is not written",
)
A(
    "Parameter(list of ints): float64 data, zero grad",
    lambda: (lambda p: np.stack([p.data, p.grad]))(nn.Parameter([1, 2])),
    expected=lambda: np.array([[1.0, 2.0], [0.0, 0.0]]),
)

# --- init ------------------------------------------------------------------------------------
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
    R(
        f"init.{fname}(a list)",
        fn,
        ([[0.0, 0.0]],),
        exc=TypeError,
        match=r"^tensor must be a Parameter or a numpy array \(filled in place\), got list",
    )
    R(
        f"init.{fname}(torch tensor)",
        fn,
        (torch.zeros(2, 3),),
        exc=TypeError,
        match=r"^tensor must be a Parameter or a numpy array .*got Tensor; call \.detach\(\)\.numpy\(\) first",
    )
    R(
        f"init.{fname}(integer array)",
        fn,
        (np.zeros((2, 3), dtype=int),),
        exc=TypeError,
        match=r"^tensor must have dtype float32 or float64, got int64",
    )
for fname in ("xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"):
    R(
        f"init.{fname}(a bias (3,))",
        getattr(init, fname),
        (np.zeros(3),),
        match=r"^Fan in and fan out can not be computed for tensor with fewer than 2 dimensions \(got shape \(3,\)\)",
    )
    R(
        f"init.{fname}(rng='0')",
        getattr(init, fname),
        (np.zeros((2, 3)),),
        {"rng": "0"},
        exc=TypeError,
        match=r"^rng must be a np\.random\.Generator, an int seed or None, got '0'",
    )
R(
    "init.kaiming_uniform_(mode='fan')",
    init.kaiming_uniform_,
    (np.zeros((2, 3)),),
    {"mode": "fan"},
    match=r"^Mode fan not supported, please use one of \['fan_in', 'fan_out'\]",
)
R(
    "init.kaiming_normal_(nonlinearity='gelu')",
    init.kaiming_normal_,
    (np.zeros((2, 3)),),
    {"nonlinearity": "gelu"},
    match=r"^Unsupported nonlinearity 'gelu'; expected one of: .*relu",
)
R(
    "init.calculate_gain('softmax')",
    init.calculate_gain,
    ("softmax",),
    match=r"^Unsupported nonlinearity 'softmax'",
)
R(
    "init.calculate_gain('leaky_relu', '0.2')",
    init.calculate_gain,
    ("leaky_relu", "0.2"),
    match=r"^negative_slope 0\.2 not a valid number",
)
R(
    "init.calculate_fan_in_and_fan_out(scalar array)",
    init.calculate_fan_in_and_fan_out,
    (np.zeros(()),),
    match=r"fewer than 2 dimensions \(got shape \(\)\)",
)
R(
    "init.normal_(std=-1)",
    init.normal_,
    (np.zeros((2, 3)),),
    {"std": -1.0},
    match=r"^std must be >= 0, got -1",
)
R(
    "init.uniform_(a=1, b=0)",
    init.uniform_,
    (np.zeros((2, 3)), 1.0, 0.0),
    match=r"^uniform_ expects a <= b, got a=1\.0 > b=0\.0",
)
R(
    "init.constant_(val='1')",
    init.constant_,
    (np.zeros((2, 3)), "1"),
    exc=TypeError,
    match=r"^val must be a (real )?number, got '1'",
)
R(
    "init.xavier_uniform_(gain='1')",
    init.xavier_uniform_,
    (np.zeros((2, 3)),),
    {"gain": "1"},
    exc=TypeError,
    match=r"^gain must be a (real )?number, got '1'",
)
A(
    "init.xavier_uniform_(Parameter, rng=0): fills .data in the torch bound",
    lambda: bool(
        np.abs(init.xavier_uniform_(nn.Parameter(np.zeros((20, 30))), rng=0).data).max()
        <= np.sqrt(6 / 50)
    ),
    expected=lambda: True,
)
A(
    "init.calculate_gain('leaky_relu', 0.2) (an int-free float)",
    init.calculate_gain,
    ("leaky_relu", 0.2),
    expected=lambda: torch.nn.init.calculate_gain("leaky_relu", 0.2),
)
A(
    "init.calculate_fan_in_and_fan_out: (out, in, k)",
    init.calculate_fan_in_and_fan_out,
    (np.zeros((4, 3, 5)),),
    expected=lambda: np.array(torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(4, 3, 5))),
)


# --- clipping ----------------------------------------------------------------------------------
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
R(
    "clip_grad_norm_(model)",
    utils.clip_grad_norm_,
    (fresh_linear(), 1.0),
    exc=TypeError,
    match=r"^parameters must be a Parameter or an iterable of Parameters, got the module Linear; pass model\.parameters\(\)",
)
R(
    "clip_grad_norm_([array])",
    utils.clip_grad_norm_,
    ([np.ones(2)], 1.0),
    exc=TypeError,
    match=r"^parameters\[0\] must be a Parameter, got ndarray; wrap arrays in bpcourse\.nn\.Parameter",
)
R(
    "clip_grad_norm_(torch params)",
    utils.clip_grad_norm_,
    ([torch.ones(2)], 1.0),
    exc=TypeError,
    match=r"^parameters\[0\] must be a Parameter, got Tensor \(a torch tensor",
)
R(
    "clip_grad_norm_(42)",
    utils.clip_grad_norm_,
    (42, 1.0),
    exc=TypeError,
    match=r"^parameters must be a Parameter or an iterable of Parameters, got int",
)
R(
    "clip_grad_norm_: inf norm with error_if_nonfinite",
    lambda: utils.clip_grad_norm_(params_with_grads([np.inf, 1.0]), 1.0, error_if_nonfinite=True),
    exc=RuntimeError,
    match=r"^The total norm of order 2\.0 for gradients from `parameters` is non-finite",
)
R(
    "clip_grad_norm_(max_norm='1')",
    lambda: utils.clip_grad_norm_(params_with_grads([1.0]), "1"),
    exc=TypeError,
    match=r"^max_norm must be a (real )?number, got '1'",
)
R(
    "clip_grad_norm_(max_norm=-1)",
    lambda: utils.clip_grad_norm_(params_with_grads([1.0]), -1.0),
    match=r"^max_norm must be >= 0, got -1",
)
R(
    "clip_grad_norm_(norm_type='l2')",
    lambda: utils.clip_grad_norm_(params_with_grads([1.0]), 1.0, "l2"),
    exc=TypeError,
    match=r"^norm_type must be a (real )?number.*got 'l2'",
)
R(
    "clip_grad_value_(clip_value=-1)",
    lambda: utils.clip_grad_value_(params_with_grads([1.0]), -1.0),
    match=r"^clip_value must be >= 0, got -1",
)
A(
    "clip_grad_norm_: two parameters, total norm 13 -> 1",
    clipped,
    (utils.clip_grad_norm_, GR, 1.0),
    expected=torch_clipped("clip_grad_norm_", GR, 1.0),
)
A(
    "clip_grad_norm_: norm_type=inf",
    clipped,
    (utils.clip_grad_norm_, GR, 2.0, np.inf),
    expected=torch_clipped("clip_grad_norm_", GR, 2.0, np.inf),
)
A(
    "clip_grad_norm_: a single Parameter (not in a list)",
    lambda: (lambda p: (utils.clip_grad_norm_(p, 1.0), p.grad)[1])(
        params_with_grads([3.0, 4.0])[0]
    ),
    expected=lambda: np.array([3.0, 4.0]) / (5 + 1e-6),
)
A("clip_grad_norm_: empty list returns 0.0", utils.clip_grad_norm_, ([], 1.0), expected=lambda: 0.0)
A(
    "clip_grad_value_: max_norm as int",
    clipped,
    (utils.clip_grad_value_, GR, 5),
    expected=torch_clipped("clip_grad_value_", GR, 5.0),
)

# =============================================================================================
# bpcourse.optim
# =============================================================================================
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
    R(
        f"{name}([]): no parameters",
        cls,
        ([],),
        {"lr": 0.1},
        match=rf"^{name}: params is an empty parameter list; nothing to optimize",
    )
    R(
        f"{name}(empty generator)",
        cls,
        ((p for p in ()),),
        {"lr": 0.1},
        match=rf"^{name}: params is an empty parameter list",
    )
    R(
        f"{name}(model)",
        cls,
        (fresh_linear(),),
        {"lr": 0.1},
        exc=TypeError,
        match=rf"^{name}: params must be an iterable of Parameters, got the module Linear; pass model\.parameters\(\)",
    )
    R(
        f"{name}(one Parameter)",
        cls,
        (nn.Parameter(np.ones(2)),),
        {"lr": 0.1},
        exc=TypeError,
        match=rf"^{name}: params must be an iterable of Parameters, got a single Parameter; wrap it in a list",
    )
    R(
        f"{name}([array])",
        cls,
        ([np.ones(2)],),
        {"lr": 0.1},
        exc=TypeError,
        match=rf"^{name}: params\[0\] must be a Parameter, got ndarray; wrap arrays in bpcourse\.nn\.Parameter",
    )
    R(
        f"{name}([torch tensor])",
        cls,
        ([torch.ones(2, requires_grad=True)],),
        {"lr": 0.1},
        exc=TypeError,
        match=rf"^{name}: params\[0\] must be a Parameter, got Tensor \(a torch tensor",
    )
    R(
        f"{name}(param groups)",
        cls,
        ([{"params": params()}],),
        {"lr": 0.1},
        exc=TypeError,
        match=rf"^{name}: params\[0\] is a dict; parameter groups are not supported",
    )
    R(
        f"{name}(the same parameter twice)",
        same_param_twice,
        (cls,),
        match=rf"^{name}: params\[1\] appears twice in params",
    )
    R(
        f"{name}(lr=-0.1)",
        cls,
        (params(),),
        {"lr": -0.1},
        match=rf"^{name}: lr must be >= 0, got -0\.1",
    )
    R(
        f"{name}(lr=nan)",
        cls,
        (params(),),
        {"lr": np.nan},
        match=rf"^{name}: lr must be >= 0, got nan",
    )
    R(
        f"{name}(lr='0.1')",
        cls,
        (params(),),
        {"lr": "0.1"},
        exc=TypeError,
        match=rf"^{name}: lr must be a real number, got str '0\.1'",
    )
    R(
        f"{name}(lr=True)",
        cls,
        (params(),),
        {"lr": True},
        exc=TypeError,
        match=rf"^{name}: lr must be a real number, got bool True",
    )
    R(
        f"{name}(weight_decay=-1)",
        cls,
        (params(),),
        {"lr": 0.1, "weight_decay": -1},
        match=rf"^{name}: weight_decay must be >= 0, got -1",
    )
    R(
        f"{name}(maximize=1)",
        cls,
        (params(),),
        {"lr": 0.1, "maximize": 1},
        exc=TypeError,
        match=rf"^{name}: maximize must be True or False, got 1",
    )
    R(
        f"{name}.step: .grad of another shape",
        step_with_grad,
        (cls, np.ones(3)),
        match=r"^params\[0\]\.grad must be an array of shape \(2,\) and dtype float64 \(like \.data\), got shape \(3,\)",
    )
    R(
        f"{name}.step: integer .grad",
        step_with_grad,
        (cls, np.ones(2, dtype=int)),
        match=r"^params\[0\]\.grad must be an array of shape \(2,\) and dtype float64 .*got shape \(2,\) and dtype int64",
    )
    R(
        f"{name}.step: NaN in .grad",
        step_with_grad,
        (cls, np.array([np.nan, 1.0])),
        match=r"^params\[0\]\.grad must be finite, got nan at index \(0,\)",
    )
R(
    "SGD(momentum=-0.9)",
    optim.SGD,
    (params(),),
    {"lr": 0.1, "momentum": -0.9},
    match=r"^SGD: momentum must be >= 0, got -0\.9",
)
R(
    "SGD(dampening=2)",
    optim.SGD,
    (params(),),
    {"lr": 0.1, "momentum": 0.9, "dampening": 2},
    match=r"^SGD: dampening must be in \[0, 1\], got 2",
)
R(
    "SGD(nesterov=True) without momentum",
    optim.SGD,
    (params(),),
    {"lr": 0.1, "nesterov": True},
    match=r"^SGD: nesterov=True requires momentum > 0 and dampening = 0, got momentum=0, dampening=0",
)
R(
    "SGD(nesterov='yes')",
    optim.SGD,
    (params(),),
    {"lr": 0.1, "nesterov": "yes"},
    exc=TypeError,
    match=r"^SGD: nesterov must be True or False, got 'yes'",
)
R(
    "Adam(betas=0.9)",
    optim.Adam,
    (params(),),
    {"betas": 0.9},
    match=r"^Adam: betas must be a pair \(beta1, beta2\), got 0\.9",
)
R(
    "Adam(betas=(0.9, 1.0))",
    optim.Adam,
    (params(),),
    {"betas": (0.9, 1.0)},
    match=r"^Adam: betas\[1\] must be in \[0, 1\), got 1\.0",
)
R(
    "AdamW(betas=(-0.1, 0.999))",
    optim.AdamW,
    (params(),),
    {"betas": (-0.1, 0.999)},
    match=r"^AdamW: betas\[0\] must be in \[0, 1\), got -0\.1",
)
R(
    "Adam(eps=-1e-8)",
    optim.Adam,
    (params(),),
    {"eps": -1e-8},
    match=r"^Adam: eps must be >= 0, got -1e-08",
)
R(
    "Adam(amsgrad='no')",
    optim.Adam,
    (params(),),
    {"amsgrad": "no"},
    exc=TypeError,
    match=r"^Adam: amsgrad must be True or False, got 'no'",
)
R(
    "RMSprop(alpha=1.5)",
    optim.RMSprop,
    (params(),),
    {"alpha": 1.5},
    match=r"^RMSprop: alpha must be in \[0, 1\], got 1\.5",
)
R(
    "RMSprop(momentum=-1)",
    optim.RMSprop,
    (params(),),
    {"momentum": -1},
    match=r"^RMSprop: momentum must be >= 0, got -1",
)
R(
    "RMSprop(centered=None)",
    optim.RMSprop,
    (params(),),
    {"centered": None},
    exc=TypeError,
    match=r"^RMSprop: centered must be True or False, got None",
)
R(
    "Adagrad(lr_decay=-1)",
    optim.Adagrad,
    (params(),),
    {"lr_decay": -1},
    match=r"^Adagrad: lr_decay must be >= 0, got -1",
)
R(
    "Adagrad(initial_accumulator_value=-1)",
    optim.Adagrad,
    (params(),),
    {"initial_accumulator_value": -1},
    match=r"^Adagrad: initial_accumulator_value must be >= 0, got -1",
)
R(
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
    A(
        f"{name}(generator, lr=1 an int)",
        one_step,
        (cls, None, {"lr": 1}, D0, G0),
        expected=torch_step(TORCH_OPTS[name], {"lr": 1}, D0, G0),
    )
    A(
        f"{name}(np.float32 lr)",
        one_step,
        (cls, None, {"lr": np.float32(0.5)}, D0, G0),
        expected=torch_step(TORCH_OPTS[name], {"lr": float(np.float32(0.5))}, D0, G0),
    )
A(
    "SGD: integer Parameter data becomes float64 and steps",
    one_step,
    (optim.SGD, None, {"lr": 0.5}, np.array([1, -2, 0]), G0),
    expected=torch_step(torch.optim.SGD, {"lr": 0.5}, np.array([1.0, -2.0, 0.0]), G0),
)
A(
    "SGD: a parameter whose .grad is None is skipped",
    lambda: (lambda p: (setattr(p, "grad", None), optim.SGD([p], lr=0.1).step(), p.data)[2])(
        nn.Parameter(D0)
    ),
    expected=lambda: D0,
)

# =============================================================================================
# bpcourse.check
# =============================================================================================
R(
    "assert_close: (3,) against (1, 3) never broadcasts",
    C.assert_close,
    (np.ones(3), np.ones((1, 3))),
    {"name": "db"},
    exc=AssertionError,
    match=r"^db has shape \(3,\), expected \(1, 3\) — the same numbers in a different shape",
)
R(
    "assert_close: (n,) against (n, 1)",
    C.assert_close,
    (np.ones(3), np.ones((3, 1))),
    {"name": "dx"},
    exc=AssertionError,
    match=r"^dx has shape \(3,\), expected \(3, 1\)",
)
R(
    "assert_close: transposed dW",
    C.assert_close,
    (np.ones((3, 2)), np.ones((2, 3))),
    {"name": "dW"},
    exc=AssertionError,
    match=r"^dW has shape \(3, 2\), expected \(2, 3\) — transposed\?",
)
R(
    "assert_close: float32 against float64",
    C.assert_close,
    (X32, X23),
    {"name": "dW"},
    exc=AssertionError,
    match=r"^dW has dtype float32, expected float64 — float32 keeps about 7 significant digits",
)
R(
    "assert_close: None (cell not run)",
    C.assert_close,
    (None, X23),
    {"name": "dW"},
    exc=AssertionError,
    match=r"^dW is None: the variable was never given a value",
)
R(
    "assert_close: a Parameter instead of its .grad",
    C.assert_close,
    (nn.Parameter(X23), X23),
    {"name": "W"},
    exc=TypeError,
    match=r"^W is a Parameter: compare its gradient W\.grad",
)
R(
    "assert_close: the variable's name instead of it",
    C.assert_close,
    ("dW", X23),
    {"name": "dW"},
    exc=TypeError,
    match=r"^dW must be an array or a number, got str",
)
R(
    "assert_close: NaN in yours",
    C.assert_close,
    (np.array([np.nan, 1.0]), np.array([1.0, 1.0])),
    {"name": "dx"},
    exc=AssertionError,
    match=r"^dx: max abs diff inf at \[0\] \(yours nan, expected 1\)",
)
R(
    "assert_close: a sign flip",
    C.assert_close,
    (-X23, X23),
    {"name": "dW"},
    exc=AssertionError,
    match=r"^dW: max abs diff .*\n.*\nLikely cause: a sign flip",
)
R(
    "assert_close: rtol='1e-5'",
    C.assert_close,
    (X23, X23),
    {"rtol": "1e-5"},
    exc=TypeError,
    match=r"^rtol must be a (real |non-negative )?number, got '1e-5'",
)
A(
    "assert_close: torch float64 tensor against numpy (the reverse is fine)",
    lambda: C.assert_close(torch.tensor(X23), X23).ok,
    expected=lambda: True,
)
A(
    "assert_close: a list against float64",
    lambda: C.assert_close(X23.tolist(), X23).ok,
    expected=lambda: True,
)
A(
    "assert_close: a Python float against a 0-d array",
    lambda: C.assert_close(0.5, np.array(0.5)).ok,
    expected=lambda: True,
)

R(
    "torch_grad: no input array",
    C.torch_grad,
    (lambda: torch.zeros(()),),
    exc=TypeError,
    match=r"^torch_grad needs at least one input array after fn",
)
R(
    "torch_grad: fn returns a vector",
    C.torch_grad,
    (lambda x: 2 * x, np.ones(2)),
    match=r"^fn must return a scalar \(one number\) to differentiate, got shape \(2,\)",
)
R(
    "torch_grad: fn returns a float",
    C.torch_grad,
    (lambda x: 1.0, np.ones(2)),
    exc=TypeError,
    match=r"^fn must return a torch scalar tensor, got float",
)
R(
    "torch_grad: fn written with numpy",
    lambda: as_in_a_notebook(C.torch_grad, lambda x: np.tanh(x).sum(), np.ones(2)),
    exc=TypeError,
    match=r"^fn must (be written with|use) torch operations",
)
A(
    "torch_grad: a torch tensor input is accepted",
    lambda: C.torch_grad(lambda x: (x * x).sum(), torch.tensor([1.0, -2.0]))[0],
    expected=lambda: np.array([2.0, -4.0]),
)
A(
    "torch_grad: list and int inputs",
    lambda: C.torch_grad(lambda a, b: (a * b).sum(), [1, 2], np.array([3, 4])),
    expected=lambda: (np.array([3.0, 4.0]), np.array([1.0, 2.0])),
)

R(
    "numerical_grad: float32 x",
    C.numerical_grad,
    (lambda x: x.sum(), X32),
    exc=TypeError,
    match=r"^x is float32: finite differences need float64",
)
R(
    "numerical_grad: h=0",
    C.numerical_grad,
    (lambda x: x.sum(), X23),
    {"h": 0},
    match=r"^h must be a positive number, got 0\.0",
)
R(
    "numerical_grad: h=-1e-6",
    C.numerical_grad,
    (lambda x: x.sum(), X23),
    {"h": -1e-6},
    match=r"^h must be a positive number, got -1e-06",
)
R(
    "numerical_grad: fn returns a vector",
    C.numerical_grad,
    (lambda x: x, X23),
    match=r"^fn must return a single number \(a loss\), got an array of shape \(2, 3\)",
)
R(
    "numerical_grad: kinks without return_kinks",
    C.numerical_grad,
    (lambda x: x.sum(), X23),
    {"kinks": [0.0]},
    exc=TypeError,
    match=r"^kinks= is used with return_kinks=True",
)
A(
    "numerical_grad: integer x",
    C.numerical_grad,
    (lambda x: (x**3).sum(), np.array([1, -2])),
    expected=lambda: np.array([3.0, 12.0]),
    rtol=1e-6,
    atol=1e-8,
)
A(
    "numerical_grad: torch float64 x",
    C.numerical_grad,
    (lambda x: (x**2).sum(), torch.tensor([1.0, -2.0], dtype=T)),
    expected=lambda: np.array([2.0, -4.0]),
    rtol=1e-6,
    atol=1e-8,
)
R(
    "kink_mask: mask of another shape",
    C.kink_mask,
    (np.ones(2), np.ones(3, dtype=bool), 1e-6),
    match=r"^a kink mask must have the shape of x \(2,\), got \(3,\)",
)

R(
    "check_gradient: one gradient for two inputs",
    C.check_gradient,
    (lambda a, b: (a * b).sum(), (np.ones(2), np.ones(2)), (np.ones(2),)),
    exc=TypeError,
    match=r"^hand must hold 2 gradients \(one per input\), got 1",
)
R(
    "check_gradient: dict keys differ",
    C.check_gradient,
    (lambda a: (a * a).sum(), {"a": np.ones(2)}, {"b": np.ones(2)}),
    exc=TypeError,
    match=r"^hand must be a dict with the keys of inputs \['a'\], got \['b'\]",
)
R(
    "check_gradient: names of the wrong length",
    C.check_gradient,
    (lambda a, b: (a * b).sum(), (np.ones(2), np.ones(2)), (np.ones(2), np.ones(2))),
    {"names": ["da"]},
    exc=TypeError,
    match=r"^names must hold 2 names, got 1",
)
R(
    "check_gradient: wrong hand gradient (sign)",
    C.check_gradient,
    (lambda a: (a * a).sum(), X23, -2 * X23),
    exc=AssertionError,
    match=r"^dx: max abs diff .*\n.*\nLikely cause: a sign flip",
)
R(
    "check_gradient: float32 input",
    C.check_gradient,
    (lambda a: (a * a).sum(), X32, 2 * X32),
    exc=TypeError,
    match=r"^the input of dx is float32: finite differences need float64",
)
R(
    "check_gradient: fn with np.tanh and no torch_fn",
    as_in_a_notebook,
    (C.check_gradient, lambda a: np.tanh(a).sum(), X23, 1 - np.tanh(X23) ** 2),
    exc=TypeError,
    match=r"^fn does not run on torch tensors .*pass torch_fn=",
)
A(
    "check_gradient: integer input and list hand",
    lambda: bool(C.check_gradient(lambda a: (a * a).sum(), np.array([1, -2]), [2.0, -4.0])),
    expected=lambda: True,
)

R(
    "to_torch(an object)",
    C.to_torch,
    (object(),),
    exc=TypeError,
    match=r"^to_torch does not know how to convert object: register a converter with @bpcourse\.check\.register_converter\(ThatClass\)$",
)
R(
    "to_torch(a torch module)",
    C.to_torch,
    (torch.nn.Linear(2, 2),),
    exc=TypeError,
    match=r"^to_torch does not know how to convert Linear",
)
R(
    "check_model_grads: class index out of range",
    C.check_model_grads,
    (nn.Sequential(fresh_linear()), nn.CrossEntropyLoss(), X23, np.array([0, 2])),
    match=r"^target must hold class indices in \[0, 1\] \(logits has 2 classes\), got 2 at index 1",
)
R(
    "check_model_grads: target batch differs",
    C.check_model_grads,
    (nn.Sequential(fresh_linear()), nn.MSELoss(), X23, np.ones((3, 2))),
    match=r"^target must have shape \(2, 2\), got an array of shape \(3, 2\)",
)
R(
    "check_model_grads: X with wrong features",
    C.check_model_grads,
    (nn.Sequential(fresh_linear()), nn.MSELoss(), np.ones((2, 4)), np.ones((2, 2))),
    match=r"^x must have shape \(N, 3\), got an array of shape \(2, 4\)",
)
A(
    "check_model_grads: X a torch tensor (the reverse is fine)",
    lambda: str(
        C.check_model_grads(
            nn.Sequential(fresh_linear()), nn.MSELoss(), torch.tensor(X23), np.ones((2, 2))
        )
    ),
    expected=lambda: (
        "OK 5 checks match torch autograd: output, loss, 0.weight.grad, 0.bias.grad, dX (input gradient)"
    ),
)
A(
    "check_model_grads: list X, integer labels",
    lambda: str(
        C.check_model_grads(
            nn.Sequential(fresh_linear()), nn.CrossEntropyLoss(), X23.tolist(), [1, 0]
        )
    ),
    expected=lambda: (
        "OK 5 checks match torch autograd: output, loss, 0.weight.grad, 0.bias.grad, dX (input gradient)"
    ),
)

R(
    "exercises.run: an exercise that does not exist",
    lambda: X.run("ex_no_such_exercise", len),
    exc=LookupError,
    match=r"^no exercise named 'ex_no_such_exercise'; known: ",
)
R(
    "exercises.register: no hints",
    lambda: X.register("ex_bad", hints=()),
    exc=TypeError,
    match=r"^hints of ex_bad must be a non-empty tuple of non-empty strings",
)
R(
    "exercises.register: an empty hint",
    lambda: X.register("ex_bad", hints=("",)),
    exc=TypeError,
    match=r"^hints of ex_bad must be a non-empty tuple of non-empty strings",
)
R(
    "exercises.register: a name that is no identifier",
    lambda: X.register("ex bad", hints=("h",)),
    exc=TypeError,
    match=r"^name must be a Python identifier, got 'ex bad'",
)
R(
    "exercises.expect: a mistake the inputs cannot tell from the answer",
    lambda: X.expect(2.0, 2.0, "x", mistakes={"doubled": 2.0}),
    exc=RuntimeError,
    match=r"^check of x: the mistake 'doubled' gives the right value on these inputs",
)

# =============================================================================================
# bpcourse.engine (scalar Value, Neuron/Layer/MLP)
# =============================================================================================
V = engine.Value


def value_backward_twice():
    """x = 1.5, y = x * x + tanh(x); backward twice -> x.grad is twice dy/dx."""
    x = V(1.5)
    y = x * x + x.tanh()
    y.backward()
    y.backward()
    return x.grad


def torch_backward_twice():
    x = torch.tensor(1.5, dtype=T, requires_grad=True)
    y = x * x + torch.tanh(x)
    y.backward(retain_graph=True)
    y.backward()
    return x.grad.item()


R(
    "Value('1.5')",
    V,
    ("1.5",),
    exc=TypeError,
    match=r"^Value\(data\) needs a real number \(int or float\), got str '1\.5'",
)
R(
    "Value(True)",
    V,
    (True,),
    exc=TypeError,
    match=r"^Value\(data\) needs a real number .*got bool True",
)
R(
    "Value(array)",
    V,
    (np.ones(2),),
    exc=TypeError,
    match=r"^Value\(data\) needs a real number .*got numpy\.ndarray of shape \(2,\)",
)
R(
    "Value(torch scalar)",
    V,
    (torch.tensor(1.0),),
    exc=TypeError,
    match=r"^Value\(data\) needs a real number .*got torch\.Tensor of shape \(\)",
)
R("Value(nan)", V, (np.nan,), match=r"^Value\(data\) must be finite, got nan")
R(
    "Value + '1'",
    lambda: V(1.0) + "1",
    exc=TypeError,
    match=r"^unsupported operand for Value \+: str '1'; expected a Value or a real number",
)
R(
    "Value * array",
    lambda: V(1.0) * np.ones(2),
    exc=TypeError,
    match=r"^unsupported operand for Value \*: numpy\.ndarray of shape \(2,\).*use one Value per number",
)
R(
    "array + Value",
    lambda: np.ones(2) + V(1.0),
    exc=TypeError,
    match=r"^unsupported operand for Value \+: numpy\.ndarray of shape \(2,\)",
)
R(
    "Value - torch tensor",
    lambda: V(1.0) - torch.ones(2),
    exc=TypeError,
    match=r"^unsupported operand for Value -: torch\.Tensor of shape \(2,\)",
)
R(
    "2 / Value(0)",
    lambda: 2 / V(0.0),
    exc=ZeroDivisionError,
    match=r"^division by zero: 2\.0 / 0\.0",
)
R(
    "Value ** Value",
    lambda: V(2.0) ** V(3.0),
    exc=TypeError,
    match=r"^unsupported exponent for Value \*\*: Value .*expected a plain int or float",
)
R(
    "Value(0) ** -1",
    lambda: V(0.0) ** -1,
    exc=ZeroDivisionError,
    match=r"^division by zero: 0\.0 \*\* -1\.0",
)
R(
    "Value(-1) ** 0.5",
    lambda: V(-1.0) ** 0.5,
    match=r"^-1\.0 \*\* 0\.5: a negative base needs an integer exponent",
)
R("Value(0).log()", lambda: V(0.0).log(), match=r"^log of a non-positive number: log\(0\.0\)")
R(
    "Value(1000).exp()",
    lambda: V(1000.0).exp(),
    exc=OverflowError,
    match=r"^exp\(1000\.0\) is too large for a float",
)
R(
    "Value.backward('1')",
    lambda: V(1.0).backward("1"),
    exc=TypeError,
    match=r"^backward\(gradient\) needs a real number, got str '1'",
)
R(
    "engine.zero_grad([1.0])",
    engine.zero_grad,
    ([1.0],),
    exc=TypeError,
    match=r"^zero_grad expects Values, got float 1\.0",
)
R("Neuron(0)", engine.Neuron, (0,), match=r"^nin must be a positive int, got 0")
R(
    "Neuron(2.5)",
    engine.Neuron,
    (2.5,),
    exc=TypeError,
    match=r"^nin must be a positive int, got 2\.5",
)
R(
    "Neuron(2, 'gelu')",
    engine.Neuron,
    (2, "gelu"),
    match=r"^activation must be one of \('relu', 'tanh', 'sigmoid', None\), got 'gelu'",
)
R(
    "Neuron(2, rng='0')",
    engine.Neuron,
    (2,),
    {"rng": "0"},
    exc=TypeError,
    match=r"^rng must be None, an int seed or a random\.Random, got str '0'",
)
R(
    "Neuron(2)(one input)",
    lambda: engine.Neuron(2, rng=0)([1.0]),
    match=r"^Neuron expects 2 inputs, got 1",
)
R(
    "Layer(2, 3)(three inputs)",
    lambda: engine.Layer(2, 3, rng=0)([1.0, 2.0, 3.0]),
    match=r"^Neuron expects 2 inputs, got 3",
)
R("Layer(2, 0)", engine.Layer, (2, 0), match=r"^nout must be a positive int, got 0")
R(
    "MLP(2, [])",
    engine.MLP,
    (2, []),
    match=r"^nouts must be a non-empty list of layer sizes, got \[\]",
)
R("MLP(2, 3)", engine.MLP, (2, 3), match=r"^nouts must be a non-empty list of layer sizes, got 3")
R("MLP(2, [3, 0])", engine.MLP, (2, [3, 0]), match=r"^nout must be a positive int, got 0")
R(
    "MLP(2, [3, 1])(torch inputs)",
    lambda: engine.MLP(2, [3, 1], rng=0)(torch.ones(2)),
    exc=TypeError,
    match=r"^unsupported operand for Value \*: torch\.Tensor of shape \(\)",
)
A(
    "Value.backward twice: gradients accumulate like torch with retain_graph",
    value_backward_twice,
    expected=torch_backward_twice,
)
A("Value: int data becomes float", lambda: V(3).data, expected=lambda: 3.0)
A(
    "Value.backward(2): the seed scales every gradient",
    lambda: (lambda x: ((x * 3.0).backward(2), x.grad)[1])(V(1.0)),
    expected=lambda: 6.0,
)
A(
    "Neuron(2)(ints and numpy floats)",
    lambda: engine.Neuron(2, activation=None, rng=0)([1, np.float64(2.0)]).data,
    expected=lambda: (lambda n: n.w[0].data * 1 + n.w[1].data * 2.0 + n.b.data)(
        engine.Neuron(2, activation=None, rng=0)
    ),
)


# =============================================================================================
# bpcourse.data and bpcourse.notebook
# =============================================================================================
R("spirals(0)", data.spirals, (0,), match=r"^n_per_class must be at least 1, got 0")
R(
    "spirals(2.5)",
    data.spirals,
    (2.5,),
    exc=TypeError,
    match=r"^n_per_class must be an integer, got float 2\.5",
)
R(
    "spirals(n_classes=1)",
    data.spirals,
    (),
    {"n_classes": 1},
    match=r"^n_classes must be at least 2, got 1",
)
R(
    "spirals(noise=nan)",
    data.spirals,
    (),
    {"noise": np.nan},
    match=r"^noise must be a finite number >= 0, got nan",
)
R(
    "spirals(noise=-0.1)",
    data.spirals,
    (),
    {"noise": -0.1},
    match=r"^noise must be a finite number >= 0, got -0\.1",
)
R("spirals(seed=-1)", data.spirals, (), {"seed": -1}, match=r"^seed must be >= 0, got -1")
R(
    "spirals(seed='0')",
    data.spirals,
    (),
    {"seed": "0"},
    exc=TypeError,
    match=r"^seed must be an integer \(or a np\.random\.Generator\), got str '0'",
)
R("moons(1)", data.moons, (1,), match=r"^n must be at least 2, got 1")
R(
    "moons(noise='0.1')",
    data.moons,
    (),
    {"noise": "0.1"},
    exc=TypeError,
    match=r"^noise must be a number, got str '0\.1'",
)
R(
    "linear_toy(weight=inf)",
    data.linear_toy,
    (),
    {"weight": np.inf},
    match=r"^weight must be finite, got inf",
)
R(
    "linear_toy(bias='1')",
    data.linear_toy,
    (),
    {"bias": "1"},
    exc=TypeError,
    match=r"^bias must be a number, got str '1'",
)
R(
    "linear_toy(n=True)",
    data.linear_toy,
    (),
    {"n": True},
    exc=TypeError,
    match=r"^n must be an integer, got bool True",
)
A(
    "spirals(seed=np.int64(3)) equals seed=3",
    lambda: data.spirals(10, seed=np.int64(3))[0],
    expected=lambda: data.spirals(10, seed=3)[0],
)
A(
    "moons(seed=Generator) draws from it",
    lambda: data.moons(10, seed=np.random.default_rng(5))[0],
    expected=lambda: data.moons(10, seed=5)[0],
)
A(
    "xor(): the four corners and their XOR",
    lambda: np.hstack(data.xor()),
    expected=lambda: np.array([[0.0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]),
)

R(
    "setup_notebook(-1)",
    notebook.setup_notebook,
    (-1,),
    match=r"^seed must be a non-negative integer, got -1",
)
R(
    "setup_notebook(1.5)",
    notebook.setup_notebook,
    (1.5,),
    exc=TypeError,
    match=r"^seed must be a non-negative integer, got 1\.5",
)


# =============================================================================================
# the tests
# =============================================================================================
test_bad_input_raises_one_clear_error, test_legitimate_input_gives_the_reference_result = (
    bad_input_tests(RAISES, ACCEPTS)
)


def test_catalogue_is_large_and_ids_are_unique() -> None:
    ids = [c.id for c in RAISES] + [c.id for c in ACCEPTS]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert len(RAISES) >= 300 and len(ACCEPTS) >= 100, (len(RAISES), len(ACCEPTS))
