"""Layers and losses with hand-written backward passes, shaped like ``torch.nn`` (numpy only)."""

from . import init, utils
from .activation import LeakyReLU, ReLU, Sigmoid, Tanh
from .attention import MultiheadAttention
from .batchnorm import BatchNorm1d
from .container import Sequential
from .conv import Conv2d
from .dropout import Dropout
from .embedding import Embedding
from .flatten import Flatten
from .linear import Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from .module import Module, Parameter
from .normalization import LayerNorm
from .pooling import AvgPool2d, MaxPool2d
from .recurrent import LSTM, RNN
from .residual import Residual
from .transformer import TransformerBlock, TransformerLM

__all__ = [
    "Linear", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Sequential",
    "MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
    "BatchNorm1d", "LayerNorm", "Dropout", "Residual",
    "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten",
    "RNN", "LSTM",
    "Embedding", "MultiheadAttention", "TransformerBlock", "TransformerLM",
    "init", "utils", "Module", "Parameter",
]  # fmt: skip
