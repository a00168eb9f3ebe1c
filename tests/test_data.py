"""Data sets (shapes, dtypes, seeding, the geometry each one promises, clear argument errors)
and ``setup_notebook`` (the seeds and settings every notebook starts from)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import BadInputs
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import data, notebook


def test_xor_truth_table():
    X, y = data.xor()
    assert X.shape == (4, 2) and X.dtype == np.float64
    assert y.shape == (4, 1) and y.dtype == np.float64
    for (a, b), t in zip(X, y[:, 0]):
        assert t == float(int(a) ^ int(b))


@settings(max_examples=30)
@given(n=st.integers(1, 40), k=st.integers(2, 5), noise=st.floats(0, 1), seed=st.integers(0, 2**32))
def test_spirals_shapes_classes_and_seed(n, k, noise, seed):
    X, y = data.spirals(n, k, noise, seed)
    assert X.shape == (n * k, 2) and X.dtype == np.float64
    assert y.shape == (n * k,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y, minlength=k), [n] * k)
    # The radius is noise-free (the noise is on the angle): every point lies in the unit disc.
    assert np.all(np.hypot(X[:, 0], X[:, 1]) <= 1 + 1e-12)
    X2, y2 = data.spirals(n, k, noise, seed)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_spirals_without_noise_lie_on_their_arms():
    X, y = data.spirals(50, 3, noise=0.0, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    angle = np.arctan2(X[:, 0], X[:, 1])  # x = r sin(t), y = r cos(t)
    expected = y * 2 * np.pi / 3 + 4.0 * r
    wrapped = np.angle(np.exp(1j * (angle - expected)))
    assert np.all(np.abs(wrapped[r > 0]) < 1e-9)


@settings(max_examples=30)
@given(n=st.integers(2, 300), noise=st.floats(0, 0.5), seed=st.integers(0, 1000))
def test_moons_shapes_and_balance(n, noise, seed):
    X, y = data.moons(n, noise, seed)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y, minlength=2), [n - n // 2, n // 2])


def test_moons_without_noise_are_two_half_circles():
    X, y = data.moons(101, noise=0.0, seed=3)
    up, low = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(up[:, 0], up[:, 1]), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(low[:, 0] - 1, low[:, 1] - 0.5), 1.0, atol=1e-12)
    assert np.all(up[:, 1] >= -1e-12) and np.all(low[:, 1] <= 0.5 + 1e-12)


def test_different_seeds_differ_and_generators_work():
    assert not np.array_equal(data.moons(50, 0.1, 0)[0], data.moons(50, 0.1, 1)[0])
    a = data.moons(50, 0.1, np.random.default_rng(7))[0]
    np.testing.assert_array_equal(a, data.moons(50, 0.1, 7)[0])


def test_linear_toy_recovers_its_line():
    X, y = data.linear_toy(200, noise=0.05, seed=1, weight=3.0, bias=0.5)
    assert X.shape == (200, 1) and y.shape == (200, 1)
    assert X.dtype == y.dtype == np.float64
    assert np.all(np.abs(X) <= 1)
    A = np.column_stack([X[:, 0], np.ones(200)])
    w, b = np.linalg.lstsq(A, y[:, 0], rcond=None)[0]
    assert abs(w - 3.0) < 0.05 and abs(b - 0.5) < 0.05
    X0, y0 = data.linear_toy(10, noise=0.0, seed=2)
    np.testing.assert_allclose(y0, 2.0 * X0 - 1.0, rtol=1e-15)


def test_digits_is_a_seeded_partition_of_sklearns_images():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    split = data.digits(seed=0)
    xs = [split.x_train, split.x_val, split.x_test]
    ys = [split.y_train, split.y_val, split.y_test]
    assert [len(x) for x in xs] == [1200, 297, 300]
    assert all(x.shape[1] == 64 and x.dtype == np.float64 for x in xs)
    assert all(y.dtype == np.int64 and len(x) == len(y) for x, y in zip(xs, ys))
    # every image exactly once, with its own label: sort rows of (pixels*16, label) and compare
    ours = np.column_stack([np.vstack(xs) * 16.0, np.concatenate(ys)])
    theirs = np.column_stack([bunch.data, bunch.target])
    np.testing.assert_array_equal(
        ours[np.lexsort(ours.T[::-1])], theirs[np.lexsort(theirs.T[::-1])]
    )
    assert 0.0 <= np.vstack(xs).min() and np.vstack(xs).max() == 1.0
    assert set(np.unique(split.y_test)) == set(range(10))
    again, other = data.digits(seed=0), data.digits(seed=1)
    np.testing.assert_array_equal(again.x_test, split.x_test)
    assert not np.array_equal(other.y_train, split.y_train)
    small = data.digits(np.random.default_rng(5), n_val=10, n_test=20)
    assert (len(small.x_train), len(small.x_val), len(small.x_test)) == (1767, 10, 20)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: data.spirals(0), ValueError, "n_per_class must be at least 1, got 0"),
        (lambda: data.spirals(10, 1), ValueError, "n_classes must be at least 2"),
        (lambda: data.spirals(2.5), TypeError, "n_per_class must be an integer, got float"),
        (lambda: data.spirals(10, True), TypeError, "n_classes must be an integer"),
        (lambda: data.moons(1), ValueError, "n must be at least 2"),
        (lambda: data.moons(10, -0.1), ValueError, "noise must be a finite number >= 0"),
        (lambda: data.moons(10, float("nan")), ValueError, "noise"),
        (lambda: data.moons(10, "0.1"), TypeError, "noise must be a number, got str"),
        (lambda: data.moons(10, 0.1, seed=-1), ValueError, "seed must be >= 0"),
        (lambda: data.moons(10, 0.1, seed=1.5), TypeError, "seed must be an integer"),
        (lambda: data.linear_toy(0), ValueError, "n must be at least 1"),
        (lambda: data.linear_toy(5, weight=np.inf), ValueError, "weight must be finite"),
        (lambda: data.linear_toy(5, bias="1"), TypeError, "bias must be a number"),
        (lambda: data.digits(n_val=0), ValueError, "n_val must be at least 1, got 0"),
        (lambda: data.digits(n_test=2.0), TypeError, "n_test must be an integer, got float"),
        (lambda: data.digits(n_val=900, n_test=897), ValueError, "less than the 1797 images"),
        (lambda: data.digits(seed=-3), ValueError, "seed must be >= 0"),
    ],
)
def test_bad_arguments_give_one_clear_error(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_numpy_integers_are_accepted():
    X, _ = data.spirals(np.int64(5), np.int32(2), 0.1, np.int64(0))
    assert X.shape == (10, 2)


def test_data_never_imports_torch():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(data))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not any(name and name.split(".")[0] == "torch" for name in names)


@pytest.fixture
def _restore_global_state():
    import random

    import matplotlib as mpl
    import torch

    saved = (
        torch.get_default_dtype(),
        torch.get_num_threads(),
        np.get_printoptions(),
        mpl.rcParams.copy(),
        random.getstate(),
        np.random.get_state(),  # noqa: NPY002 - the legacy global state setup_notebook seeds
    )
    from threadpoolctl import threadpool_info, threadpool_limits

    blas_threads = max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
    yield
    threadpool_limits(blas_threads, user_api="blas")
    torch.set_default_dtype(saved[0])
    torch.set_num_threads(saved[1])
    np.set_printoptions(**saved[2])
    mpl.rcParams.update(saved[3])
    random.setstate(saved[4])
    np.random.set_state(saved[5])  # noqa: NPY002


@pytest.mark.usefixtures("_restore_global_state")
def test_setup_notebook_seeds_everything_and_prints_nothing(capsys):
    import random

    import matplotlib as mpl
    import torch

    from bpcourse.notebook import setup_notebook

    def draws():
        legacy = np.random.rand(2)  # noqa: NPY002 - what nn.Linear(rng=None) draws from
        return random.random(), tuple(legacy), torch.rand(2).tolist()

    torch.set_default_dtype(torch.float32)
    assert setup_notebook(seed=3) is None
    first = draws()
    setup_notebook(seed=3)
    assert draws() == first
    setup_notebook(seed=4)
    assert draws() != first
    assert torch.get_default_dtype() == torch.float64 and torch.tensor([0.5]).dtype == torch.float64
    assert torch.get_num_threads() == 1
    from threadpoolctl import threadpool_info

    assert {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"} == {1}
    assert np.get_printoptions()["precision"] == 4 and np.get_printoptions()["suppress"]
    assert mpl.rcParams["figure.dpi"] == 90
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="non-negative integer"):
        setup_notebook(seed=-1)


# --- bad input: one clear error, or the reference result (runner: tests/helpers.py) ---------------
BAD_INPUT = BadInputs()

BAD_INPUT.raises("spirals(0)", data.spirals, (0,), match=r"^n_per_class must be at least 1, got 0")
BAD_INPUT.raises(
    "spirals(2.5)",
    data.spirals,
    (2.5,),
    exc=TypeError,
    match=r"^n_per_class must be an integer, got float 2\.5",
)
BAD_INPUT.raises(
    "spirals(n_classes=1)",
    data.spirals,
    (),
    {"n_classes": 1},
    match=r"^n_classes must be at least 2, got 1",
)
BAD_INPUT.raises(
    "spirals(noise=nan)",
    data.spirals,
    (),
    {"noise": np.nan},
    match=r"^noise must be a finite number >= 0, got nan",
)
BAD_INPUT.raises(
    "spirals(noise=-0.1)",
    data.spirals,
    (),
    {"noise": -0.1},
    match=r"^noise must be a finite number >= 0, got -0\.1",
)
BAD_INPUT.raises(
    "spirals(seed=-1)", data.spirals, (), {"seed": -1}, match=r"^seed must be >= 0, got -1"
)
BAD_INPUT.raises(
    "spirals(seed='0')",
    data.spirals,
    (),
    {"seed": "0"},
    exc=TypeError,
    match=r"^seed must be an integer \(or a np\.random\.Generator\), got str '0'",
)
BAD_INPUT.raises("moons(1)", data.moons, (1,), match=r"^n must be at least 2, got 1")
BAD_INPUT.raises(
    "moons(noise='0.1')",
    data.moons,
    (),
    {"noise": "0.1"},
    exc=TypeError,
    match=r"^noise must be a number, got str '0\.1'",
)
BAD_INPUT.raises(
    "linear_toy(weight=inf)",
    data.linear_toy,
    (),
    {"weight": np.inf},
    match=r"^weight must be finite, got inf",
)
BAD_INPUT.raises(
    "linear_toy(bias='1')",
    data.linear_toy,
    (),
    {"bias": "1"},
    exc=TypeError,
    match=r"^bias must be a number, got str '1'",
)
BAD_INPUT.raises(
    "linear_toy(n=True)",
    data.linear_toy,
    (),
    {"n": True},
    exc=TypeError,
    match=r"^n must be an integer, got bool True",
)
BAD_INPUT.accepts(
    "spirals(seed=np.int64(3)) equals seed=3",
    lambda: data.spirals(10, seed=np.int64(3))[0],
    expected=lambda: data.spirals(10, seed=3)[0],
)
BAD_INPUT.accepts(
    "moons(seed=Generator) draws from it",
    lambda: data.moons(10, seed=np.random.default_rng(5))[0],
    expected=lambda: data.moons(10, seed=5)[0],
)
BAD_INPUT.accepts(
    "xor(): the four corners and their XOR",
    lambda: np.hstack(data.xor()),
    expected=lambda: np.array([[0.0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]),
)

BAD_INPUT.raises(
    "setup_notebook(-1)",
    notebook.setup_notebook,
    (-1,),
    match=r"^seed must be a non-negative integer, got -1",
)
BAD_INPUT.raises(
    "setup_notebook(1.5)",
    notebook.setup_notebook,
    (1.5,),
    exc=TypeError,
    match=r"^seed must be a non-negative integer, got 1\.5",
)

test_bad_input_raises_one_clear_error, test_legitimate_input_gives_the_reference_result = (
    BAD_INPUT.tests()
)
