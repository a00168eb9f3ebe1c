"""bpcourse.check: the paths mutation testing found untested (tests/MUTATION.md).

exercise() with dict and tuple answers, its tolerances, its exact printed lines, and how it
tells "not done yet" from a bug in the answer.
"""

from __future__ import annotations

import numpy as np
import pytest

from bpcourse import check

A = np.array([1.0, -2.0, 3.0])
B = np.array([[0.5, 0.25]])


def test_exercise_dict_answer_ok_prints_the_count(capsys):
    check.exercise("ex_grads", {"dW": A, "db": B}, {"dW": A.copy(), "db": B.copy()})
    assert capsys.readouterr().out == "Exercise ex_grads: OK, all 2 arrays match.\n"


def test_exercise_dict_answer_wrong_keys_or_kind():
    with pytest.raises(AssertionError, match=r"^Exercise ex: expected a dict with keys \['dW', 'db'\], got \['dW'\]$"):
        check.exercise("ex", {"dW": A}, {"dW": A, "db": B})
    with pytest.raises(AssertionError, match=r"^Exercise ex: expected a dict with keys \['dW', 'db'\], got tuple$"):
        check.exercise("ex", (A, B), {"dW": A, "db": B})


def test_exercise_dict_answer_names_the_wrong_entry():
    with pytest.raises(AssertionError, match=r"^Exercise ex: ex\['db'\]: max abs diff 0\.5 at \[0, 0\]"):
        check.exercise("ex", {"dW": A, "db": B + [[0.5, 0.0]]}, {"dW": A, "db": B})
    with pytest.raises(AssertionError, match=r"^Exercise ex: ex\['dW'\] has shape \(3,\), expected \(1, 3\)"):
        check.exercise("ex", {"dW": A, "db": B}, {"dW": A[None], "db": B})


def test_exercise_tuple_answer_names_the_wrong_element():
    with pytest.raises(AssertionError, match=r"^Exercise ex: ex\[1\]: max abs diff 0\.25 at \[0, 1\]"):
        check.exercise("ex", (A, B + [[0.0, 0.25]]), (A, B))
    with pytest.raises(AssertionError, match=r"^Exercise ex: expected 2 results, got ndarray$"):
        check.exercise("ex", A, (A, B))
    with pytest.raises(AssertionError, match=r"^Exercise ex: expected 2 results, got 3$"):
        check.exercise("ex", [A, B, B], [A, B])


@pytest.mark.parametrize(
    "answer, expected",
    [
        (A * (1 + 1e-7), A),
        ((A * (1 + 1e-7), B), (A, B)),
        ({"dW": A * (1 + 1e-7)}, {"dW": A}),
    ],
    ids=["array", "tuple", "dict"],
)
def test_exercise_passes_rtol_and_atol_on(answer, expected, capsys):
    # 1e-7 relative is outside the float64 default (1e-10) and inside the given tolerances.
    with pytest.raises(AssertionError, match="max abs diff"):
        check.exercise("ex", answer, expected)
    check.exercise("ex", answer, expected, rtol=1e-6)
    check.exercise("ex", answer, expected, rtol=0.0, atol=1e-6)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all(line.startswith("Exercise ex: OK") for line in out)
    # ... and they are used as given: too tight an atol alone fails.
    with pytest.raises(AssertionError, match=r"rtol=0e\+00, atol=1e-09"):
        check.exercise("ex", answer, expected, rtol=0.0, atol=1e-9)


def test_exercise_with_check_prints_its_line(capsys):
    check.exercise("ex_fn", np.tanh, check=lambda f: check.assert_close(f(0.0), 0.0, "f(0)"))
    assert capsys.readouterr().out == "Exercise ex_fn: OK, passes its checks.\n"


