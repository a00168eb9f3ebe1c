"""Layers and losses with hand-written backward passes, shaped like ``torch.nn`` (numpy only)."""

from . import init, utils
from .batchnorm import BatchNorm1d
from .module import Module, Parameter
from .residual import Residual

__all__ = ["BatchNorm1d", "Residual", "init", "utils", "Module", "Parameter"]
