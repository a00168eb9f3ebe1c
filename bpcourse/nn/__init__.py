"""Layers and losses with hand-written backward passes, shaped like ``torch.nn`` (numpy only)."""

from .module import Module, Parameter

__all__ = ["Module", "Parameter"]
