"""Optimizers with torch.optim's arguments, defaults and update order (numpy only).

``SGD``, ``Adagrad``, ``RMSprop``, ``Adam``, ``AdamW`` over a list of
:class:`bpcourse.nn.Parameter`: the same parameters and gradients give the same trajectory
as ``torch.optim`` (checked step by step in ``tests/test_optim.py``). One file per optimizer;
each module's docstring gives its update equations in the order the code runs them.

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for X, y in batches:
        opt.zero_grad()
        loss = criterion(model(X), y)
        model.backward(criterion.backward())
        opt.step()
"""

from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop"]
