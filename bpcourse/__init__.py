"""bpcourse: the helper package of the backpropagation course.

Submodules (import the one you need, e.g. ``from bpcourse import nn``):

- ``functional``   activations and losses with their derivatives (numpy)
- ``nn``           Parameter, Module, layers, losses, init, BatchNorm1d, Residual, clipping,
                   with hand-written backward passes (numpy)
- ``optim``        SGD, Adagrad, RMSprop, Adam, AdamW matching torch.optim (numpy)
- ``engine``       a scalar reverse-mode autograd ``Value`` (pure Python);
                   ``engine_nn`` its Neuron/Layer/MLP, ``graph`` draws its graphs (matplotlib)
- ``xor``          XOR networks trained over many seeds at once (notebook 04)
- ``diagnostics``  per-layer activation and gradient statistics (notebook 06)
- ``data``         small seeded data sets made here (nothing is downloaded)
- ``check``        comparisons with torch autograd and finite differences
- ``plots``        loss curves, decision boundaries, optimizer paths, computational graphs
- ``notebook``     ``setup_notebook()``: seeds, print options, one thread

The hand-written modules never import torch, so nothing they compute can come from autograd.
"""

__version__ = "0.1.0"
