"""Torch autograd as the reference: ``torch_grad``, ``to_torch`` and ``check_model_grads``.

torch is imported only when one of these functions runs, so ``import bpcourse.check`` works
(and its numpy-only parts run) without torch installed.

``to_torch`` converts a bpcourse module with a small registry: one function per bpcourse class,
``converter(module, convert) -> torch.nn.Module``, where ``convert`` converts a child (for
containers such as ``Sequential``). Add a layer with ``register_converter`` or a line in
``_BUILTIN``.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .compare import CheckResult, assert_close

Converter = Callable[[Any, Callable[[Any], Any]], Any]
_REGISTRY: dict[type, Converter] = {}


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is in the lock
        raise ImportError(
            "bpcourse.check needs torch for autograd comparisons: "
            'pip install "bpcourse[check]" (or torch)'
        ) from exc
    return torch


def _torch_dtype(np_dtype: np.dtype):
    torch = _torch()
    return {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}.get(
        np.dtype(np_dtype), torch.float64
    )


# --- torch_grad ---------------------------------------------------------------------------------
def torch_grad(fn: Callable[..., Any], *arrays: object) -> tuple[np.ndarray, ...]:
    """Gradients of a scalar torch function, computed by autograd, as numpy arrays.

    Args:
        fn: ``fn(*tensors) -> scalar tensor`` written with torch operations
            (``torch.tanh``, ``@``, ``.sum()`` ...).
        *arrays: the inputs, numpy arrays (or numbers, lists) of any shapes ``S_i``; each
            becomes a float64 tensor with ``requires_grad=True``.

    Returns:
        a tuple with one float64 array per input, ``grads[i]`` of shape ``S_i``
        (zeros for an input ``fn`` does not use). Unpack one with ``(dx,) = torch_grad(f, x)``.
    """
    torch = _torch()
    if not arrays:
        raise TypeError("torch_grad needs at least one input array after fn")
    tensors = []
    for i, x in enumerate(arrays):
        if isinstance(x, torch.Tensor):
            x = x.detach().cpu().numpy()
        arr = np.asarray(x)
        # Checked before the conversion: np.array(None, dtype=np.float64) is nan, not an error.
        if arr.dtype.kind not in "biuf":  # booleans, integers, floats
            raise TypeError(
                f"input {i} of torch_grad must be an array of numbers, got {type(x).__name__}"
                + (f" of dtype {arr.dtype}" if isinstance(x, np.ndarray) else "")
            )
        arr = arr.astype(np.float64)
        tensors.append(torch.tensor(arr, dtype=torch.float64, requires_grad=True))
    try:
        out = fn(*tensors)
    except RuntimeError as exc:
        # np.tanh(t) calls t.numpy(), which torch refuses on a tensor that requires grad.
        if "numpy()" not in str(exc) or "requires grad" not in str(exc):
            raise
        raise TypeError(
            "fn must be written with torch operations (torch.tanh, not np.tanh; t.sum(), not "
            "np.sum(t)): numpy cannot follow a tensor that requires grad, so autograd cannot "
            "differentiate it"
        ) from None
    if not isinstance(out, torch.Tensor):
        raise TypeError(
            f"fn must return a torch scalar tensor, got {type(out).__name__}: write it with "
            "torch operations (torch.tanh, not np.tanh) so that autograd can follow it"
        )
    if out.numel() != 1:
        raise ValueError(
            f"fn must return a scalar (one number) to differentiate, got shape "
            f"{tuple(out.shape)}: reduce it, e.g. with .sum() or a loss"
        )
    if not out.requires_grad:
        return tuple(np.zeros(t.shape) for t in tensors)
    grads = torch.autograd.grad(out.reshape(()), tensors, allow_unused=True)
    return tuple(
        np.zeros(t.shape) if g is None else g.detach().numpy().copy()
        for g, t in zip(grads, tensors)
    )


# --- to_torch -----------------------------------------------------------------------------------
def register_converter(cls: type) -> Callable[[Converter], Converter]:
    """Decorator: ``@register_converter(MyLayer)`` over ``def conv(module, convert) -> torch module``."""

    def deco(fn: Converter) -> Converter:
        _REGISTRY[cls] = fn
        return fn

    return deco


def _copy(dst, src) -> None:
    torch = _torch()
    with torch.no_grad():
        dst.copy_(torch.from_numpy(np.array(src.data)))


def _linear(m, convert):
    torch = _torch()
    out_f, in_f = m.weight.data.shape
    bias = getattr(m, "bias", None)
    t = torch.nn.Linear(in_f, out_f, bias=bias is not None, dtype=_torch_dtype(m.weight.dtype))
    _copy(t.weight, m.weight)
    if bias is not None:
        _copy(t.bias, bias)
    return t


def _conv2d(m, convert):
    torch = _torch()
    out_c, in_c = m.weight.data.shape[:2]
    t = torch.nn.Conv2d(
        in_c,
        out_c,
        m.kernel_size,
        stride=m.stride,
        padding=m.padding,
        bias=m.bias is not None,
        dtype=_torch_dtype(m.weight.dtype),
    )
    _copy(t.weight, m.weight)
    if m.bias is not None:
        _copy(t.bias, m.bias)
    return t


def _sequential(m, convert):
    torch = _torch()
    return torch.nn.Sequential(OrderedDict((n, convert(c)) for n, c in m.named_children()))


def _batchnorm1d(m, convert):
    torch = _torch()
    t = torch.nn.BatchNorm1d(
        m.num_features,
        eps=m.eps,
        momentum=m.momentum,
        affine=m.affine,
        track_running_stats=m.track_running_stats,
        dtype=_torch_dtype(m.dtype),
    )
    if m.affine:
        _copy(t.weight, m.weight)
        _copy(t.bias, m.bias)
    if m.track_running_stats:
        with torch.no_grad():
            t.running_mean.copy_(torch.from_numpy(np.array(m.running_mean)))
            t.running_var.copy_(torch.from_numpy(np.array(m.running_var)))
            t.num_batches_tracked.fill_(int(m.num_batches_tracked))
    return t


def _layernorm(m, convert):
    torch = _torch()
    t = torch.nn.LayerNorm(
        m.normalized_shape,
        eps=m.eps,
        elementwise_affine=m.elementwise_affine,
        dtype=_torch_dtype(m.dtype),
    )
    if m.elementwise_affine:
        _copy(t.weight, m.weight)
        _copy(t.bias, m.bias)
    return t


def _residual(m, convert):
    torch = _torch()

    class Residual(torch.nn.Module):  # type: ignore[name-defined,misc]
        """torch has no residual layer: x + block(x), the block named "block" as in bpcourse."""

        def __init__(self, block):
            super().__init__()
            self.block = block

        def forward(self, x):
            return x + self.block(x)

    return Residual(convert(m.block))


def _recurrent(torch_name: str) -> Converter:
    """RNN/LSTM: torch's class with the same sizes and layout, the four parameters copied."""

    def conv(m, convert):
        torch = _torch()
        cls = getattr(torch.nn, torch_name)
        t = cls(
            m.input_size,
            m.hidden_size,
            bias=m.bias_ih_l0 is not None,
            batch_first=m.batch_first,
            dtype=_torch_dtype(m.dtype),
        )
        for name, p in m.named_parameters():
            _copy(getattr(t, name), p)
        return t

    return conv


