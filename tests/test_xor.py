"""bpcourse.xor: the seed-vectorised XOR trainer against torch autograd (float64)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import ATOL, RTOL
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.data import xor
from bpcourse.xor import Recipe, backward, dead_units, forward, init_params, loss_value, train

X, Y = xor()


def torch_losses(tp, activation, loss):
    """Per-seed losses (S,) written independently with torch ops, for autograd."""
    act = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[activation]
    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    h = act(x @ tp["W1"].transpose(1, 2) + tp["b1"][:, None, :])
    z = h @ tp["W2"].transpose(1, 2) + tp["b2"][:, None, :]
    if loss == "bce":
        # From the logits: BCELoss on sigmoid(z) divides by max(p (1 - p), 1e-12) in its
        # backward, so its gradient is wrong once the output saturates (|z| > ~28).
        per = torch.nn.functional.binary_cross_entropy_with_logits(
            z, y.expand_as(z), reduction="none"
        )
    else:
        per = (torch.sigmoid(z) - y) ** 2
    return per.mean(dim=(1, 2))


def random_params(seed, S=6, H=3, scale=1.5):
    rng = np.random.default_rng(seed)
    shapes = {"W1": (S, H, 2), "b1": (S, H), "W2": (S, 1, H), "b2": (S, 1)}
    return {k: rng.normal(0, scale, size=s) for k, s in shapes.items()}


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_matches_autograd_for_every_seed_at_once(activation, loss, seed):
    params = random_params(seed)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    losses = torch_losses(tp, activation, loss)
    # The seeds do not interact: the gradient of the sum is each seed's own gradient.
    losses.sum().backward()
    cache = forward(params, X, activation)
    np.testing.assert_allclose(
        loss_value(cache["P"], Y, loss), losses.detach().numpy(), rtol=RTOL, atol=ATOL
    )
    grads = backward(params, cache, Y, activation, loss)
    for k, v in params.items():
        assert grads[k].shape == v.shape
        np.testing.assert_allclose(grads[k], tp[k].grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=k)


@settings(max_examples=30)
@given(
    S=st.integers(1, 5),
    H=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([0.01, 1.0, 4.0]),
    activation=st.sampled_from(["relu", "sigmoid", "tanh"]),
    loss=st.sampled_from(["bce", "mse"]),
)
def test_backward_matches_autograd_for_any_sizes(S, H, seed, scale, activation, loss):
    params = random_params(seed, S=S, H=H, scale=scale)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    torch_losses(tp, activation, loss).sum().backward()
    grads = backward(params, forward(params, X, activation), Y, activation, loss)
    for k in params:
        np.testing.assert_allclose(grads[k], tp[k].grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=k)


def test_the_mistaken_delta_is_the_bce_gradient_not_the_mse_one():
    params = random_params(3)
    cache = forward(params, X, "sigmoid")
    wrong = backward(params, cache, Y, "sigmoid", "mse_bce_delta")
    bce = backward(params, cache, Y, "sigmoid", "bce")
    mse = backward(params, cache, Y, "sigmoid", "mse")
    for k in params:
        np.testing.assert_array_equal(wrong[k], bce[k])
    assert not np.allclose(wrong["W2"], mse["W2"])
    # It reports the MSE all the same.
    np.testing.assert_array_equal(
        loss_value(cache["P"], Y, "mse_bce_delta"), loss_value(cache["P"], Y, "mse")
    )


@pytest.mark.parametrize(
    "recipe, seed",
    [
        (Recipe(epochs=300), 4),
        (Recipe(activation="tanh", init="xavier", hidden=3, epochs=300), 5),
        (Recipe(activation="sigmoid", loss="mse", std=1.0, lr=2.0, epochs=300), 6),
    ],
)
def test_one_seed_slice_follows_its_torch_trajectory(recipe, seed):
    run = train(recipe, seeds=[10, seed, 11])
    tp = {k: torch.tensor(v[1:2], requires_grad=True) for k, v in run.initial.items()}
    # Plain gradient descent by hand (torch.optim's first import costs about a second).
    for _ in range(recipe.epochs):
        grads = torch.autograd.grad(
            torch_losses(tp, recipe.activation, recipe.loss).sum(), list(tp.values())
        )
        with torch.no_grad():
            for t, g in zip(tp.values(), grads):
                t -= recipe.lr * g
    for k, v in tp.items():
        assert np.max(np.abs(run.params[k][1:2] - v.detach().numpy())) < 1e-9, k


def test_init_is_per_seed_and_follows_the_recipe():
    r = Recipe(hidden=5, init="xavier")
    many, one = init_params(r, [1, 2, 3]), init_params(r, [3])
    for k in many:
        np.testing.assert_array_equal(many[k][2:3], one[k])
    assert many["W1"].shape == (3, 5, 2) and many["W2"].shape == (3, 1, 5)
    assert not many["b1"].any() and not many["b2"].any()
    # Standard deviations (4000 draws each: the estimate is within a few percent).
    for recipe, std1, std2 in [
        (Recipe(hidden=200, init="normal", std=0.01), 0.01, 0.01),
        (Recipe(hidden=200, init="xavier"), np.sqrt(2 / 202), np.sqrt(2 / 201)),
        (Recipe(hidden=200, init="he"), np.sqrt(2 / 2), np.sqrt(2 / 200)),
    ]:
        p = init_params(recipe, range(10))
        assert abs(p["W1"].std() - std1) < 0.05 * std1, recipe.init
        assert abs(p["W2"].std() - std2) < 0.05 * std2, recipe.init


def test_a_hand_made_solution_is_solved_and_dead_units_are_counted():
    # h1 = relu(x1 - x2), h2 = relu(x2 - x1), unit 3 dead: p = sigmoid(10 (h1 + h2) - 5).
    params = {
        "W1": np.array([[[1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]]]),
        "b1": np.zeros((1, 3)),
        "W2": np.array([[[10.0, 10.0, 3.0]]]),
        "b2": np.array([[-5.0]]),
    }
    run = train(Recipe(hidden=3, epochs=0), seeds=[0], params=params)
    assert run.solved.tolist() == [True]
    assert dead_units(params, X).tolist() == [1] and run.dead.tolist() == [1]
    np.testing.assert_allclose(run.probs[0], 1 / (1 + np.exp([5.0, -5.0, -5.0, 5.0])))
    flipped = {**params, "W2": -params["W2"], "b2": -params["b2"]}
    assert train(Recipe(hidden=3, epochs=0), [0], params=flipped).solved.tolist() == [False]
    # Three of four right is not solved: p = sigmoid(10 h1 - 5) misses x = (0, 1).
    three = {**params, "W2": np.array([[[10.0, 0.0, 0.0]]])}
    run3 = train(Recipe(hidden=3, epochs=0), [0], params=three)
    assert (run3.probs[0] > 0.5).tolist() == [False, False, True, False]
    assert run3.solved.tolist() == [False]


def test_a_dead_unit_never_changes():
    params = random_params(7, S=20, H=4)
    run = train(Recipe(hidden=4, epochs=50), seeds=range(20), params=params)
    Z1 = X @ params["W1"].transpose(0, 2, 1) + params["b1"][:, None, :]
    dead = np.all(Z1 <= 0, axis=1)  # (S, H)
    assert dead.any()
    np.testing.assert_array_equal(run.params["W1"][dead], params["W1"][dead])
    np.testing.assert_array_equal(run.params["b1"][dead], params["b1"][dead])


def test_losses_and_outcome_shapes():
    run = train(Recipe(hidden=2, epochs=7), seeds=[0, 1, 2, 3])
    assert run.losses.shape == (8, 4) and run.probs.shape == (4, 4)
    assert run.solved.dtype == bool and 0 <= run.success_rate <= 1
    np.testing.assert_array_equal(run.final_loss, run.losses[-1])
    assert np.all(run.losses[:, 0] > 0)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"hidden": 0}, ValueError),
        ({"hidden": 2.0}, TypeError),
        ({"activation": "gelu"}, ValueError),
        ({"loss": "hinge"}, ValueError),
        ({"init": "orthogonal"}, ValueError),
        ({"lr": 0.0}, ValueError),
        ({"std": -1.0}, ValueError),
        ({"epochs": -1}, ValueError),
    ],
)
def test_bad_recipes_are_refused(kwargs, error):
    with pytest.raises(error):
        Recipe(**kwargs)


def test_bad_seeds_are_refused():
    with pytest.raises(TypeError, match="seeds must be integers"):
        init_params(Recipe(), [0.5])
    with pytest.raises(ValueError, match="seeds"):
        init_params(Recipe(), [])
    with pytest.raises(ValueError, match="seeds must be >= 0, got -3"):
        train(Recipe(epochs=1), [1, -3])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lr": "0.5"}, "lr must be a real number"),
        ({"std": None}, "std must be a real number"),
        ({"lr": True}, "lr must be a real number"),
        ({"epochs": 10.0}, "epochs must be an integer"),
    ],
)
def test_wrong_kinds_in_a_recipe_get_one_clear_type_error(kwargs, message):
    with pytest.raises(TypeError, match=message):
        Recipe(**kwargs)


def test_numpy_numbers_in_a_recipe_become_plain_python_numbers():
    r = Recipe(hidden=np.int64(3), lr=np.float32(0.25), epochs=np.int32(5), std=1)
    assert (type(r.hidden), type(r.epochs), type(r.lr), type(r.std)) == (int, int, float, float)
    assert repr(r) == (
        "Recipe(hidden=3, activation='relu', loss='bce', init='normal', std=1.0, lr=0.25, epochs=5)"
    )


def test_a_recipe_is_required():
    with pytest.raises(TypeError, match="recipe must be a Recipe"):
        train("relu", [0])
    with pytest.raises(TypeError, match="recipe must be a Recipe"):
        init_params({"hidden": 4}, [0])


def test_bad_data_and_params_are_refused():
    with pytest.raises(ValueError, match="X"):
        train(Recipe(epochs=1), [0], X=np.zeros((4, 3)), y=Y)
    with pytest.raises(ValueError, match="y"):
        train(Recipe(epochs=1), [0], X=X, y=Y[:, 0])
    with pytest.raises(TypeError, match="both X and y"):
        train(Recipe(epochs=1), [0], X=X)
    good = init_params(Recipe(hidden=3), [0, 1])
    with pytest.raises(ValueError, match="W1"):
        train(Recipe(hidden=4, epochs=1), [0, 1], params=good)
    with pytest.raises(ValueError, match="keys"):
        train(Recipe(hidden=3, epochs=1), [0, 1], params={"W1": good["W1"]})


def test_given_params_are_copied_not_changed():
    start = init_params(Recipe(), [0, 1])
    before = {k: v.copy() for k, v in start.items()}
    run = train(Recipe(epochs=5), [0, 1], params=start)
    for k in start:
        np.testing.assert_array_equal(start[k], before[k])
        np.testing.assert_array_equal(run.initial[k], before[k])


def test_bce_of_saturated_outputs_is_clamped_like_torch():
    # Confident and wrong (p = 1 for y = 0, p = 0 for y = 1): log(0) is clamped at -100.
    P = np.array([[[1.0], [0.0], [1.0], [1e-300]], [[0.5], [1 - 1e-17], [1e-17], [0.5]]])
    expected = [
        torch.nn.functional.binary_cross_entropy(torch.from_numpy(p), torch.from_numpy(Y)).item()
        for p in P
    ]
    np.testing.assert_allclose(loss_value(P, Y, "bce"), expected, rtol=RTOL, atol=ATOL)
    # First network: two clamped terms of 100, two of (almost) 0, over 4 examples.
    assert loss_value(P, Y, "bce")[0] == pytest.approx(50.0)


@pytest.mark.parametrize("activation, lo", [("tanh", -1.0), ("sigmoid", 0.0)])
def test_saturated_counts_activations_within_0_01_of_a_tail(activation, lo):
    # Unit 0: |z| >= 50 on every input (saturated); unit 1: 0.05 from the low tail (not).
    inverse = np.arctanh if activation == "tanh" else lambda a: np.log(a / (1 - a))
    params = {
        "W1": np.array([[[100.0, 100.0], [0.0, 0.0]]]),
        "b1": np.array([[-50.0, inverse(lo + 0.05)]]),
        "W2": np.ones((1, 1, 2)),
        "b2": np.zeros((1, 1)),
    }
    run = train(Recipe(hidden=2, activation=activation, epochs=0), [0], params=params)
    np.testing.assert_allclose(run.params["b1"][0, 1], inverse(lo + 0.05))
    assert run.saturated.tolist() == [0.5] and run.dead.tolist() == [0]