def test_exercise_check_of_a_stub_is_not_done(capsys):
    def ex_fn(x):
        raise NotImplementedError("Exercise: write ex_fn")

    check.exercise("ex_fn", ex_fn, check=lambda f: f(1.0), hint="tanh'(x) = 1 - tanh(x)**2")
    assert capsys.readouterr().out == "Exercise not done yet: ex_fn. Hint: tanh'(x) = 1 - tanh(x)**2\n"


def test_exercise_wrong_answer_without_hint_adds_nothing():
    with pytest.raises(AssertionError) as mine:
        check.exercise("ex", -A, A)
    with pytest.raises(AssertionError) as plain:
        check.assert_close(-A, A, "ex")
    assert str(mine.value) == f"Exercise ex: {plain.value}"


def test_exercise_name_error_for_the_answer_itself_is_not_done(capsys):
    def raise_name_error(*args, **kwargs):
        raise NameError(*args, **kwargs)

    # Raised by Python for the missing name: both .name and the message name it.
    check.exercise("ex_a", lambda: raise_name_error("name 'ex_a' is not defined", name="ex_a"), A)
    # Only the attribute names it (a message in another form) ...
    check.exercise("ex_a", lambda: raise_name_error("undefined", name="ex_a"), A)
    # ... or only the message does (a NameError built by hand has .name None).
    check.exercise("ex_a", lambda: raise_name_error("name 'ex_a' is not defined"), A)
    assert capsys.readouterr().out == "Exercise not done yet: ex_a.\n" * 3
    # Any other name is a bug in the answer, shown as it is.
    with pytest.raises(NameError, match="helper"):
        check.exercise("ex_a", lambda: raise_name_error("name 'helper' is not defined", name="helper"), A)


def test_exercise_answer_function_returning_none_is_not_done(capsys):
    check.exercise("ex", lambda: None, A)
    assert capsys.readouterr().out == "Exercise not done yet: ex.\n"


