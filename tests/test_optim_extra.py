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
