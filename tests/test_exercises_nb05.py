"""Notebook 05's exercises: the right answers pass, typical wrong ones are named.

Each wrong answer is written as a learner would write it, and runs through the very check the
notebook's check cell calls (``bpcourse.exercises.run``).
"""

from __future__ import annotations

import numpy as np
from helpers import Case, run_catalogue


# --- ex_momentum_step(p, grad, state, lr, momentum) ------------------------------------------
def momentum_right(p, grad, state, lr, momentum):
    if "momentum_buffer" not in state:
        state["momentum_buffer"] = grad.copy()
    else:
        state["momentum_buffer"] *= momentum
        state["momentum_buffer"] += grad
    p.data -= lr * state["momentum_buffer"]


def momentum_zeros_start(p, grad, state, lr, momentum):
    buf = state.setdefault("momentum_buffer", np.zeros_like(p.data))  # mu * 0 + g = g: right too
    buf *= momentum
    buf += grad
    p.data -= lr * buf


def momentum_textbook(p, grad, state, lr, momentum):
    v = state.setdefault("velocity", np.zeros_like(p.data))
    v *= momentum
    v -= lr * grad
    p.data += v


def momentum_lr_in_buffer(p, grad, state, lr, momentum):
    buf = state.setdefault("momentum_buffer", np.zeros_like(p.data))
    buf *= momentum
    buf += lr * grad
    p.data -= buf


def momentum_rebinds_data(p, grad, state, lr, momentum):
    if "momentum_buffer" not in state:
        state["momentum_buffer"] = grad.copy()
    else:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + grad
    p.data = p.data - lr * state["momentum_buffer"]


def momentum_buffer_is_grad(p, grad, state, lr, momentum):
    if "momentum_buffer" not in state:
        state["momentum_buffer"] = grad  # no copy: the buffer IS p.grad
    else:
        state["momentum_buffer"] *= momentum
        state["momentum_buffer"] += grad
    p.data -= lr * state["momentum_buffer"]


def momentum_average(p, grad, state, lr, momentum):
    buf = state.setdefault("momentum_buffer", np.zeros_like(p.data))
    buf *= momentum
    buf += (1 - momentum) * grad
    p.data -= lr * buf


def momentum_steps_with_grad(p, grad, state, lr, momentum):
    buf = state.setdefault("momentum_buffer", np.zeros_like(p.data))
    buf *= momentum
    buf += grad
    p.data -= lr * grad


def momentum_nesterov(p, grad, state, lr, momentum):
    buf = state.setdefault("momentum_buffer", np.zeros_like(p.data))
    buf *= momentum
    buf += grad
    p.data -= lr * (grad + momentum * buf)


def momentum_hard_coded(p, grad, state, lr, momentum):
    buf = state.setdefault("momentum_buffer", np.zeros_like(p.data))
    buf *= 0.9
    buf += grad
    p.data -= lr * buf


def make_momentum_one_buffer_for_all():
    buffer = []  # one buffer, on the optimizer, for every parameter

    def momentum_one_buffer_for_all(p, grad, state, lr, momentum):
        if not buffer:
            buffer.append(grad.copy())
        else:
            buffer[0] *= momentum
            buffer[0] += grad  # (3,) buffer, (2, 3) gradient
        p.data -= lr * buffer[0]

    return momentum_one_buffer_for_all