# --- assert_close: the learner-facing message of each classic mistake, word for word -------------
# These texts are the product: a hint that loses a word or fires on the wrong pattern misleads a
# learner. Each was read and checked against its case (shape first, then dtype, then values).
E = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]])
S = np.array([[1.0, 2.0], [3.0, 4.0]])
MESSAGES = {
    'transposed shape, values match': (*(E.T, E, {}), 'dW has shape (3, 2), expected (2, 3) — transposed? Yours has the expected shape reversed. A gradient has the shape of what it is the gradient of; for y = x @ W.T with W of shape (out, in), dW = dy.T @ x (your transpose matches the expected values)'),
    'transposed shape, other values': (*(E.T + 1, E, {}), 'dW has shape (3, 2), expected (2, 3) — transposed? Yours has the expected shape reversed. A gradient has the shape of what it is the gradient of; for y = x @ W.T with W of shape (out, in), dW = dy.T @ x'),
    'same numbers other shape': (*(np.ones(3), np.ones((1, 3)), {}), 'dW has shape (3,), expected (1, 3) — the same numbers in a different shape: (3,) against (1, 3). Comparisons never broadcast here, because numpy would silently turn (n,) - (n, 1) into an (n, n) matrix. Yours lacks an axis of size 1: keepdims=True in the sum, [:, None], or .reshape(1, 3)'),
    'one value per sample': (*(np.ones((4, 3)), np.ones(3), {}), "dW has shape (4, 3), expected (3,) — one value per sample? The batch axis (size 4) must be summed over: each sample adds its contribution to a parameter's gradient (e.g. db = dout.sum(axis=0))"),
    'same size other layout': (*(np.ones((3, 2, 1)), np.ones((2, 3)), {}), 'dW has shape (3, 2, 1), expected (2, 3) — the same number of elements, laid out differently (a reshape or a transpose?)'),
    'different sizes': (*(np.ones(4), np.ones(3), {}), 'dW has shape (4,), expected (3,)'),
    'int reference': (*(np.ones(2), np.ones(2, dtype=int), {}), 'dW has dtype float64, expected int64 — the reference is an array of dtype int64: build it as floats (np.array([...], dtype=np.float64)), or pass a Python list. (The values agree to float32 precision: only the dtype is wrong.)'),
    'int actual': (*(np.ones(2, dtype=int), np.ones(2), {}), 'dW has dtype int64, expected float64 — an array of dtype int64 cannot hold a gradient: np.zeros_like(x) of an integer x is integer too; use np.zeros(x.shape) or x.astype(np.float64). (The values agree to float32 precision: only the dtype is wrong.)'),
    'float32 vs float64 close': (*(E.astype(np.float32), E, {}), "dW has dtype float32, expected float64 — float32 keeps about 7 significant digits, so it cannot meet the float64 tolerance. Make the inputs float64 (numpy's default; torch.tensor(...) is float32 unless dtype=torch.float64 or setup_notebook() ran) or call .astype(np.float64). (The values agree to float32 precision: only the dtype is wrong.)"),
    'float32 vs float64 far': (*(E.astype(np.float32) + 1, E, {}), "dW has dtype float32, expected float64 — float32 keeps about 7 significant digits, so it cannot meet the float64 tolerance. Make the inputs float64 (numpy's default; torch.tensor(...) is float32 unless dtype=torch.float64 or setup_notebook() ran) or call .astype(np.float64)"),
    'float64 vs float32': (*(E, E.astype(np.float32), {}), 'dW has dtype float64, expected float32 — the reference is float32: compare in the same precision (build the reference in float64). (The values agree to float32 precision: only the dtype is wrong.)'),
    'nan in yours': (*(np.where(E > 3.5, np.nan, E), E, {}), 'dW: max abs diff inf at [1, 1] (yours nan, expected 4)\n1 of 6 elements differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours contains nan at [1, 1] — overflow in exp, log(0) or a division by zero; use a numerically stable formula.'),
    'all zeros': (*(np.zeros_like(E), E, {}), 'dW: max abs diff 4 at [1, 1] (yours 0, expected 4)\n6 of 6 elements differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is all zeros — was the backward pass run, and does it write (+=) into .grad rather than into a copy?'),
    'sign flip': (*(-E, E, {}), 'dW: max abs diff 8 at [1, 1] (yours -4, expected 4)\n6 of 6 elements differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: a sign flip — yours is exactly minus the expected values. Check the sign of the loss derivative (pred - y, not y - pred) and of each step.'),
    'square transposed': (*(S.T, S, {}), 'dW: max abs diff 1 at [0, 1] (yours 3, expected 2)\n2 of 4 elements differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: transposed — yours is the transpose of the expected values. A weight W of shape (out, in) used as y = x @ W.T has dW = dy.T @ x.'),
    'missing 1/4 with batch': (*(4 * E, E, {"batch_size": 4}), "dW: max abs diff 12 at [1, 1] (yours 16, expected 4)\n6 of 6 elements differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is 4 times the expected values everywhere — a factor 1/4 is missing: the batch has 4 samples, so the mean's 1/N (reduction='mean') was left out."),
    'missing 1/4 without batch': (*(4 * E, E, {}), "dW: max abs diff 12 at [1, 1] (yours 16, expected 4)\n6 of 6 elements differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is 4 times the expected values everywhere — a factor 1/4 is missing."),
    'missing 1/2': (*(2 * E, E, {}), "dW: max abs diff 4 at [1, 1] (yours 8, expected 4)\n6 of 6 elements differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is 2 times the expected values everywhere — a factor 1/2 is missing; or a second backward pass without zero_grad() (gradients add up)."),
    'extra 1/3': (*(E / 3, E, {}), 'dW: max abs diff 2.7 at [1, 1] (yours 1.333, expected 4)\n6 of 6 elements differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is 1/3 of the expected values everywhere — a factor 3 is missing.'),
    'minus 5': (*(-5 * E, E, {}), 'dW: max abs diff 24 at [1, 1] (yours -20, expected 4)\n6 of 6 elements differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is -5 times the expected values — a sign flip and a factor 1/5 missing.'),
    'factor 1.5': (*(1.5 * E, E, {}), 'dW: max abs diff 2 at [1, 1] (yours 6, expected 4)\n6 of 6 elements differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nLikely cause: yours is 1.5 times the expected values everywhere — a constant factor is off.'),
    'rounding': (*(E * (1 + 1e-7), E, {}), 'dW: max abs diff 4e-07 at [1, 1] (yours 4.0000004, expected 4)\n6 of 6 elements differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).\nClose, but not the same formula: the difference is about 1e-07 of the values, far above float64 rounding (1e-16). Look for an approximation or a constant in another place (a one-sided difference, an epsilon inside instead of outside a root).'),
    'unrelated': (*(E + np.array([[0, 1, 0], [0, 0, 0]]), E, {}), 'dW: max abs diff 1 at [0, 1] (yours -1, expected -2)\n1 of 6 elements differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).'),
    'reference tiny': (*(np.full(3, 1e-3), np.zeros(3), {}), 'dW: max abs diff 0.001 at [0] (yours 0.001, expected 0)\n3 of 3 elements differ by more than atol + rtol*|expected| (rtol=1e-10, atol=1e-12).'),
}


