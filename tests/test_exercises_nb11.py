"""Catalogue of notebook 11's exercises: the right answer and typical wrong ones, each run
through the check the notebook calls, each wrong one rejected with a message naming its mistake."""

from __future__ import annotations

import numpy as np
from helpers import Case, run_catalogue


# --- ex_bptt_carry -----------------------------------------------------------------------------
def correct_carry(dy, h, W_hh):
    dh = dy.copy()
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + (dh[t + 1] * (1 - h[t + 1] ** 2)) @ W_hh
    return dh


def correct_carry_running(dy, h, W_hh):  # the package's form: a running carry
    dh, carry = np.empty_like(dy), np.zeros_like(dy[0])
    for t in reversed(range(len(dy))):
        dh[t] = dy[t] + carry
        carry = (dh[t] * (1 - h[t] ** 2)) @ W_hh
    return dh


def carry_nothing(dy, h, W_hh):
    return dy.copy()


def carry_transposed(dy, h, W_hh):
    dh = dy.copy()
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + (dh[t + 1] * (1 - h[t + 1] ** 2)) @ W_hh.T
    return dh


def carry_no_tanh(dy, h, W_hh):
    dh = dy.copy()
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + dh[t + 1] @ W_hh
    return dh


def carry_wrong_step(dy, h, W_hh):
    dh = dy.copy()
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + (dh[t + 1] * (1 - h[t] ** 2)) @ W_hh
    return dh


def carry_one_step(dy, h, W_hh):
    dh = dy.copy()
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + (dy[t + 1] * (1 - h[t + 1] ** 2)) @ W_hh
    return dh


def carry_in_place(dy, h, W_hh):
    for t in reversed(range(len(dy) - 1)):
        dy[t] += (dy[t + 1] * (1 - h[t + 1] ** 2)) @ W_hh
    return dy


def carry_forwards(dy, h, W_hh):
    dh = dy.copy()
    for t in range(1, len(dy)):
        dh[t] = dy[t] + (dh[t - 1] * (1 - h[t - 1] ** 2)) @ W_hh
    return dh


# --- ex_whh_grad ----------------------------------------------------------------------------
def correct_whh(da, h):
    return sum(da[t].T @ h[t] for t in range(len(da)))


def correct_whh_einsum(da, h):
    return np.einsum("tni,tnj->ij", da, h[:-1])


def whh_last_step(da, h):
    return da[-1].T @ h[-2]


def whh_mean_over_time(da, h):
    return np.mean([da[t].T @ h[t] for t in range(len(da))], axis=0)


def whh_next_state(da, h):
    return sum(da[t].T @ h[t + 1] for t in range(len(da)))


def whh_transposed(da, h):
    return sum(h[t].T @ da[t] for t in range(len(da)))


def whh_batch_mean(da, h):
    return sum(da[t].T @ h[t] for t in range(len(da))) / da.shape[1]


def whh_first_step(da, h):
    return da[0].T @ h[0]


# --- ex_forget_gate_grad ----------------------------------------------------------------------
def correct_forget(dh, dc, o, f, c_prev, c):
    dct = dc + dh * o * (1 - np.tanh(c) ** 2)
    return dct * c_prev * f * (1 - f)


def correct_forget_expanded(dh, dc, o, f, c_prev, c):
    sech2 = 1 / np.cosh(c) ** 2
    return dc * c_prev * f * (1 - f) + dh * o * sech2 * c_prev * f * (1 - f)


def forget_no_h_path(dh, dc, o, f, c_prev, c):
    return dc * c_prev * f * (1 - f)


def forget_tanh_of_c_wrong(dh, dc, o, f, c_prev, c):
    return (dc + dh * o * (1 - c**2)) * c_prev * f * (1 - f)


def forget_no_sigmoid(dh, dc, o, f, c_prev, c):
    return (dc + dh * o * (1 - np.tanh(c) ** 2)) * c_prev


def forget_uses_c(dh, dc, o, f, c_prev, c):
    return (dc + dh * o * (1 - np.tanh(c) ** 2)) * c * f * (1 - f)


def forget_tanh_gate(dh, dc, o, f, c_prev, c):
    return (dc + dh * o * (1 - np.tanh(c) ** 2)) * c_prev * (1 - f**2)


def forget_no_o(dh, dc, o, f, c_prev, c):
    return (dc + dh * (1 - np.tanh(c) ** 2)) * c_prev * f * (1 - f)


def forget_in_place(dh, dc, o, f, c_prev, c):
    dc += dh * o * (1 - np.tanh(c) ** 2)
    return dc * c_prev * f * (1 - f)


CATALOGUE = [
    Case("ex_bptt_carry", correct_carry, None),
    Case("ex_bptt_carry", correct_carry_running, None),
    Case("ex_bptt_carry", carry_nothing, "no gradient carried back"),
    Case("ex_bptt_carry", carry_transposed, "multiplied by w_hh.t"),
    Case("ex_bptt_carry", carry_no_tanh, "left out tanh's derivative"),
    Case("ex_bptt_carry", carry_wrong_step, "at h[t] instead of h[t+1]"),
    Case("ex_bptt_carry", carry_one_step, "carried only dy[t+1] back"),
    Case("ex_bptt_carry", carry_in_place, "changed an input in place"),
    Case("ex_bptt_carry", carry_forwards, "went forwards in time"),
    Case("ex_whh_grad", correct_whh, None),
    Case("ex_whh_grad", correct_whh_einsum, None),
    Case("ex_whh_grad", whh_last_step, "kept only the last step's term"),
    Case("ex_whh_grad", whh_first_step, "kept only the first step's term"),
    Case("ex_whh_grad", whh_mean_over_time, "averaged over time"),
    Case("ex_whh_grad", whh_next_state, "used h[t+1]"),
    Case("ex_whh_grad", whh_transposed, "transposed"),
    Case("ex_whh_grad", whh_batch_mean, "averaged over the batch"),
    Case("ex_forget_gate_grad", correct_forget, None),
    Case("ex_forget_gate_grad", correct_forget_expanded, None),
    Case("ex_forget_gate_grad", forget_no_h_path, "left out the path through h_t"),
    Case("ex_forget_gate_grad", forget_tanh_of_c_wrong, "used 1 - c**2"),
    Case("ex_forget_gate_grad", forget_no_sigmoid, "left out the sigmoid's derivative"),
    Case("ex_forget_gate_grad", forget_uses_c, "instead of c_prev"),
    Case("ex_forget_gate_grad", forget_tanh_gate, "1 - f**2"),
    Case("ex_forget_gate_grad", forget_no_o, "left out o"),
    Case("ex_forget_gate_grad", forget_in_place, "changed an input in place"),
]

test_catalogue = run_catalogue(CATALOGUE)