# --- ex_adam_step(p, grad, state, lr, betas, eps) ------------------------------------------------
def _adam(
    bias1=True,
    bias2=True,
    eps_where="after",
    counter_first=True,
    swap=False,
    store=True,
    square=True,
    name="adam",
):
    def step(p, grad, state, lr, betas, eps):
        beta1, beta2 = betas[::-1] if swap else betas
        if not state:
            state.update(step=0, m=np.zeros_like(p.data), v=np.zeros_like(p.data))
        if counter_first:
            state["step"] += 1
        t = state["step"]
        if store:
            state["m"] *= beta1
            state["m"] += (1 - beta1) * grad
            state["v"] *= beta2
            state["v"] += (1 - beta2) * (grad * grad if square else grad)
            m, v = state["m"], state["v"]
        else:
            m = beta1 * state["m"] + (1 - beta1) * grad
            v = beta2 * state["v"] + (1 - beta2) * grad * grad
        c1 = 1 - beta1**t if bias1 else 1.0
        c2 = 1 - beta2**t if bias2 else 1.0
        if eps_where == "inside":
            denom = np.sqrt(v / c2 + eps)
        elif eps_where == "before":
            denom = (np.sqrt(v) + eps) / np.sqrt(c2)
        else:
            denom = np.sqrt(v) / np.sqrt(c2) + eps
        p.data -= lr / c1 * m / denom
        if not counter_first:
            state["step"] += 1

    step.__name__ = name
    return step


adam_right = _adam(name="adam_right")
adam_counter_after = _adam(counter_first=False, name="adam_counter_after")
adam_no_correction = _adam(bias1=False, bias2=False, name="adam_no_correction")
adam_only_m_corrected = _adam(bias2=False, name="adam_only_m_corrected")
adam_only_v_corrected = _adam(bias1=False, name="adam_only_v_corrected")
adam_eps_in_sqrt = _adam(eps_where="inside", name="adam_eps_in_sqrt")
adam_eps_before_correction = _adam(eps_where="before", name="adam_eps_before_correction")
adam_betas_swapped = _adam(swap=True, name="adam_betas_swapped")
adam_not_stored = _adam(store=False, name="adam_not_stored")
adam_v_not_squared = _adam(square=False, name="adam_v_not_squared")


def make_adam_counter_on_self():
    counter = [0]  # one counter, on the optimizer, for every parameter

    def adam_counter_on_self(p, grad, state, lr, betas, eps):
        beta1, beta2 = betas
        if not state:
            state.update(m=np.zeros_like(p.data), v=np.zeros_like(p.data))
        counter[0] += 1
        t = counter[0]
        state["m"][...] = beta1 * state["m"] + (1 - beta1) * grad
        state["v"][...] = beta2 * state["v"] + (1 - beta2) * grad**2
        p.data -= lr / (1 - beta1**t) * state["m"] / (np.sqrt(state["v"] / (1 - beta2**t)) + eps)

    return adam_counter_on_self


def adam_numpy_counter_after(p, grad, state, lr, betas, eps):
    beta1, beta2 = np.array(betas)  # numpy floats: 1/0 gives inf, not an error
    if not state:
        state.update(step=0, m=np.zeros_like(p.data), v=np.zeros_like(p.data))
    t = state["step"]
    state["m"][...] = beta1 * state["m"] + (1 - beta1) * grad
    state["v"][...] = beta2 * state["v"] + (1 - beta2) * grad**2
    m_hat, v_hat = state["m"] / (1 - beta1**t), state["v"] / (1 - beta2**t)
    p.data -= lr * m_hat / (np.sqrt(v_hat) + eps)
    state["step"] += 1


def adam_rebinds_data(p, grad, state, lr, betas, eps):
    beta1, beta2 = betas
    if not state:
        state.update(step=0, m=np.zeros_like(p.data), v=np.zeros_like(p.data))
    state["step"] += 1
    t = state["step"]
    state["m"][...] = beta1 * state["m"] + (1 - beta1) * grad
    state["v"][...] = beta2 * state["v"] + (1 - beta2) * grad**2
    p.data = p.data - lr / (1 - beta1**t) * state["m"] / (
        np.sqrt(state["v"] / (1 - beta2**t)) + eps
    )


# --- ex_lr_ceiling(A) ----------------------------------------------------------------------------
def ceiling_right(A):
    return 2 / np.linalg.eigvalsh(A).max()