@pytest.mark.parametrize("case", list(MESSAGES))
def test_assert_close_message_word_for_word(case):
    actual, expected, kwargs, message = MESSAGES[case]
    with pytest.raises(AssertionError) as info:
        check.assert_close(actual, expected, "dW", **kwargs)
    assert str(info.value) == message


def test_assert_close_passes_return_a_stable_line():
    res = check.assert_close(E + 1e-13, E, "dW", reference="autograd")
    assert str(res) == "OK dW: shape (2, 3), float64, matches autograd (rtol=1e-10, atol=1e-12)"
    assert res.max_abs_diff > 0 and repr(res) == str(res) and bool(res)
    res = check.assert_close(E.astype(np.float32), E.astype(np.float32) * (1 + 1e-6), "dW")
    assert (res.rtol, res.atol, res.dtype) == (1e-5, 1e-6, "float32")


# --- check_gradient: structures, names, kinks and the report's text -------------------------------
def quad(W, b):
    return (W * W).sum() + 3.0 * (b * b * b).sum()


def test_check_gradient_dict_inputs_name_lines_and_kinks_by_key():
    W, b = np.array([0.5, -1.0]), np.array([2.0])
    # A kink given by location is reported even where fn is smooth (it is the caller's word).
    rep = check.check_gradient(quad, {"W": W, "b": b}, {"W": 2 * W, "b": 9 * b * b}, kinks={"W": [0.5]})
    lines = str(rep).split("\n")
    assert len(lines) == 2 and lines[0].startswith("OK dW: shape (2,)") and lines[1].startswith("OK db: shape (1,)")
    assert rep.kinks == {"dW": ((0,),), "db": ()}
    assert lines[0].endswith("; 1 coordinate within h of a kink left out of the finite-difference comparison: [0]")
    with pytest.raises(TypeError, match=r"^hand must be a dict with the keys of inputs \['W', 'b'\], got ndarray$"):
        check.check_gradient(quad, {"W": W, "b": b}, 2 * W)


def test_check_gradient_tuple_inputs_kinks_per_input_and_names():
    W, b = np.array([0.5, -1.0]), np.array([2.0])
    rep = check.check_gradient(quad, (W, b), (2 * W, 9 * b * b), kinks=([-1.0], [2.0]), names=["dW", "db"])
    assert rep.kinks == {"dW": ((1,),), "db": ((0,),)}
    rep = check.check_gradient(quad, (W, b), [2 * W, 9 * b * b])
    assert rep.kinks == {"d0": (), "d1": ()} and str(rep).startswith("OK d0: shape (2,)")


