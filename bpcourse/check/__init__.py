"""The verification toolkit: compare gradients with torch autograd and finite differences.

- ``assert_close(actual, expected, name)``: shape, then dtype, then values; a failure says
  which tensor, which index, how far off and the likely cause (sign, transpose, 1/N ...).
- ``torch_grad(fn, *arrays)``: autograd's gradients of a scalar torch function, as numpy.
- ``numerical_grad(fn, x, h=1e-6)``: central differences (kink-aware with ``return_kinks``).
- ``check_gradient(fn, inputs, hand)``: the 3-way check hand vs autograd vs finite differences.
- ``to_torch(model)`` and ``check_model_grads(model, criterion, X, y)``: a bpcourse model
  against its identical torch twin.

torch is imported only when an autograd function runs.
"""

from .autograd import ModelGradReport, check_model_grads, register_converter, to_torch, torch_grad
from .compare import FD_TOLERANCE, TOLERANCES, CheckResult, assert_close, tolerance_for
from .gradients import GradientReport, check_gradient, kink_mask, numerical_grad

__all__ = [
    "FD_TOLERANCE",
    "TOLERANCES",
    "CheckResult",
    "GradientReport",
    "ModelGradReport",
    "assert_close",
    "check_gradient",
    "check_model_grads",
    "kink_mask",
    "numerical_grad",
    "register_converter",
    "to_torch",
    "tolerance_for",
    "torch_grad",
]