def ceiling_from_eig(A):
    return float(2 / np.max(np.abs(np.linalg.eigvals(A))))


def ceiling_diagonal(A):
    return 2 / np.max(np.diag(A))  # right for the notebook's diagonal quadratic


def ceiling_smallest(A):
    return 2 / np.linalg.eigvalsh(A).min()


def ceiling_one_over(A):
    return 1 / np.linalg.eigvalsh(A).max()


def ceiling_best_rate(A):
    lam = np.linalg.eigvalsh(A)
    return 2 / (lam.max() + lam.min())  # section 4's best constant rate


def ceiling_trace(A):
    return 2 / np.trace(A)


def ceiling_norm(A):
    return 2 / np.linalg.norm(A)


def ceiling_all_eigenvalues(A):
    return 2 / np.linalg.eigvalsh(A)  # one value per direction, not the ceiling


def ceiling_in_place(A):
    A += A.T  # "make sure it is symmetric" ... in place
    A /= 2
    A[0, 0] += 0.0
    A *= 1.0001
    return 2 / np.linalg.eigvalsh(A).max()


CATALOGUE = [
    Case("ex_momentum_step", momentum_right, None),
    Case("ex_momentum_step", momentum_zeros_start, None),
    Case("ex_momentum_step", momentum_textbook, "textbook form"),
    Case("ex_momentum_step", momentum_lr_in_buffer, "learning rate is inside the buffer"),
    Case("ex_momentum_step", momentum_rebinds_data, "p.data is a new array"),
    Case("ex_momentum_step", momentum_buffer_is_grad, "grad changed in place"),
    Case("ex_momentum_step", momentum_average, "the buffer is an average"),
    Case("ex_momentum_step", momentum_steps_with_grad, "no momentum at all"),
    Case("ex_momentum_step", momentum_nesterov, "nesterov"),
    Case("ex_momentum_step", momentum_hard_coded, "hard-coded"),
    Case("ex_momentum_step", make_momentum_one_buffer_for_all(), "shared by all parameters"),
    Case("ex_adam_step", adam_right, None),
    Case("ex_adam_step", adam_counter_after, "ZeroDivisionError"),
    Case("ex_adam_step", adam_numpy_counter_after, "inf or nan"),
    Case("ex_adam_step", adam_no_correction, "no bias correction"),
    Case("ex_adam_step", adam_only_m_corrected, "only m is bias-corrected"),
    Case("ex_adam_step", adam_only_v_corrected, "only v is bias-corrected"),
    Case("ex_adam_step", adam_eps_in_sqrt, "inside the square root"),
    Case("ex_adam_step", adam_eps_before_correction, "before the correction of v"),
    Case("ex_adam_step", adam_betas_swapped, "swapped"),
    Case("ex_adam_step", adam_not_stored, "not kept between steps"),
    Case("ex_adam_step", adam_v_not_squared, "square root of a negative"),
    Case("ex_adam_step", make_adam_counter_on_self(), "counter is shared"),
    Case("ex_adam_step", adam_rebinds_data, "change it in place"),
    Case("ex_lr_ceiling", ceiling_right, None),
    Case("ex_lr_ceiling", ceiling_from_eig, None),
    Case("ex_lr_ceiling", ceiling_diagonal, "largest diagonal entry"),
    Case("ex_lr_ceiling", ceiling_smallest, "smallest eigenvalue"),
    Case("ex_lr_ceiling", ceiling_one_over, "half the ceiling"),
    Case("ex_lr_ceiling", ceiling_best_rate, "best constant rate"),
    Case("ex_lr_ceiling", ceiling_trace, "trace"),
    Case("ex_lr_ceiling", ceiling_norm, "frobenius"),
    Case("ex_lr_ceiling", ceiling_all_eigenvalues, "return one number"),
    Case("ex_lr_ceiling", ceiling_in_place, "changed A in place"),
]

test_catalogue = run_catalogue(CATALOGUE)