def test_check_gradient_single_input_hand_and_name_forms():
    x = np.array([0.5, -1.0, 2.0])
    rep = check.check_gradient(lambda a: (a * a).sum(), (x,), 2 * x, names="dx_mine")
    assert str(rep).startswith("OK dx_mine: shape (3,)") and rep.kinks == {"dx_mine": ()}
    rep = check.check_gradient(lambda a: (a * a).sum(), x, 2 * x, kinks=[0.5, 2.0])
    assert rep.kinks == {"dx": ((0,), (2,))}


def test_check_gradient_many_kinks_are_listed_five_then_counted():
    x = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0])
    relu_sum = lambda a: np.maximum(a, 0).sum()  # noqa: E731
    rep = check.check_gradient(relu_sum, x, (x > 0).astype(float), torch_fn=lambda a: a.relu().sum())
    assert str(rep).endswith(
        "; 7 coordinates within h of a kink left out of the finite-difference comparison: "
        "[0], [1], [2], [3], [4] and 2 more"
    )
    rep = check.check_gradient(relu_sum, x[2:], (x[2:] > 0).astype(float), torch_fn=lambda a: a.relu().sum())
    assert str(rep).endswith("comparison: [0], [1], [2], [3], [4]")


def test_check_gradient_fn_must_be_scalar_and_run_on_tensors():
    x = np.array([0.5, -1.0])
    with pytest.raises(ValueError, match=r"^fn must return a single number \(a loss\), got an array of shape \(2,\)"):
        check.check_gradient(lambda a: 2 * a, x, 2 * np.ones(2))
    with pytest.raises(TypeError, match=r"^fn does not run on torch tensors") as info:
        check.check_gradient(lambda a: 1.0, x, np.zeros(2))
    assert str(info.value.__cause__) == "not a tensor"


# --- torch_grad, to_torch, check_model_grads ------------------------------------------------------
def test_torch_grad_of_a_constant_is_zeros_of_each_input_shape():
    import torch

    grads = check.torch_grad(lambda a, b: torch.tensor(1.0, dtype=torch.float64), np.ones((2, 3)), [1.0])
    assert [g.shape for g in grads] == [(2, 3), (1,)] and all(not g.any() for g in grads)
    assert all(g.dtype == np.float64 for g in grads)