def _embedding(m, convert):
    torch = _torch()
    t = torch.nn.Embedding(m.num_embeddings, m.embedding_dim, dtype=_torch_dtype(m.weight.dtype))
    _copy(t.weight, m.weight)
    return t


def _multihead_attention(m, convert):
    """torch.nn.MultiheadAttention (batch_first) called as self-attention: ``twin(x)``."""
    torch = _torch()

    class SelfAttention(torch.nn.MultiheadAttention):  # type: ignore[name-defined,misc]
        def __init__(self, causal, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.causal = causal

        def forward(self, x, attn_mask=None):
            T = x.shape[1]
            if attn_mask is not None:
                attn_mask = torch.as_tensor(np.asarray(attn_mask))
            if self.causal:
                causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
                attn_mask = causal if attn_mask is None else attn_mask | causal
            return super().forward(x, x, x, attn_mask=attn_mask, need_weights=False)[0]

    bias = m.in_proj_bias is not None
    t = SelfAttention(
        m.causal,
        m.embed_dim,
        m.num_heads,
        bias=bias,
        batch_first=True,
        dtype=_torch_dtype(m.in_proj_weight.dtype),
    )
    _copy(t.in_proj_weight, m.in_proj_weight)
    _copy(t.out_proj.weight, m.out_proj.weight)
    if bias:
        _copy(t.in_proj_bias, m.in_proj_bias)
        _copy(t.out_proj.bias, m.out_proj.bias)
    return t


def _transformer_block(m, convert):
    torch = _torch()

    class TransformerBlock(torch.nn.Module):  # type: ignore[name-defined,misc]
        """Pre-LN: h = x + attn(ln1(x)); y = h + mlp(ln2(h)) (no "+ x" when not residual)."""

        def __init__(self, ln1, attn, ln2, mlp, residual):
            super().__init__()
            self.ln1, self.attn, self.ln2, self.mlp = ln1, attn, ln2, mlp
            self.residual = residual

        def forward(self, x):
            a = self.attn(self.ln1(x))
            h = x + a if self.residual else a
            y = self.mlp(self.ln2(h))
            return h + y if self.residual else y

    return TransformerBlock(
        convert(m.ln1), convert(m.attn), convert(m.ln2), convert(m.mlp), m.residual
    )


def _transformer_lm(m, convert):
    torch = _torch()

    class TransformerLM(torch.nn.Module):  # type: ignore[name-defined,misc]
        """ids (B, T) -> logits (B, T, V): embeddings, blocks, final LayerNorm, head."""

        def __init__(self, tok_emb, pos_emb, blocks, ln_f, head):
            super().__init__()
            self.tok_emb, self.pos_emb, self.blocks = tok_emb, pos_emb, blocks
            self.ln_f, self.head = ln_f, head

        def forward(self, idx):
            idx = torch.as_tensor(np.asarray(idx), dtype=torch.long)
            x = self.tok_emb(idx) + self.pos_emb(torch.arange(idx.shape[1]))
            return self.head(self.ln_f(self.blocks(x)))

    return TransformerLM(*(convert(c) for c in (m.tok_emb, m.pos_emb, m.blocks, m.ln_f, m.head)))


def _simple(torch_name: str, *attrs: str) -> Converter:
    """A converter for a parameter-free layer or a loss: same class name, same arguments."""

    def conv(m, convert):
        torch = _torch()
        kwargs = {a: getattr(m, a) for a in attrs if hasattr(m, a)}
        return getattr(torch.nn, torch_name)(**kwargs)

    return conv


# bpcourse.nn class name -> converter. Another layer (BatchNorm1d, Residual ...) is one line here.
_BUILTIN: dict[str, Converter] = {
    "Linear": _linear,
    "Sequential": _sequential,
    "BatchNorm1d": _batchnorm1d,
    "Residual": _residual,
    "Conv2d": _conv2d,
    "MaxPool2d": _simple("MaxPool2d", "kernel_size", "stride", "padding"),
    "AvgPool2d": _simple("AvgPool2d", "kernel_size", "stride", "padding"),
    "Flatten": _simple("Flatten", "start_dim", "end_dim"),
    "Embedding": _embedding,
    "MultiheadAttention": _multihead_attention,
    "TransformerBlock": _transformer_block,
    "TransformerLM": _transformer_lm,
    "LayerNorm": _layernorm,
    # Same p and mode; in training torch draws its own mask, so a comparison with the same mask
    # uses the functional form x_t * torch.from_numpy(layer.mask) / (1 - p) (nn/dropout.py).
    "Dropout": _simple("Dropout", "p"),
    "RNN": _recurrent("RNN"),
    "LSTM": _recurrent("LSTM"),
    "ReLU": _simple("ReLU"),
    "LeakyReLU": _simple("LeakyReLU", "negative_slope"),
    "Sigmoid": _simple("Sigmoid"),
    "Tanh": _simple("Tanh"),
    "MSELoss": _simple("MSELoss", "reduction"),
    "BCELoss": _simple("BCELoss", "reduction"),
    "BCEWithLogitsLoss": _simple("BCEWithLogitsLoss", "reduction"),
    "CrossEntropyLoss": _simple("CrossEntropyLoss", "reduction", "label_smoothing"),
}


def _find_converter(module: object) -> Converter:
    for cls in type(module).__mro__:
        if cls in _REGISTRY:
            return _REGISTRY[cls]
        if cls.__module__.startswith("bpcourse.nn") and cls.__name__ in _BUILTIN:
            return _BUILTIN[cls.__name__]
    raise TypeError(
        f"to_torch does not know how to convert {type(module).__name__}: register a converter "
        "with @bpcourse.check.register_converter(ThatClass)"
    )


def to_torch(model: object):
    """The identical torch module of a bpcourse module (a layer, a ``Sequential`` or a loss).

    Parameters are copied (same values, same dtype: float64 unless the model is float32) and
    named alike (``0.weight`` ...), and the train/eval mode is carried over, so the torch twin
    computes the same function and its autograd gives the reference gradients.
    """
    t = _find_converter(model)(model, to_torch)
    if hasattr(model, "training") and hasattr(t, "train"):
        t.train(bool(model.training))
    if hasattr(model, "named_parameters"):
        ours = [(n, p.data.shape) for n, p in model.named_parameters()]
        theirs = [(n, tuple(p.shape)) for n, p in t.named_parameters()]
        if ours != theirs:
            raise RuntimeError(f"to_torch built a twin whose parameters differ: {ours} vs {theirs}")
    return t


# --- check_model_grads --------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelGradReport:
    """Passing comparisons of a model with its torch twin; ``str()`` gives one line each."""

    results: tuple[CheckResult, ...]

    def __str__(self) -> str:
        names = ", ".join(r.name for r in self.results)
        return f"OK {len(self.results)} checks match torch autograd: {names}"

    __repr__ = __str__

    def __bool__(self) -> bool:
        return True


def _targets(criterion: object, y: object, dtype):
    torch = _torch()
    arr = np.asarray(y)
    # Class indices (N,) become long; (N, C) targets are probabilities, float even if integer.
    if type(criterion).__name__ == "CrossEntropyLoss" and arr.ndim == 1:
        return torch.as_tensor(arr.astype(np.int64))
    return torch.as_tensor(arr.astype(np.float64)).to(dtype)


def check_model_grads(
    model: Any,
    criterion: Any,
    X: object,
    y: object,
    *,
    rtol: float | None = None,
    atol: float | None = None,
) -> ModelGradReport:
    """Run one batch through a bpcourse model and its torch twin and compare everything.

    Compared, in this order: the output ``(N, ...)``, the loss, every parameter's gradient
    (``0.weight.grad`` ... same shape as the parameter) and the input gradient ``dX`` (the
    shape of ``X``). The batch runs through a copy of the model: its gradients, caches and
    running statistics are left as they were, so a check does not change training.

    Args:
        model: a bpcourse module (``Sequential``, ``Linear`` ...).
        criterion: a bpcourse loss (``MSELoss()`` ...), ``loss = criterion(pred, y)``,
            ``dpred = criterion.backward()``.
        X: inputs ``(N, D)``.
        y: targets, as the criterion expects them (class indices ``(N,)`` for
            ``CrossEntropyLoss``, same shape as the output for the others).

    Returns:
        a :class:`ModelGradReport` (one stable "OK" line). Raises ``AssertionError`` listing
        every mismatch otherwise.
    """
    torch = _torch()
    twin, tcrit = to_torch(model), to_torch(criterion)
    # A copy runs the batch: the learner's model keeps its gradients, caches and running stats.
    model, criterion = copy.deepcopy(model), copy.deepcopy(criterion)
    params = list(model.named_parameters())
    for _, p in params:
        p.grad[...] = 0
    Xa = np.asarray(X)
    pred = model(Xa)
    loss = criterion(pred, y)
    dX = model.backward(criterion.backward())
    mine = {n: p.grad for n, p in params}
    dtype = _torch_dtype(params[0][1].dtype if params else np.dtype(np.float64))
    Xt = torch.tensor(np.array(Xa, dtype=np.float64), dtype=dtype, requires_grad=True)
    pred_t = twin(Xt)
    loss_t = tcrit(pred_t, _targets(criterion, y, dtype))
    # reduction="none": the hand backward() gives the gradient of the summed losses.
    (loss_t if loss_t.ndim == 0 else loss_t.sum()).backward()
    theirs = dict(twin.named_parameters())

    checks: list[tuple[str, object, object]] = [
        ("output", pred, pred_t.detach().numpy()),
        ("loss", np.asarray(loss, dtype=np.asarray(pred).dtype), loss_t.detach().numpy()),
    ]
    checks += [(f"{n}.grad", mine[n], theirs[n].grad.numpy()) for n, _ in params]
    checks.append(("dX (input gradient)", dX, Xt.grad.numpy()))
    results, failures = [], []
    for name, a, e in checks:
        try:
            results.append(
                assert_close(
                    a,
                    e,
                    name,
                    rtol=rtol,
                    atol=atol,
                    labels=("hand", "autograd"),
                    batch_size=len(Xa),
                    reference="autograd",
                )
            )
        except AssertionError as err:
            failures.append(str(err))
    if failures:
        passed = ", ".join(r.name for r in results) or "nothing"
        raise AssertionError("\n\n".join(failures) + f"\n\n(matching torch autograd: {passed})")
    return ModelGradReport(tuple(results))
