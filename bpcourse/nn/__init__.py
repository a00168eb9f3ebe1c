"""Layers and losses with hand-written backward passes, shaped like ``torch.nn`` (numpy only)."""

from . import init, utils
from .activation import LeakyReLU, ReLU, Sigmoid, Tanh
from .attention import MultiheadAttention
from .batchnorm import BatchNorm1d
from .container import Sequential
from .dropout import Dropout
from .embedding import Embedding
from .linear import Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from .module import Module, Parameter
from .normalization import LayerNorm
from .residual import Residual
from .transformer import TransformerBlock, TransformerLM

__all__ = [
    "Linear", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Sequential",
    "MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
    "BatchNorm1d", "LayerNorm", "Dropout", "Residual", "init", "utils", "Module", "Parameter",
    "Embedding", "MultiheadAttention", "TransformerBlock", "TransformerLM",
]  # fmt: skip
