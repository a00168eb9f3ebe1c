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


def correct_carry_shifted(dy, h, W_hh):  # indexing by the later step t: dh[t - 1] from dh[t]
    dh = dy.copy()
    for t in range(len(dy) - 1, 0, -1):
        dh[t - 1] = dy[t - 1] + (dh[t] * (1 - h[t] ** 2)) @ W_hh
    return dh


def correct_carry_list(dy, h, W_hh):  # a list built backwards, then stacked
    out = [dy[-1]]
    for t in reversed(range(len(dy) - 1)):
        out.append(dy[t] + (W_hh.T @ (out[-1] * (1 - h[t + 1] ** 2)).T).T)
    return np.stack(out[::-1])


def carry_global_L(dy, h, W_hh):  # L = 5 from section 1's cell, not the input's length
    L = 5
    dh = dy.copy()
    for t in reversed(range(L - 1)):
        dh[t] = dy[t] + (dh[t + 1] * (1 - h[t + 1] ** 2)) @ W_hh
    return dh


def carry_global_L6(dy, h, W_hh):  # L = 6 from section 2's cell: out of range on 5 steps
    L = 6
    dh = dy.copy()
    for t in reversed(range(L - 1)):
        dh[t] = dy[t] + (dh[t + 1] * (1 - h[t + 1] ** 2)) @ W_hh
    return dh


def carry_no_own_share(dy, h, W_hh):
    dh = dy.copy()
    for t in reversed(range(len(dy) - 1)):
        dh[t] = (dh[t + 1] * (1 - h[t + 1] ** 2)) @ W_hh
    return dh


def carry_tanh_after_product(dy, h, W_hh):
    dh = dy.copy()
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + (dh[t + 1] @ W_hh) * (1 - h[t + 1] ** 2)
    return dh


def carry_tanh_after_product_ht(dy, h, W_hh):
    dh = dy.copy()
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + (dh[t + 1] @ W_hh) * (1 - h[t] ** 2)
    return dh


def carry_tanh_of_h(dy, h, W_hh):
    dh = dy.copy()
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + (dh[t + 1] * (1 - np.tanh(h[t + 1]) ** 2)) @ W_hh
    return dh


def carry_one_minus_h_squared(dy, h, W_hh):
    dh = dy.copy()
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + (dh[t + 1] * (1 - h[t + 1]) ** 2) @ W_hh
    return dh


def carry_one_minus_h(dy, h, W_hh):
    dh = dy.copy()
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + (dh[t + 1] * (1 - h[t + 1])) @ W_hh
    return dh


def carry_stops_at_one(dy, h, W_hh):
    dh = dy.copy()
    for t in range(len(dy) - 2, 0, -1):
        dh[t] = dy[t] + (dh[t + 1] * (1 - h[t + 1] ** 2)) @ W_hh
    return dh


def carry_last_zero(dy, h, W_hh):
    dh = np.zeros_like(dy)
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + (dh[t + 1] * (1 - h[t + 1] ** 2)) @ W_hh
    return dh


def carry_returns_da(dy, h, W_hh):
    dh = dy.copy()
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + (dh[t + 1] * (1 - h[t + 1] ** 2)) @ W_hh
    return dh * (1 - h**2)


def carry_running_added_up(dy, h, W_hh):
    dh, carry = np.empty_like(dy), np.zeros_like(dy[0])
    for t in reversed(range(len(dy))):
        dh[t] = dy[t] + carry
        carry += (dh[t] * (1 - h[t] ** 2)) @ W_hh
    return dh


def carry_running_wrong_state(dy, h, W_hh):  # the running form with tanh' at the state going in
    dh, carry = np.empty_like(dy), np.zeros_like(dy[0])
    for t in reversed(range(len(dy))):
        dh[t] = dy[t] + carry
        carry = (dh[t] * (1 - h[t - 1] ** 2)) @ W_hh
    return dh


def carry_alias(dy, h, W_hh):  # dh = dy without .copy(): writes into dy
    dh = dy
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + (dh[t + 1] * (1 - h[t + 1] ** 2)) @ W_hh
    return dh


def carry_float32(dy, h, W_hh):
    dh = dy.astype(np.float32)
    for t in reversed(range(len(dy) - 1)):
        dh[t] = dy[t] + (dh[t + 1] * (1 - h[t + 1] ** 2)) @ W_hh
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


def correct_whh_reshape(da, h):  # all steps and samples as one batch of a Linear layer
    L, N, H = da.shape
    return da.reshape(L * N, H).T @ h[:-1].reshape(L * N, H)