def test_torch_grad_message_for_a_numpy_result():
    with pytest.raises(TypeError) as info:
        check.torch_grad(lambda a: 1.0, np.ones(2))
    assert str(info.value) == (
        "fn must return a torch scalar tensor, got float: write it with torch operations "
        "(torch.tanh, not np.tanh) so that autograd can follow it"
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_to_torch_batchnorm_carries_every_setting(dtype):
    import torch

    from bpcourse import nn

    bn = nn.BatchNorm1d(3, eps=0.1, momentum=0.3, affine=False, track_running_stats=False, dtype=dtype)
    t = check.to_torch(bn)
    assert (t.eps, t.momentum, t.affine, t.track_running_stats) == (0.1, 0.3, False, False)
    assert t.running_mean is None and t.weight is None
    bn2 = nn.BatchNorm1d(2, momentum=None, dtype=dtype)
    bn2.running_mean[...] = [1.0, 2.0]
    bn2.num_batches_tracked = 5
    t2 = check.to_torch(bn2)
    assert t2.momentum is None and t2.weight.dtype == {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    assert t2.running_mean.tolist() == [1.0, 2.0] and int(t2.num_batches_tracked) == 5


def test_model_grad_report_is_true_and_one_line():
    from bpcourse import nn

    rep = check.check_model_grads(nn.Sequential(nn.Linear(2, 1, rng=0)), nn.MSELoss(), np.ones((3, 2)), np.zeros((3, 1)))
    assert bool(rep) is True and repr(rep) == str(rep) and "\n" not in str(rep)


def test_check_gradient_messages_name_the_disagreeing_pair():
    x = np.array([0.5, -1.0, 2.0])
    with pytest.raises(AssertionError, match=r"^the value of fn: max abs diff 1 \(fn 5\.25, torch_fn 6\.25\)\n.*rtol\*\|torch_fn\| \(rtol=1e-08, atol=1e-10\)"):
        check.check_gradient(lambda a: (a * a).sum(), x, 2 * x, torch_fn=lambda a: (a * a).sum() + 1)
    # Same value, another gradient: a.detach() hides one factor from autograd.
    with pytest.raises(AssertionError) as info:
        check.check_gradient(lambda a: (a * a).sum(), x, 2 * x, torch_fn=lambda a: (a * a.detach()).sum())
    assert str(info.value).startswith(
        "torch_fn's autograd gradient disagrees with the finite differences of fn: are fn and "
        "torch_fn the same function?\ndx: max abs diff 2 at [2] (autograd 2, finite diff 4)\n"
        "3 of 3 elements differ by more than atol + rtol*|finite diff| (rtol=1e-06, atol=2e-08)."
    )


def test_check_gradient_kink_note_and_tolerance_line():
    x0 = np.array([0.0, 1.0])
    with pytest.raises(AssertionError) as info:
        check.check_gradient(lambda a: np.maximum(a, 0).sum(), x0, (x0 >= 0).astype(float), torch_fn=lambda a: a.relu().sum())
    assert str(info.value) == (
        "dx: max abs diff 1 at [0] (hand 1, autograd 0)\n"
        "1 of 2 elements differ by more than atol + rtol*|autograd| (rtol=1e-10, atol=1e-12).\n"
        "Note: dx has coordinates at a kink [0], where the derivative is not defined; torch uses "
        "relu'(0) = 0, i.e. (x > 0), not (x >= 0)."
    )
    x = np.array([0.5, -1.0, 2.0])
    assert str(check.check_gradient(lambda a: (a * a).sum(), x, 2 * x)) == (
        "OK dx: shape (3,), float64, matches autograd (rtol=1e-10, atol=1e-12) and finite "
        "differences (h=1e-06, rtol=1e-06, atol=2e-08)"
    )
    # A loss of about 4000 cannot give its gradient better than ~16 eps |f| / h absolute.
    line = str(check.check_gradient(lambda a: (a * a).sum() + 4081.0, x, 2 * x))
    assert line.endswith(f"(h=1e-06, rtol=1e-06, atol={16 * np.finfo(float).eps * 4086.25 / 1e-6:.0e})")
    assert line.endswith("atol=1e-05)")


def test_kink_mask_locations():
    x = np.array([[1.0, -1.0, 0.5], [2.0, 1.0 + 5e-7, 0.5 + 2e-6]])
    np.testing.assert_array_equal(
        check.kink_mask(x, [1.0, 0.5], 1e-6), [[True, False, True], [False, True, False]]
    )
    np.testing.assert_array_equal(check.kink_mask(np.array([0.5]), [0], 0.5), [True])  # |x - k| <= h
    np.testing.assert_array_equal(check.kink_mask(x, None, 1e-6), np.zeros((2, 3), dtype=bool))


@pytest.mark.parametrize(
    "factor, kwargs, cause",
    [
        (2.0, {"batch_size": 2}, "yours is 2 times the expected values everywhere — a factor 1/2 is missing: the batch has 2 samples, so the mean's 1/N (reduction='mean') was left out; or a second backward pass without zero_grad() (gradients add up)."),
        (3.0, {"batch_size": 4}, "yours is 3 times the expected values everywhere — a factor 1/3 is missing."),
        (3 * (1 + 2e-7), {}, "yours is 3 times the expected values everywhere — a factor 1/3 is missing."),
        (0.5, {}, "yours is 1/2 of the expected values everywhere — a factor 2 is missing (the 2 of d(u**2)/du = 2u?)."),
        (1 / 3, {"batch_size": 3}, "yours is 1/3 of the expected values everywhere — a factor 3 is missing (dividing by the batch size twice, or averaging a loss defined as a sum?)."),
        (1 / 3, {"batch_size": 4}, "yours is 1/3 of the expected values everywhere — a factor 3 is missing."),
        (3**0.5, {}, "yours is sqrt(3) times the expected values everywhere — a square root is off"),
        (1 / 8**0.5, {}, "yours is 1/sqrt(8) times the expected values everywhere — a square root is off"),
        (1 / (4 * (1 + 2e-7)), {}, "yours is 1/4 of the expected values everywhere — a factor 4 is missing."),
        (-2.0, {}, "yours is -2 times the expected values — a sign flip and a factor 1/2 missing."),
        (-3 * (1 + 2e-7), {}, "yours is -3 times the expected values — a sign flip and a factor 1/3 missing."),
        (2.5, {}, "yours is 2.5 times the expected values everywhere — a constant factor is off."),
    ],
    ids=["x2 batch 2", "x3 batch 4", "x3 nearly", "x1/2", "x1/3 batch 3", "x1/3 batch 4", "x sqrt3", "x 1/sqrt8", "x1/4 nearly", "x-2", "x-3 nearly", "x2.5"],
)
def test_assert_close_names_the_factor(factor, kwargs, cause):
    with pytest.raises(AssertionError) as info:
        check.assert_close(factor * E, E, "dW", **kwargs)
    last = str(info.value).split("\n")[-1]
    assert last.startswith("Likely cause: " + cause), last


def test_assert_close_nan_on_both_sides_gives_no_hint_and_no_warning():
    with pytest.raises(AssertionError) as info:
        check.assert_close(np.array([np.nan, 1.0]), np.array([np.nan, 2.0]), "dx")
    assert "Likely cause" not in str(info.value)


def test_assert_close_value_hints_stay_quiet_when_they_do_not_apply():
    # A float32 difference of float32 size is not called "rounding" (that hint is for float64).
    e = E.astype(np.float32)
    a = e.copy()
    a[1, 1] *= np.float32(1 + 1e-6)
    with pytest.raises(AssertionError) as info:
        check.assert_close(a, e, "dx", rtol=0.0, atol=0.0)
    assert "Likely cause" not in str(info.value)
    with pytest.raises(AssertionError) as info:
        check.assert_close(a.astype(np.float64), e.astype(np.float64), "dx")
    assert "Close, but not the same formula: the difference is about 1e-06 of the values" in str(info.value)


# --- check_model_grads: float32, targets, models without parameters, failure report ---------------
def _xy():
    X = np.array([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [-0.7, 0.9, 0.1], [0.3, -0.4, 1.2]])
    return X, np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6], [0.7, 0.0]])


