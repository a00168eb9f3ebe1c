"""bpcourse.diagnostics: every recorded activation and gradient equals torch's for the same net."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import diagnostics as dg
from bpcourse.check import to_torch
from bpcourse.nn import (
    BatchNorm1d,
    Linear,
    MSELoss,
    ReLU,
    Residual,
    Sequential,
    Sigmoid,
    Tanh,
)
from bpcourse.optim import SGD

ACTS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}


def torch_intermediates(model, X, dout):
    """Outputs of each child of the torch twin and dL/d(each output), via retain_grad."""
    twin = to_torch(model)
    h = torch.tensor(X, requires_grad=True)
    outs = []
    for child in twin:
        h = child(h)
        h.retain_grad()
        outs.append(h)
    (h * torch.from_numpy(dout)).sum().backward()
    return twin, outs


@settings(max_examples=30)
@given(
    depth=st.integers(1, 4),
    width=st.integers(1, 5),
    n=st.integers(2, 6),
    act=st.sampled_from(sorted(ACTS)),
    seed=st.integers(0, 999),
)
def test_recorded_outputs_and_gradients_equal_torch(depth, width, n, act, seed):
    rng = np.random.default_rng(seed)
    layers = []
    d = 3
    for _ in range(depth):
        layers += [Linear(d, width, rng=rng), ACTS[act]()]
        d = width
    model = Sequential(*layers, Linear(d, 2, rng=rng))
    X, dout = rng.normal(size=(n, 3)), rng.normal(size=(n, 2))
    rec = dg.record(model, X, grad_output=dout)
    twin, outs = torch_intermediates(model, X, dout)
    tparams = dict(twin.named_parameters())
    for i, t in enumerate(outs):
        np.testing.assert_allclose(rec.outputs[i], t.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(rec.grad_outputs[i], t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(rec.inputs[0], X)
    expected = [np.linalg.norm(tparams[f"{name}.weight"].grad.numpy()) for name in rec.weights]
    np.testing.assert_allclose(rec.weight_grad_norms(), expected, rtol=1e-10)
    stats = rec.stats()
    assert [s.kind for s in stats] == [type(m).__name__ for m in model]
    for s, t in zip(stats, outs):
        assert s.out_std == pytest.approx(t.detach().numpy().std(), rel=1e-10, abs=1e-14)
        assert s.grad_out_norm == pytest.approx(torch.linalg.norm(t.grad).item(), rel=1e-10)


def test_record_with_a_loss_equals_model_backward_and_zeroes_grads_first():
    rng = np.random.default_rng(0)
    model = Sequential(Linear(3, 4, rng=rng), Tanh(), Linear(4, 1, rng=rng))
    X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 1))
    crit = MSELoss()
    model.zero_grad()
    loss = crit(model(X), y)
    dX = model.backward(crit.backward())
    plain = [p.grad.copy() for p in model.parameters()]
    rec = dg.record(model, X, MSELoss(), y)  # grads from before are cleared
    assert rec.loss == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(rec.grad_inputs[0], dX, rtol=1e-12)
    for p, g in zip(model.parameters(), plain):
        np.testing.assert_allclose(p.grad, g, rtol=1e-12)
    dg.record(model, X, MSELoss(), y, zero_grad=False)
    np.testing.assert_allclose(model[0].weight.grad, 2 * plain[0], rtol=1e-12)


def test_works_through_batchnorm_and_residual_children():
    rng = np.random.default_rng(1)
    model = Sequential(
        Linear(3, 4, rng=rng),
        BatchNorm1d(4),
        Residual(Sequential(Linear(4, 4, rng=rng), ReLU())),
        Linear(4, 2, rng=rng),
    )
    X, dout = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    rec = dg.record(model, X, grad_output=dout)
    _, outs = torch_intermediates(model, X, dout)
    for i, t in enumerate(outs):
        np.testing.assert_allclose(rec.grad_outputs[i], t.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert list(rec.weights) == ["0", "1", "3"]  # BatchNorm's weight counts, Residual has none
    twin = to_torch(model)
    torch.nn.functional.mse_loss(twin(torch.tensor(X)), torch.zeros(6, 2)).backward()
    dg.record(model, X, MSELoss(), np.zeros((6, 2)))
    norms = dg.weight_grad_norms(model)  # nested Linear weights, BatchNorm's (C,) scale left out
    assert list(norms) == ["0.weight", "2.block.0.weight", "3.weight"]
    for name, value in norms.items():
        expected = torch.linalg.norm(dict(twin.named_parameters())[name].grad).item()
        assert value == pytest.approx(expected, rel=1e-10)


def test_saturation_and_table():
    assert dg.activation_saturation("Sigmoid", np.array([0.01, 0.5, 0.99, 0.3])) == 0.5
    assert dg.activation_saturation("Tanh", np.array([-0.99, 0.0])) == 0.5
    assert dg.activation_saturation("ReLU", np.array([0.0, 0.0, 1.0, 2.0])) == 0.5
    assert dg.activation_saturation("Linear", np.ones(3)) is None
    rng = np.random.default_rng(2)
    model = Sequential(Linear(2, 3, rng=rng), Sigmoid(), Linear(3, 1, rng=rng))
    rec = dg.Recorder(model)
    rec.forward(rng.normal(size=(4, 2)))
    assert rec.record.stats()[0].grad_out_norm is None  # forward only
    with pytest.raises(RuntimeError, match="backward"):
        rec.record.weight_grad_norms()
    rec.backward(np.ones((4, 1)))
    lines = rec.record.table().splitlines()
    assert len(lines) == 4 and "Sigmoid" in lines[2] and "%" in lines[2]
    assert rec.record.layer_names("Linear") == ["0", "2"]
    assert len(rec.record.activations("Sigmoid")) == 1


def test_update_ratios_measure_the_sgd_step():
    rng = np.random.default_rng(3)
    model = Sequential(Linear(3, 4, rng=rng), ReLU(), Linear(4, 1, rng=rng))
    X, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    before = dg.snapshot(model)
    dg.record(model, X, MSELoss(), y)
    SGD(model.parameters(), lr=0.1).step()
    ratios = dg.update_ratios(model, before)
    assert list(ratios) == ["0.weight", "2.weight"]
    for name, p in model.named_parameters():
        if name in ratios:  # SGD moved the weight by lr * grad
            expected = 0.1 * np.linalg.norm(p.grad) / np.linalg.norm(before[name])
            assert ratios[name] == pytest.approx(expected, rel=1e-10)
    with pytest.raises(KeyError, match="snapshot"):
        dg.update_ratios(model, {})


def test_clear_errors():
    with pytest.raises(TypeError, match="Module"):
        dg.Recorder([Linear(2, 2)])
    with pytest.raises(ValueError, match="no child layers"):
        dg.Recorder(Sigmoid())
    with pytest.raises(RuntimeError, match="before forward"):
        dg.Recorder(Sequential(Linear(2, 2))).backward(np.ones((1, 2)))
    with pytest.raises(TypeError, match="either"):
        dg.record(Sequential(Linear(2, 2)), np.ones((1, 2)))


def test_hand_written_modules_never_import_torch():
    import subprocess
    import sys

    mods = "bpcourse.nn.init, bpcourse.nn.batchnorm, bpcourse.nn.residual, bpcourse.nn.utils"
    code = f"import sys, {mods}, bpcourse.diagnostics; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