def correct_whh_outer(da, h):
    dW = np.zeros((da.shape[2], da.shape[2]))
    for t in range(da.shape[0]):
        for n in range(da.shape[1]):
            dW += np.outer(da[t, n], h[t, n])
    return dW


def whh_global_L(da, h):  # L = 5 from section 1's cell, not len(da)
    L = 5
    return sum(da[t].T @ h[t] for t in range(L))


def whh_fixed_size(da, h):  # H = 4 written in: a shape error on other sizes
    dW = np.zeros((4, 4))
    for t in range(len(da)):
        dW += da[t].T @ h[t]
    return dW


def whh_sum_before_product(da, h):
    return da.sum(0).T @ h[:-1].sum(0)


def whh_tanh_again(da, h):
    return sum((da[t] * (1 - h[t + 1] ** 2)).T @ h[t] for t in range(len(da)))


def whh_previous_state(da, h):
    return sum(da[t].T @ h[t - 1] for t in range(len(da)))


def whh_skip_initial(da, h):
    return sum(da[t].T @ h[t] for t in range(1, len(da)))


def whh_skip_last(da, h):
    return sum(da[t].T @ h[t] for t in range(len(da) - 1))


def whh_mean_all(da, h):
    return sum(da[t].T @ h[t] for t in range(len(da))) / (da.shape[0] * da.shape[1])


def whh_per_step_stack(da, h):
    return np.stack([da[t].T @ h[t] for t in range(len(da))])


def whh_float32(da, h):
    dW = np.zeros((da.shape[2], da.shape[2]), dtype=np.float32)
    for t in range(len(da)):
        dW += da[t].T @ h[t]
    return dW


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


def correct_forget_logit(dh, dc, o, f, c_prev, c):  # back to a_f, then sigmoid's derivative
    a_f = np.log(f / (1 - f))
    s = 1 / (1 + np.exp(-a_f))
    return (dc + dh * o * (1 - np.tanh(c) ** 2)) * c_prev * s * (1 - s)


def forget_sigmoid_of_f(dh, dc, o, f, c_prev, c):
    s = 1 / (1 + np.exp(-f))
    return (dc + dh * o * (1 - np.tanh(c) ** 2)) * c_prev * s * (1 - s)


def forget_tanh_at_c_prev(dh, dc, o, f, c_prev, c):
    return (dc + dh * o * (1 - np.tanh(c_prev) ** 2)) * c_prev * f * (1 - f)


def forget_returns_dc_prev(dh, dc, o, f, c_prev, c):
    return (dc + dh * o * (1 - np.tanh(c) ** 2)) * f


def forget_dh_do(dh, dc, o, f, c_prev, c):
    return (dc + dh * o * np.tanh(c)) * c_prev * f * (1 - f)


def forget_no_dc(dh, dc, o, f, c_prev, c):
    return dh * o * (1 - np.tanh(c) ** 2) * c_prev * f * (1 - f)


def forget_half_sigmoid(dh, dc, o, f, c_prev, c):
    return (dc + dh * o * (1 - np.tanh(c) ** 2)) * c_prev * f


def forget_paths_multiplied(dh, dc, o, f, c_prev, c):
    return dc * dh * o * (1 - np.tanh(c) ** 2) * c_prev * f * (1 - f)


def forget_no_tanh_derivative(dh, dc, o, f, c_prev, c):
    return (dc + dh * o) * c_prev * f * (1 - f)


def forget_tanh_squared(dh, dc, o, f, c_prev, c):
    return (dc + dh * o * np.tanh(c) ** 2) * c_prev * f * (1 - f)


def forget_o_derivative(dh, dc, o, f, c_prev, c):
    return (dc + dh * o * (1 - o) * (1 - np.tanh(c) ** 2)) * c_prev * f * (1 - f)


def forget_in_place_dh(dh, dc, o, f, c_prev, c):
    dh *= o * (1 - np.tanh(c) ** 2)
    return (dc + dh) * c_prev * f * (1 - f)


