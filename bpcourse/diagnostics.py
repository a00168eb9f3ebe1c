"""Per-layer measurements of a ``Sequential``: activations on the way forward, gradients back.

Vanishing and exploding gradients are a *per-layer* story: the gradient reaching layer ``l`` is
the product of the Jacobians of every layer above it. To see it, run the layers one by one and
keep what passes between them:

    rec = record(model, X, criterion, y)     # zero_grad, forward, loss, backward, recorded
    rec.weight_grad_norms()                  # ||dL/dW|| of each child with a weight, input first
    weight_grad_norms(model)                 # {"0.weight": ||dL/dW||, ...}, nested layers too
    rec.stats()                              # one LayerStats per child: activations and gradients
    print(rec.table())

``Recorder`` does the same in two explicit steps (``forward`` then ``backward``), and
``snapshot``/``update_ratios`` measure how much each weight moved in an optimiser step
(``||W_after - W_before|| / ||W_before||``, about 1e-3 is the usual healthy value).

The layers are run exactly as ``Sequential`` runs them (``child(x)`` in order, ``child.backward``
in reverse order), so the recorded model computes the same outputs and gradients. numpy only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .nn.module import Module, Parameter

__all__ = [
    "LayerStats",
    "Record",
    "Recorder",
    "activation_saturation",
    "record",
    "saturated",
    "snapshot",
    "update_ratios",
    "weight_grad_norms",
]

# The package's one definition of "saturated": output ranges where an activation's derivative
# is (almost) zero. sigmoid' < 0.0196 and tanh' < 0.0396 there; a ReLU at 0 passes no gradient.
_SATURATED = {
    "sigmoid": lambda a: (a < 0.02) | (a > 0.98),
    "tanh": lambda a: np.abs(a) > 0.98,
    "relu": lambda a: a <= 0,
}


def saturated(kind: str, output: np.ndarray) -> np.ndarray:
    """Boolean mask, the shape of ``output``: where the activation ``kind`` passes ~no gradient.

    ``kind``: "sigmoid", "tanh" or "relu" (any case, e.g. the layer's class name "Sigmoid").
    Sigmoid: output < 0.02 or > 0.98; Tanh: |output| > 0.98; ReLU: output <= 0 (inactive).
    """
    test = _SATURATED.get(kind.lower())
    if test is None:
        raise ValueError(f"kind must be one of {tuple(_SATURATED)} (any case), got {kind!r:.60}")
    return np.asarray(test(np.asarray(output)))


def activation_saturation(kind: str, output: np.ndarray) -> float | None:
    """Fraction of ``output`` (any shape) that is :func:`saturated` for the activation ``kind``.

    Returns None for other layers (a Linear has no saturation).
    """
    if kind.lower() not in _SATURATED:
        return None
    return float(np.mean(saturated(kind, output)))


@dataclass(frozen=True)
class LayerStats:
    """What one child of the Sequential saw in one forward/backward pass.

    Attributes:
        name: the child's name in the Sequential (``"0"``, ``"1"`` ...).
        kind: its class name (``"Linear"``, ``"Sigmoid"`` ...).
        out_mean, out_std: mean and standard deviation of its output (N, D_out).
        saturation: see :func:`activation_saturation` (None for non-activations).
        grad_out_norm: Frobenius norm of dL/d(output), (N, D_out); None before backward.
        grad_in_norm: Frobenius norm of dL/d(input), (N, D_in); None before backward.
        weight_norm, weight_grad_norm: norms of ``weight.data`` and ``weight.grad`` when the
            child has a ``weight`` Parameter, else None.
    """

    name: str
    kind: str
    out_mean: float
    out_std: float
    saturation: float | None
    grad_out_norm: float | None
    grad_in_norm: float | None
    weight_norm: float | None
    weight_grad_norm: float | None


@dataclass
class Record:
    """Everything kept from one recorded pass.

    Attributes:
        names, kinds: child names and class names, input side first (length L).
        inputs: ``inputs[i]`` is what child i received, (N, D_i); ``inputs[0]`` is X.
        outputs: ``outputs[i]`` is child i's output, (N, D_{i+1}); the last is the prediction.
        grad_outputs: ``grad_outputs[i]`` = dL/d(outputs[i]), same shape (filled by backward).
        grad_inputs: ``grad_inputs[i]`` = dL/d(inputs[i]), same shape (filled by backward).
        weights: child name -> its ``weight`` Parameter (only children that have one).
        loss: the loss value when a criterion was given, else None.
    """

    names: list[str]
    kinds: list[str]
    inputs: list[np.ndarray] = field(default_factory=list)
    outputs: list[np.ndarray] = field(default_factory=list)
    grad_outputs: list[np.ndarray] = field(default_factory=list)
    grad_inputs: list[np.ndarray] = field(default_factory=list)
    weights: dict[str, Parameter] = field(default_factory=dict)
    loss: float | None = None

    def _check_backward(self) -> None:
        if not self.grad_outputs:
            raise RuntimeError("no gradients recorded yet: run the backward pass first")

    def layer_names(self, kind: str | None = None) -> list[str]:
        """Names of the children (of class ``kind`` only, when given), input first."""
        return [n for n, k in zip(self.names, self.kinds) if kind is None or k == kind]

    def activations(self, kind: str | None = None) -> list[np.ndarray]:
        """Outputs of the children of class ``kind`` (all when None), each (N, D), input first."""
        return [o for o, k in zip(self.outputs, self.kinds) if kind is None or k == kind]

    def weight_grad_norms(self) -> list[float]:
        """``||dL/dW||`` (Frobenius) of every child with a weight, input side first (length L_w)."""
        self._check_backward()
        return [float(np.linalg.norm(w.grad)) for w in self.weights.values()]

    def grad_output_norms(self, kind: str | None = None) -> list[float]:
        """``||dL/d(output)||`` of the children of class ``kind`` (all when None), input first."""
        self._check_backward()
        return [
            float(np.linalg.norm(g))
            for g, k in zip(self.grad_outputs, self.kinds)
            if kind is None or k == kind
        ]

    def stats(self) -> list[LayerStats]:
        """One :class:`LayerStats` per child, input side first."""
        out = []
        for i, (name, kind, o) in enumerate(zip(self.names, self.kinds, self.outputs)):
            w = self.weights.get(name)
            has_grads = len(self.grad_outputs) == len(self.outputs)
            out.append(
                LayerStats(
                    name=name,
                    kind=kind,
                    out_mean=float(np.mean(o)),
                    out_std=float(np.std(o)),
                    saturation=activation_saturation(kind, o),
                    grad_out_norm=float(np.linalg.norm(self.grad_outputs[i]))
                    if has_grads
                    else None,
                    grad_in_norm=float(np.linalg.norm(self.grad_inputs[i])) if has_grads else None,
                    weight_norm=None if w is None else float(np.linalg.norm(w.data)),
                    weight_grad_norm=None
                    if w is None or not has_grads
                    else float(np.linalg.norm(w.grad)),
                )
            )
        return out

    def table(self) -> str:
        """A fixed-width text table of :meth:`stats` (3 significant digits), one row per child."""

        def fmt(v: float | None, spec: str) -> str:
            return "-" if v is None else format(v, spec)

        head = f"{'layer':>5} {'kind':<11} {'out mean':>9} {'out std':>9} {'saturated':>9} "
        head += f"{'|dL/dout|':>10} {'|W|':>9} {'|dL/dW|':>10}"
        rows = [head]
        for s in self.stats():
            rows.append(
                f"{s.name:>5} {s.kind:<11} {s.out_mean:>9.3f} {s.out_std:>9.3f} "
                f"{fmt(s.saturation, '9.1%'):>9} {fmt(s.grad_out_norm, '10.2e'):>10} "
                f"{fmt(s.weight_norm, '9.3f'):>9} {fmt(s.weight_grad_norm, '10.2e'):>10}"
            )
        return "\n".join(rows)


def _children(model: Module) -> list[tuple[str, Module]]:
    if not isinstance(model, Module):
        raise TypeError(
            f"model must be a bpcourse.nn Module (a Sequential), got {type(model).__name__}"
        )
    children = list(model.named_children())
    if not children:
        raise ValueError(
            f"model ({type(model).__name__}) has no child layers to record: "
            "pass a Sequential(Linear(...), Sigmoid(), ...)"
        )
    return children


class Recorder:
    """Run a Sequential layer by layer and keep each layer's input, output and gradients.

    ``out = rec.forward(X)`` (X: (N, D_in) -> out (N, D_out)), then
    ``dX = rec.backward(dout)`` (dout: dL/dout, shape of out -> dX, shape of X). Parameter
    gradients accumulate into ``.grad`` exactly as ``model.backward`` would. ``rec.record``
    holds the last pass.
    """

    def __init__(self, model: Module) -> None:
        self.model = model
        self.children = _children(model)
        self.record = self._new_record()

    def _new_record(self) -> Record:
        weights = {
            n: w for n, c in self.children if isinstance(w := getattr(c, "weight", None), Parameter)
        }
        return Record(
            names=[n for n, _ in self.children],
            kinds=[type(c).__name__ for _, c in self.children],
            weights=weights,
        )

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, D_in) -> the model's output, (N, D_out); records every intermediate."""
        self.record = self._new_record()
        h = x
        for _, child in self.children:
            self.record.inputs.append(np.array(h, copy=True))
            h = child(h)
            self.record.outputs.append(np.array(h, copy=True))
        return h

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """grad_output: dL/d(output), (N, D_out) -> dL/dx, (N, D_in); records every gradient."""
        if not self.record.outputs:
            raise RuntimeError("Recorder.backward called before forward: run rec.forward(X) first")
        g = np.asarray(grad_output)
        grads_out, grads_in = [], []
        for _, child in reversed(self.children):
            grads_out.append(np.array(g, copy=True))
            g = child.backward(g)
            grads_in.append(np.array(g, copy=True))
        self.record.grad_outputs = grads_out[::-1]
        self.record.grad_inputs = grads_in[::-1]
        return g


def record(
    model: Module,
    X: np.ndarray,
    criterion: Any = None,
    y: object | None = None,
    *,
    grad_output: np.ndarray | None = None,
    zero_grad: bool = True,
) -> Record:
    """One recorded forward and backward pass of ``model`` on a batch.

    Args:
        model: a Sequential (any Module whose children run one after another).
        X: inputs (N, D_in).
        criterion, y: a bpcourse loss and its targets; the backward pass starts from
            ``criterion.backward()``. Or give ``grad_output`` (dL/d(output), (N, D_out)) instead.
        zero_grad: clear the parameters' ``.grad`` first, so the recorded weight gradients are
            this batch's only.

    Returns:
        a :class:`Record` (with ``loss`` set when a criterion was given).
    """
    if (criterion is None) == (grad_output is None):
        raise TypeError("record() needs either criterion and y, or grad_output")
    rec = Recorder(model)
    if zero_grad:
        model.zero_grad()
    out = rec.forward(X)
    loss = None
    if criterion is not None:
        loss = criterion(out, y)
        grad_output = criterion.backward()
    assert grad_output is not None  # checked above: one of criterion and grad_output
    rec.backward(grad_output)
    rec.record.loss = None if loss is None else float(loss)
    return rec.record


def weight_grad_norms(model: Module) -> dict[str, float]:
    """``||dL/dW||`` of every matrix weight in ``model``, nested ones included, input first.

    Returns ``{"0.weight": norm, "2.block.0.weight": norm, ...}``: every parameter named
    ``...weight`` with 2 or more dimensions (Linear layers; BatchNorm's (C,) scale is left out).
    """
    return {
        n: float(np.linalg.norm(p.grad))
        for n, p in model.named_parameters()
        if n.endswith("weight") and p.data.ndim >= 2
    }


def snapshot(model: Module) -> dict[str, np.ndarray]:
    """Copies of every parameter's data, ``{"0.weight": array, ...}``, to compare after a step."""
    return {n: p.data.copy() for n, p in model.named_parameters()}


def update_ratios(
    model: Module, before: Mapping[str, np.ndarray], *, suffix: str = "weight"
) -> dict[str, float]:
    """``||p_now - p_before|| / ||p_before||`` for the matrix parameters named ``...suffix``.

    ``before`` comes from :func:`snapshot` taken before the optimiser step. Returns
    ``{"0.weight": ratio, ...}`` in the model's order, input side first.
    """
    out = {}
    for name, p in model.named_parameters():
        if not name.endswith(suffix) or p.data.ndim < 2:
            continue
        if name not in before:
            raise KeyError(f"{name!r} is missing from the snapshot: take it with snapshot(model)")
        old = before[name]
        out[name] = float(np.linalg.norm(p.data - old) / np.linalg.norm(old))
    return out