def test_check_model_grads_float32_model():
    from bpcourse import nn

    X, y = _xy()
    rep = check.check_model_grads(nn.Sequential(nn.Linear(3, 2, rng=0, dtype=np.float32)), nn.MSELoss(), X, y)
    assert all(r.dtype == "float32" and (r.rtol, r.atol) == (1e-5, 1e-6) for r in rep.results[2:])


@pytest.mark.parametrize(
    "target",
    [
        np.array([0, 1, 1, 0]),
        np.array([0.0, 1.0, 1.0, 0.0]),
        np.eye(2)[[0, 1, 1, 0]],
        np.eye(2, dtype=int)[[0, 1, 1, 0]],
    ],
    ids=["int labels", "float labels", "one-hot floats", "one-hot ints"],
)
def test_check_model_grads_cross_entropy_targets(target):
    from bpcourse import nn

    X, _ = _xy()
    rep = check.check_model_grads(nn.Sequential(nn.Linear(3, 2, rng=0)), nn.CrossEntropyLoss(), X, target)
    assert str(rep).startswith("OK 5 checks match torch autograd")


def test_check_model_grads_model_without_parameters():
    from bpcourse import nn

    X, _ = _xy()
    rep = check.check_model_grads(nn.Sequential(nn.Tanh()), nn.MSELoss(), X, np.zeros((4, 3)))
    assert str(rep) == "OK 3 checks match torch autograd: output, loss, dX (input gradient)"