def forget_fixed_size(dh, dc, o, f, c_prev, c):
    out = np.zeros((3, 4))
    out[:] = (dc + dh * o * (1 - np.tanh(c) ** 2)) * c_prev * f * (1 - f)
    return out


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
    Case("ex_bptt_carry", correct_carry_shifted, None),
    Case("ex_bptt_carry", correct_carry_list, None),
    Case("ex_bptt_carry", carry_global_L, "a fixed number of steps (5"),
    Case("ex_bptt_carry", carry_global_L6, "index 5 is out of bounds"),
    Case("ex_bptt_carry", carry_no_own_share, "left out dy[t], the loss's own share"),
    Case("ex_bptt_carry", carry_tanh_after_product, "derivative after the product with w_hh"),
    Case("ex_bptt_carry", carry_tanh_after_product_ht, "multiplied by (1 - h[t]**2) after"),
    Case("ex_bptt_carry", carry_tanh_of_h, "used 1 - tanh(h)**2"),
    Case("ex_bptt_carry", carry_one_minus_h_squared, "used (1 - h)**2"),
    Case("ex_bptt_carry", carry_one_minus_h, "used 1 - h instead of 1 - h**2"),
    Case("ex_bptt_carry", carry_stops_at_one, "the loop stops before t = 0"),
    Case("ex_bptt_carry", carry_last_zero, "dh[l-1] is zero"),
    Case("ex_bptt_carry", carry_returns_da, "the gradient of the pre-activations"),
    Case("ex_bptt_carry", carry_running_added_up, "the carry was added up"),
    Case("ex_bptt_carry", carry_running_wrong_state, "not at the state going into it"),
    Case("ex_bptt_carry", carry_alias, "changed an input in place"),
    Case("ex_bptt_carry", carry_float32, "dtype float32"),
    Case("ex_whh_grad", correct_whh, None),
    Case("ex_whh_grad", correct_whh_einsum, None),
    Case("ex_whh_grad", whh_last_step, "kept only the last step's term"),
    Case("ex_whh_grad", whh_first_step, "kept only the first step's term"),
    Case("ex_whh_grad", whh_mean_over_time, "averaged over time"),
    Case("ex_whh_grad", whh_next_state, "used h[t+1]"),
    Case("ex_whh_grad", whh_transposed, "transposed"),
    Case("ex_whh_grad", whh_batch_mean, "averaged over the batch"),
    Case("ex_whh_grad", correct_whh_reshape, None),
    Case("ex_whh_grad", correct_whh_outer, None),
    Case("ex_whh_grad", whh_global_L, "a fixed number of steps (5"),
    Case("ex_whh_grad", whh_fixed_size, "shape error"),
    Case("ex_whh_grad", whh_sum_before_product, "summed da and h over time before multiplying"),
    Case("ex_whh_grad", whh_tanh_again, "multiplied by tanh's derivative again"),
    Case("ex_whh_grad", whh_previous_state, "used h[t-1]"),
    Case("ex_whh_grad", whh_skip_initial, "left out step 0's term"),
    Case("ex_whh_grad", whh_skip_last, "left out the last step's term"),
    Case("ex_whh_grad", whh_mean_all, "averaged over time and batch"),
    Case("ex_whh_grad", whh_per_step_stack, "has shape (5, 4, 4), expected (4, 4)"),
    Case("ex_whh_grad", whh_float32, "dtype float32"),
    Case("ex_forget_gate_grad", correct_forget, None),
    Case("ex_forget_gate_grad", correct_forget_expanded, None),
    Case("ex_forget_gate_grad", forget_no_h_path, "left out the path through h_t"),
    Case("ex_forget_gate_grad", forget_tanh_of_c_wrong, "used 1 - c**2"),
    Case("ex_forget_gate_grad", forget_no_sigmoid, "left out the sigmoid's derivative"),
    Case("ex_forget_gate_grad", forget_uses_c, "instead of c_prev"),
    Case("ex_forget_gate_grad", forget_tanh_gate, "1 - f**2"),
    Case("ex_forget_gate_grad", forget_no_o, "left out o"),
    Case("ex_forget_gate_grad", forget_in_place, "changed an input in place"),
    Case("ex_forget_gate_grad", correct_forget_logit, None),
    Case("ex_forget_gate_grad", forget_sigmoid_of_f, "applied sigmoid to f again"),
    Case("ex_forget_gate_grad", forget_tanh_at_c_prev, "took tanh's derivative at c_prev"),
    Case("ex_forget_gate_grad", forget_returns_dc_prev, "the gradient carried to c_prev"),
    Case("ex_forget_gate_grad", forget_dh_do, "which is dh_t/do"),
    Case("ex_forget_gate_grad", forget_no_dc, "left out dc"),
    Case("ex_forget_gate_grad", forget_half_sigmoid, "multiplied by f alone"),
    Case("ex_forget_gate_grad", forget_paths_multiplied, "multiplied the two paths"),
    Case("ex_forget_gate_grad", forget_no_tanh_derivative, "left out tanh's derivative"),
    Case("ex_forget_gate_grad", forget_tanh_squared, "used tanh(c)**2"),
    Case("ex_forget_gate_grad", forget_o_derivative, "o's sigmoid derivative"),
    Case("ex_forget_gate_grad", forget_in_place_dh, "changed an input in place"),
    Case("ex_forget_gate_grad", forget_fixed_size, "shape error"),
]

test_catalogue = run_catalogue(CATALOGUE)
