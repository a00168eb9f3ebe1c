"""bpcourse: the helper package of the backpropagation course.

Submodules (import the one you need, e.g. ``from bpcourse import nn``):

- ``functional``  activations and losses with their derivatives (numpy)
- ``nn``          Parameter, Module, layers and losses with hand-written backward passes (numpy)
- ``optim``       SGD, Adagrad, RMSprop, Adam, AdamW matching torch.optim (numpy)
- ``engine``      a scalar reverse-mode autograd ``Value`` (pure Python)
- ``data``        small seeded data sets made here (nothing is downloaded)
- ``check``       comparisons with torch autograd and finite differences
- ``plots``       loss curves, decision boundaries, optimizer paths
- ``notebook``    ``setup_notebook()``: seeds, print options, one torch thread

The hand-written modules never import torch, so nothing they compute can come from autograd.
"""

__version__ = "0.1.0"