def test_check_model_grads_report_lists_every_mismatch_then_what_matched():
    from bpcourse import nn

    class SumMSELoss(nn.MSELoss):
        """A wrong backward: forgets the mean's 1/numel (4 samples x 2 outputs)."""

        def backward(self, grad_output=None):
            return super().backward(grad_output) * 8

    X, y = _xy()
    with pytest.raises(AssertionError) as info:
        check.check_model_grads(nn.Sequential(nn.Linear(3, 2, rng=0)), SumMSELoss(), X, y)
    msg = str(info.value)
    parts = msg.split("\n\n")
    assert [p.split(":")[0] for p in parts[:-1]] == ["0.weight.grad", "0.bias.grad", "dX (input gradient)"]
    assert "(hand " in parts[0] and ", autograd " in parts[0] and "rtol*|autograd|" in parts[0]
    assert "Likely cause: yours is 8 times the expected values everywhere — a factor 1/8 is missing." in parts[0]
    assert parts[-1] == "(matching torch autograd: output, loss)"

    class Shifted(nn.Linear):
        def forward(self, x):
            return super().forward(x) + 1.0

    with pytest.raises(AssertionError, match=r"\n\n\(matching torch autograd: nothing\)$"):
        check.check_model_grads(nn.Sequential(Shifted(3, 2, rng=0)), nn.MSELoss(), X, y)
    with pytest.raises(AssertionError, match=r"4 times the expected values everywhere — a factor 1/4 is missing: the batch has 4 samples"):

        class Quad(nn.MSELoss):
            def backward(self, grad_output=None):
                return super().backward(grad_output) * 4

        check.check_model_grads(nn.Sequential(nn.Linear(3, 2, rng=0)), Quad(), X, y)


def test_check_model_grads_tolerances_are_passed_on():
    from bpcourse import nn

    class Nudged(nn.MSELoss):
        def backward(self, grad_output=None):
            return super().backward(grad_output) * (1 + 1e-7)

    X, y = _xy()
    model = nn.Sequential(nn.Linear(3, 2, rng=0))
    with pytest.raises(AssertionError):
        check.check_model_grads(model, Nudged(), X, y)
    assert check.check_model_grads(model, Nudged(), X, y, rtol=1e-6)
    assert check.check_model_grads(model, Nudged(), X, y, rtol=0.0, atol=1e-6)


def test_to_torch_refuses_a_twin_whose_parameters_differ():
    import torch

    from bpcourse import nn

    class Scale2(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.ones(2))

    @check.register_converter(Scale2)
    def _convert(m, convert):
        lin = torch.nn.Linear(2, 2)  # parameters "weight", "bias": not the "w" of Scale2
        return lin

    with pytest.raises(RuntimeError) as info:
        check.to_torch(Scale2())
    assert str(info.value) == (
        "to_torch built a twin whose parameters differ: [('w', (2,))] vs "
        "[('weight', (2, 2)), ('bias', (2,))]"
    )


def test_without_torch_the_message_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError) as info:
        check.torch_grad(lambda a: a.sum(), np.ones(2))
    assert str(info.value) == (
        'bpcourse.check needs torch for autograd comparisons: pip install "bpcourse[check]" (or torch)'
    )


def test_assert_close_default_name_and_infinities():
    with pytest.raises(AssertionError, match=r"^gradient has shape \(2,\), expected \(3,\)$"):
        check.assert_close(np.ones(2), np.ones(3))
    assert check.assert_close(np.array([np.inf, 1.0]), np.array([np.inf, 1.0]))  # same infinity agrees
    with pytest.raises(TypeError, match=r"^dx: cannot compare arrays of dtype bool$"):
        check.assert_close(np.array([True]), np.array([True]), "dx")


def test_assert_close_an_infinite_reference_needs_the_same_infinity():
    for mine in (-np.inf, 5.0):
        with pytest.raises(AssertionError):
            check.assert_close(np.array([mine, 1.0]), np.array([np.inf, 1.0]), "dx")
