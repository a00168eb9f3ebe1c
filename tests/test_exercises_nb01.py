"""Catalogue of notebook 01's exercises: each right answer passes, each typical wrong answer is
rejected with a message naming its mistake."""

import math

import numpy as np
import pytest
from helpers import Case, run_catalogue

from bpcourse.exercises import lookup, run

# --- ex_numerical_grad ------------------------------------------------------------------------


def numgrad_correct(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = fn(x)
        x[i] = old - h
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_correct_unit_vectors(fn, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    grad = np.empty(x.shape)
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        e = e.reshape(x.shape)
        grad.flat[i] = (fn(x + e) - fn(x - e)) / (2 * h)
    return grad


def numgrad_in_place_no_restore(fn, x, h=1e-6):
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = fn(x)
        x[i] -= 2 * h
        f_minus = fn(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_copy_no_restore(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = fn(x)
        x[i] = old - h
        f_minus = fn(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_restores_by_arithmetic(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = fn(x)
        x[i] -= 2 * h
        f_minus = fn(x)
        x[i] += h  # back, up to rounding: harmless on a copy
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_in_place_by_arithmetic(fn, x, h=1e-6):
    grad = np.zeros(np.shape(x))
    for i in np.ndindex(grad.shape):
        x[i] += h
        f_plus = fn(x)
        x[i] -= 2 * h
        f_minus = fn(x)
        x[i] += h  # "restored", but rounding leaves the caller's x off by a few ulps
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_forward(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    f0 = fn(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (fn(x) - f0) / h
        x[i] = old
    return grad


def numgrad_divides_by_h(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = fn(x)
        x[i] = old - h
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / h
    return grad


def numgrad_fixed_step(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    eps = 1e-6  # the course's h
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = fn(x)
        x[i] = old - eps
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def numgrad_subtracts_backwards(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old - h
        f_plus = fn(x)
        x[i] = old + h
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_all_at_once(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    return np.full(x.shape, (fn(x + h) - fn(x - h)) / (2 * h))


def numgrad_rows(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        f_plus = fn(x)
        x[i] = old - h
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_integer_copy(fn, x, h=1e-6):
    x = np.asarray(x).copy()
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = fn(x)
        x[i] = old - h
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_integer_grad(fn, x, h=1e-6):
    grad = np.zeros_like(x)  # integer when x is
    x = np.array(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = fn(x)
        x[i] = old - h
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_in_place_restored(fn, x, h=1e-6):
    grad = np.zeros(np.shape(x))
    for i in np.ndindex(grad.shape):  # no copy: fails on a list
        old = x[i]
        x[i] = old + h
        f_plus = fn(x)
        x[i] = old - h
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_size_loop(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in range(x.size):  # x[i] is a row of a 2-D x, and i runs past its rows
        old = x[i]
        x[i] = old + h
        f_plus = fn(x)
        x[i] = old - h
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


# --- ex_dk_dx ---------------------------------------------------------------------------------


def dk_correct(x):
    u = 3 * x
    v = np.sin(u)
    return np.exp(v) * np.cos(u) * 3


def dk_missing_inner(x):
    return np.exp(np.sin(3 * x)) * np.cos(3 * x)


def dk_cos_at_x(x):
    return np.exp(np.sin(3 * x)) * np.cos(x) * 3


def dk_exp_at_u(x):
    u = 3 * x
    return np.exp(u) * np.cos(u) * 3


def dk_sum_of_locals(x):
    u = 3 * x
    v = np.sin(u)
    return np.exp(v) + np.cos(u) + 3


def dk_function_itself(x):
    return np.exp(np.sin(3 * x))


def dk_minus_cos(x):
    u = 3 * x
    return np.exp(np.sin(u)) * -np.cos(u) * 3


def dk_sin_at_x(x):
    return np.exp(np.sin(x)) * np.cos(3 * x) * 3


def dk_in_place(x):
    x *= 3  # u = 3x, reusing the array
    return np.exp(np.sin(x)) * np.cos(x) * 3


def dk_math_module(x):
    u = 3 * x
    return math.exp(math.sin(u)) * math.cos(u) * 3  # only scalars: a TypeError on an array


# --- ex_graph_grads ---------------------------------------------------------------------------


def graph_correct(w, b, x, y):
    r = w * x + b - y
    dL_dz = 2 * r
    return dL_dz * x, dL_dz, dL_dz * w


def graph_sign_flip(w, b, x, y):
    r = y - (w * x + b)
    return 2 * r * x, 2 * r, 2 * r * w


def graph_missing_2(w, b, x, y):
    r = w * x + b - y
    return r * x, r, r * w


def graph_swapped(w, b, x, y):
    g = 2 * (w * x + b - y)
    return g * w, g, g * x


def graph_db_local(w, b, x, y):
    g = 2 * (w * x + b - y)
    return g * x, 1.0, g * w


def graph_locals_only(w, b, x, y):
    return x, 1, w


def graph_wrong_order(w, b, x, y):
    g = 2 * (w * x + b - y)
    return g * x, g * w, g


def graph_worked_example(w, b, x, y):
    return -15.0, -3.0, -6.0


def graph_returns_dict(w, b, x, y):
    g = 2 * (w * x + b - y)
    return {"w": g * x, "b": g, "x": g * w}


# --- ex_two_paths -----------------------------------------------------------------------------


def two_paths_correct(x, y):
    q = x * y
    dL_dq = np.cos(q)
    dL_dx = 0.0
    dL_dx += dL_dq * y
    dL_dx += 2 * x
    return dL_dx, dL_dq * x


def two_paths_assigns(x, y):
    dL_dq = np.cos(x * y)
    dL_dx = dL_dq * y  # path via q
    dL_dx = 2 * x  # path via x**2: = instead of +=
    return dL_dx, dL_dq * x


def two_paths_only_q(x, y):
    dL_dq = np.cos(x * y)
    return dL_dq * y, dL_dq * x


def two_paths_swapped_locals(x, y):
    dL_dq = np.cos(x * y)
    return dL_dq * x + 2 * x, dL_dq * y


def two_paths_no_cos(x, y):
    return y + 2 * x, x


def two_paths_sin_for_cos(x, y):
    dL_dq = np.sin(x * y)
    return dL_dq * y + 2 * x, dL_dq * x


def two_paths_half_square(x, y):
    dL_dq = np.cos(x * y)
    return dL_dq * y + x, dL_dq * x


def two_paths_minus_cos(x, y):
    dL_dq = -np.cos(x * y)
    return dL_dq * y + 2 * x, dL_dq * x


def two_paths_only_dx(x, y):
    return np.cos(x * y) * y + 2 * x


# --- ex_gd_step -------------------------------------------------------------------------------


def gd_correct(w, b, x, y, lr):
    dL_dz = 2 * (w * x + b - y)
    return w - lr * dL_dz * x, b - lr * dL_dz


def gd_ascent(w, b, x, y, lr):
    g = 2 * (w * x + b - y)
    return w + lr * g * x, b + lr * g


def gd_no_lr(w, b, x, y, lr):
    g = 2 * (w * x + b - y)
    return w - g * x, b - g


def gd_sequential(w, b, x, y, lr):
    w = w - lr * 2 * (w * x + b - y) * x
    b = b - lr * 2 * (w * x + b - y)  # uses the new w
    return w, b


def gd_returns_gradients(w, b, x, y, lr):
    g = 2 * (w * x + b - y)
    return g * x, g


def gd_notebook_lr(w, b, x, y, lr):
    g = 2 * (w * x + b - y)
    return w - 0.01 * g * x, b - 0.01 * g


def gd_dw_without_x(w, b, x, y, lr):
    g = 2 * (w * x + b - y)
    return w - lr * g, b - lr * g


def gd_missing_2(w, b, x, y, lr):
    r = w * x + b - y
    return w - lr * r * x, b - lr * r


def gd_returns_steps(w, b, x, y, lr):
    g = 2 * (w * x + b - y)
    return lr * g * x, lr * g


def gd_only_w(w, b, x, y, lr):
    return w - lr * 2 * (w * x + b - y) * x


CATALOGUE = [
    Case("ex_numerical_grad", numgrad_correct, None),
    Case("ex_numerical_grad", numgrad_correct_unit_vectors, None),
    Case("ex_numerical_grad", numgrad_restores_by_arithmetic, None),
    Case("ex_numerical_grad", numgrad_in_place_no_restore, "the caller's x was changed"),
    Case("ex_numerical_grad", numgrad_in_place_by_arithmetic, "changed by the call, by rounding"),
    Case("ex_numerical_grad", numgrad_copy_no_restore, "a nudge is not undone"),
    Case("ex_numerical_grad", numgrad_forward, "forward"),
    Case("ex_numerical_grad", numgrad_divides_by_h, "divides by h instead of 2h"),
    Case("ex_numerical_grad", numgrad_fixed_step, "ignores the argument h"),
    Case("ex_numerical_grad", numgrad_subtracts_backwards, "the wrong way round"),
    Case("ex_numerical_grad", numgrad_all_at_once, "every element of x is nudged at once"),
    Case("ex_numerical_grad", numgrad_rows, "a whole row is nudged"),
    Case("ex_numerical_grad", numgrad_integer_copy, "rounded to an integer"),
    Case("ex_numerical_grad", numgrad_integer_grad, "the result is an integer array"),
    Case("ex_numerical_grad", numgrad_in_place_restored, "rounded to an integer"),
    Case("ex_numerical_grad", numgrad_size_loop, "IndexError"),
    Case("ex_dk_dx", dk_correct, None),
    Case("ex_dk_dx", dk_missing_inner, "du/dx = 3 is missing"),
    Case("ex_dk_dx", dk_cos_at_x, "cos is taken at x"),
    Case("ex_dk_dx", dk_exp_at_u, "exp is taken at u = 3x"),
    Case("ex_dk_dx", dk_sum_of_locals, "added instead of multiplied"),
    Case("ex_dk_dx", dk_function_itself, "k(x) itself"),
    Case("ex_dk_dx", dk_minus_cos, "not -cos u"),
    Case("ex_dk_dx", dk_sin_at_x, "sin is taken at x"),
    Case("ex_dk_dx", dk_in_place, "the caller's x was changed"),
    Case("ex_dk_dx", dk_math_module, "TypeError"),
    Case("ex_graph_grads", graph_correct, None),
    Case("ex_graph_grads", graph_sign_flip, "y - (w x + b)"),
    Case("ex_graph_grads", graph_missing_2, "factor 2"),
    Case("ex_graph_grads", graph_swapped, "swapped"),
    Case("ex_graph_grads", graph_db_local, "dz/db = 1 alone"),
    Case("ex_graph_grads", graph_locals_only, "local derivatives only"),
    Case("ex_graph_grads", graph_wrong_order, "in the order (dL/dw, dL/dx, dL/db)"),
    Case("ex_graph_grads", graph_worked_example, "worked example's numbers"),
    Case("ex_graph_grads", graph_returns_dict, "tuple (dL/dw, dL/db, dL/dx)"),
    Case("ex_two_paths", two_paths_correct, None),
    Case("ex_two_paths", two_paths_assigns, "overwritten (= instead of +=)"),
    Case("ex_two_paths", two_paths_only_q, "the path via x**2 is lost"),
    Case("ex_two_paths", two_paths_swapped_locals, "swapped"),
    Case("ex_two_paths", two_paths_no_cos, "cos(q), is missing"),
    Case("ex_two_paths", two_paths_sin_for_cos, "sin(q) is used where"),
    Case("ex_two_paths", two_paths_half_square, "2x, not x"),
    Case("ex_two_paths", two_paths_minus_cos, "not -cos"),
    Case("ex_two_paths", two_paths_only_dx, "the tuple (dL/dx, dL/dy)"),
    Case("ex_gd_step", gd_correct, None),
    Case("ex_gd_step", gd_ascent, "descent subtracts"),
    Case("ex_gd_step", gd_no_lr, "learning rate is missing"),
    Case("ex_gd_step", gd_sequential, "after w was already updated"),
    Case("ex_gd_step", gd_returns_gradients, "returns the gradients"),
    Case("ex_gd_step", gd_notebook_lr, "instead of the lr argument"),
    Case("ex_gd_step", gd_dw_without_x, "lacks the factor x"),
    Case("ex_gd_step", gd_missing_2, "factor 2"),
    Case("ex_gd_step", gd_returns_steps, "returns the steps"),
    Case("ex_gd_step", gd_only_w, "the new (w, b), two numbers"),
]

test_catalogue = run_catalogue(CATALOGUE)

NAMES = ["ex_numerical_grad", "ex_dk_dx", "ex_graph_grads", "ex_two_paths", "ex_gd_step"]


@pytest.mark.parametrize("name", NAMES)
def test_the_stub_is_not_done(name):
    def stub(*args, **kwargs):
        raise NotImplementedError("Exercise: write your code here, then run the check cell below")

    assert run(name, stub).status == "not done"
    assert run(name, None).status == "not done"


@pytest.mark.parametrize("name", NAMES)
def test_first_hint_is_a_nudge_and_the_last_gives_the_answer(name):
    hints = lookup(name).hints
    assert len(hints) >= 3
    assert hints[0].startswith("A nudge")
    assert "return" in hints[-1] and "return" not in hints[0]


def test_at_least_four_wrong_answers_per_exercise():
    for name in NAMES:
        wrong = [c for c in CATALOGUE if c.name == name and c.phrase is not None]
        assert len(wrong) >= 4, name


def test_the_input_is_checked_unchanged_even_when_the_values_are_right():
    """In place, not restored, but right at every call: only the unchanged-input check sees it."""
    calls = []

    def sneaky(fn, x, h=1e-6):
        grad = numgrad_correct(fn, x, h)
        if isinstance(x, np.ndarray) and x.dtype == np.float64:
            x += 0.0 * x + 1e-3  # a side effect that leaves the returned values right
        calls.append(1)
        return grad

    outcome = run("ex_numerical_grad", sneaky)
    assert calls and outcome.status == "mistake"
    assert "the caller's x was changed" in outcome.message


# Tried as a learner would (issue 13): more wrong answers, each with the phrase naming it, and
# right answers written differently.
def numgrad_aliases_instead_of_copies(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp = x  # meant as a copy
        xp[i] += h
        xm = x
        xm[i] -= h
        grad[i] = (fn(xp) - fn(xm)) / (2 * h)
    return grad


def numgrad_grad_is_x(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = x  # meant as "an array of x's shape"
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = fn(x)
        x[i] = old - h
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_default_h_in_the_denominator(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = fn(x)
        x[i] = old - h
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / 2e-6
    return grad


def numgrad_returns_a_list(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = []
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = fn(x)
        x[i] = old - h
        f_minus = fn(x)
        x[i] = old
        grad.append((f_plus - f_minus) / (2 * h))
    return grad


def numgrad_half_steps(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h / 2
        f_plus = fn(x)
        x[i] = old - h / 2
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / h
    return grad


def numgrad_double_steps(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + 2 * h
        f_plus = fn(x)
        x[i] = old - 2 * h
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_float32(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float32)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = fn(x)
        x[i] = old - h
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numgrad_copies_per_nudge(fn, x, h=1e-6):
    x = np.asarray(x).astype(float)
    grad = np.empty_like(x)
    for i in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        grad[i] = (fn(xp) - fn(xm)) / (2 * h)
    return grad


def numgrad_flat_view(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    flat = x.reshape(-1)  # a view of the copy
    grad = np.zeros(x.size)
    for k in range(x.size):
        old = flat[k]
        flat[k] = old + h
        f_plus = fn(x)
        flat[k] = old - h
        f_minus = fn(x)
        flat[k] = old
        grad[k] = (f_plus - f_minus) / (2 * h)
    return grad.reshape(x.shape)


def dk_exp_of_inner_derivative(x):
    return np.exp(np.cos(3 * x)) * 3


def dk_without_outer_factor(x):
    return np.cos(3 * x) * 3


def dk_list_of_floats(x):
    return [math.exp(math.sin(3 * t)) * math.cos(3 * t) * 3 for t in x]


def dk_three_twice(x):
    u = 3 * x
    return np.exp(np.sin(u)) * np.cos(3 * u) * 3


def dk_np_gradient(x):
    return np.gradient(np.exp(np.sin(3 * x)), x)


def dk_reordered(x):
    return 3 * np.cos(3 * x) * np.exp(np.sin(3 * x))


def graph_dx_uses_x(w, b, x, y):
    g = 2 * (w * x + b - y)
    return g * x, g, g * x


def graph_dx_without_w(w, b, x, y):
    g = 2 * (w * x + b - y)
    return g * x, g, g


def graph_db_times_b(w, b, x, y):
    g = 2 * (w * x + b - y)
    return g * x, g * b, g * w


def graph_plus_y(w, b, x, y):
    g = 2 * (w * x + b + y)
    return g * x, g, g * w


def graph_returns_an_array(w, b, x, y):
    g = 2 * (w * x + b - y)
    return np.array([g * x, g, g * w])


def two_paths_dy_squared_too(x, y):
    c = np.cos(x * y)
    return c * y + 2 * x, c * x + 2 * y


def two_paths_multiplied(x, y):
    c = np.cos(x * y)
    return c * y * 2 * x, c * x


def two_paths_dy_uses_y(x, y):
    c = np.cos(x * y)
    return c * y + 2 * x, c * y


def two_paths_square_twice(x, y):
    c = np.cos(x * y)
    dL_dx = c * y + 2 * x
    dL_dx += 2 * x  # "and the x**2 path"
    return dL_dx, c * x


def two_paths_math(x, y):
    return math.cos(x * y) * y + 2 * x, math.cos(x * y) * x


def gd_b_along_dw(w, b, x, y, lr):
    g = 2 * (w * x + b - y)
    return w - lr * g * x, b - lr * g * x


def gd_returns_b_w(w, b, x, y, lr):
    g = 2 * (w * x + b - y)
    return b - lr * g, w - lr * g * x


def gd_b_first(w, b, x, y, lr):
    b = b - lr * 2 * (w * x + b - y)
    w = w - lr * 2 * (w * x + b - y) * x  # uses the new b
    return w, b


def gd_divides_by_lr(w, b, x, y, lr):
    g = 2 * (w * x + b - y)
    return w - g * x / lr, b - g / lr


def gd_dw_uses_w(w, b, x, y, lr):
    g = 2 * (w * x + b - y)
    return w - lr * g * w, b - lr * g


def gd_vector_form(w, b, x, y, lr):
    p = np.array([w, b])
    return p - lr * 2 * (w * x + b - y) * np.array([x, 1.0])


CATALOGUE_LEARNER = [
    Case("ex_numerical_grad", numgrad_aliases_instead_of_copies, "xp = x does not copy"),
    Case("ex_numerical_grad", numgrad_grad_is_x, "grad and x are the same array"),
    Case("ex_numerical_grad", numgrad_default_h_in_the_denominator, "instead of 2 * h"),
    Case("ex_numerical_grad", numgrad_returns_a_list, "returned a list"),
    Case("ex_numerical_grad", numgrad_half_steps, "nudges by h/2"),
    Case("ex_numerical_grad", numgrad_double_steps, "nudges by 2h"),
    Case("ex_numerical_grad", numgrad_float32, "float32"),
    Case("ex_numerical_grad", numgrad_copies_per_nudge, None),
    Case("ex_numerical_grad", numgrad_flat_view, None),
    Case("ex_dk_dx", dk_exp_of_inner_derivative, "exp(cos(3x))"),
    Case("ex_dk_dx", dk_without_outer_factor, "outer factor"),
    Case("ex_dk_dx", dk_list_of_floats, "returned a list"),
    Case("ex_dk_dx", dk_three_twice, "cos is taken at 9x"),
    Case("ex_dk_dx", dk_np_gradient, "np.gradient"),
    Case("ex_dk_dx", dk_reordered, None),
    Case("ex_graph_grads", graph_dx_uses_x, "dL/dx uses x"),
    Case("ex_graph_grads", graph_dx_without_w, "dL/dx is dL/dz alone"),
    Case("ex_graph_grads", graph_db_times_b, "dL/db is multiplied by b"),
    Case("ex_graph_grads", graph_plus_y, "the residual adds y"),
    Case("ex_graph_grads", graph_returns_an_array, None),
    Case("ex_two_paths", two_paths_dy_squared_too, "2y term"),
    Case("ex_two_paths", two_paths_multiplied, "paths into x are multiplied"),
    Case("ex_two_paths", two_paths_dy_uses_y, "dL/dy uses y"),
    Case("ex_two_paths", two_paths_square_twice, "counted twice"),
    Case("ex_two_paths", two_paths_math, None),
    Case("ex_gd_step", gd_b_along_dw, "b steps along dL/dw"),
    Case("ex_gd_step", gd_returns_b_w, "in the order (b, w)"),
    Case("ex_gd_step", gd_b_first, "after b was already updated"),
    Case("ex_gd_step", gd_divides_by_lr, "divides by lr"),
    Case("ex_gd_step", gd_dw_uses_w, "dL/dw uses w"),
    Case("ex_gd_step", gd_vector_form, None),
]

test_catalogue_learner = run_catalogue(CATALOGUE_LEARNER)


def numgrad_precedence(fn, x, h=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = fn(x)
        x[i] = old - h
        f_minus = fn(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / 2 * h  # precedence: (.../2) * h
    return grad


def dk_by_sympy(x):
    import sympy as sp

    t = sp.symbols("t")
    return sp.lambdify(t, sp.diff(sp.exp(sp.sin(3 * t)), t), "numpy")(x)


def gd_forgets_b(w, b, x, y, lr):
    g = 2 * (w * x + b - y)
    return w - lr * g * x, b


test_catalogue_more = run_catalogue(
    [
        Case("ex_numerical_grad", numgrad_precedence, "write / (2 * h)"),
        Case("ex_dk_dx", dk_by_sympy, None),
        Case("ex_gd_step", gd_forgets_b, "b is returned unchanged"),
    ]
)


CATALOGUE = (
    CATALOGUE + CATALOGUE_LEARNER
)  # the whole table, as tests/test_exercise_catalogue.py reads it


def graph_symbolic(w, b, x, y):
    import sympy as sp

    W, B, X, Yy = sp.symbols("w b x y")
    L = (W * X + B - Yy) ** 2
    return sp.diff(L, W), sp.diff(L, B), sp.diff(L, X)  # never substituted


def two_paths_sympy_numbers(x, y):
    import sympy as sp

    X, Yy = sp.symbols("x y")
    L = sp.sin(X * Yy) + X**2
    at = {X: x, Yy: y}
    return sp.diff(L, X).subs(at).evalf(), sp.diff(L, Yy).subs(at).evalf()


test_catalogue_symbolic = run_catalogue(
    [
        Case("ex_graph_grads", graph_symbolic, "not with symbols"),
        Case("ex_two_paths", two_paths_sympy_numbers, None),
    ]
)
