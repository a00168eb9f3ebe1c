"""bpcourse.optim: paths mutation testing found untested (tests/MUTATION.md)."""

from __future__ import annotations

import numpy as np
import pytest

from bpcourse import nn
from bpcourse.optim import Optimizer


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
