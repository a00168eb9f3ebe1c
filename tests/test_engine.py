"""bpcourse.engine.Value against torch autograd in float64: every operation, random expression
trees, deep chains, reused nodes, repeated backward, zero_grad, the MLP, errors, the drawing."""

from __future__ import annotations

import gc
import math
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from helpers import ATOL, RTOL, BadInputs, T  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bpcourse import engine
from bpcourse.engine import MLP, Layer, Neuron, Value, zero_grad  # noqa: E402
from bpcourse.graph import draw_graph, graph_layout  # noqa: E402

SETTINGS = settings(max_examples=25)
reals = st.floats(-5, 5, allow_nan=False, allow_subnormal=False)
positive = st.floats(1e-3, 50, allow_nan=False)
nonzero = reals.filter(lambda x: abs(x) > 1e-3)


def t(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def assert_same(
    value: Value, tensor: torch.Tensor, what: str = "", rtol: float = RTOL, atol: float = ATOL
) -> None:
    """data against the tensor's value, grad against its .grad."""
    assert math.isclose(value.data, tensor.item(), rel_tol=rtol, abs_tol=atol), (
        what,
        value.data,
        tensor.item(),
    )
    expected = 0.0 if tensor.grad is None else tensor.grad.item()
    assert math.isclose(value.grad, expected, rel_tol=rtol, abs_tol=atol), (
        what,
        "grad",
        value.grad,
        expected,
    )


# --- every operation, with a downstream factor so that the chain rule is exercised --------------
UNARY = {
    "neg": (lambda x: -x, reals),
    "relu": (lambda x: x.relu(), reals.filter(lambda x: x != 0.0)),
    "tanh": (lambda x: x.tanh(), reals),
    "sigmoid": (lambda x: x.sigmoid(), st.floats(-800, 800, allow_nan=False)),
    "exp": (lambda x: x.exp(), reals),
    "log": (lambda x: x.log(), positive),
    "pow2": (lambda x: x**2, reals),
    "pow3": (lambda x: x**3, reals),
    "pow-1": (lambda x: x**-1, nonzero),
    "pow0.5": (lambda x: x**0.5, positive),
    "pow-1.5": (lambda x: x**-1.5, positive),
    "pow0": (lambda x: x**0, reals),
    "rpow": (lambda x: 2.5**x, reals),
    "rpow-small": (lambda x: 0.3**x, reals),
}


@pytest.mark.parametrize("name", UNARY)
@SETTINGS
@given(data=st.data(), c=reals)
def test_unary_ops_match_torch(name, data, c):
    fn, domain = UNARY[name]
    x0 = data.draw(domain, label="x")
    x, xt = Value(x0), t(x0)
    y, yt = fn(x), fn(xt)
    (y * c).backward()
    (yt * c).backward()
    assert math.isclose(y.data, yt.item(), rel_tol=RTOL, abs_tol=ATOL), (name, y.data, yt.item())
    assert_same(x, xt, name)


def test_relu_at_the_kink_has_gradient_zero_like_torch():
    x, xt = Value(0.0), t(0.0)
    x.relu().backward()
    xt.relu().backward()
    assert x.grad == xt.grad.item() == 0.0


@pytest.mark.parametrize("x0", [-800.0, -1.0, 0.0, 1.0, 800.0])
def test_sigmoid_far_out_and_at_zero_like_torch(x0):
    """Far out on either side, e^|x| overflows a float: the stable form never computes it."""
    x, xt = Value(x0), t(x0)
    y, yt = x.sigmoid(), torch.sigmoid(xt)
    y.backward()
    yt.backward()
    assert math.isclose(y.data, yt.item(), rel_tol=RTOL, abs_tol=ATOL), (y.data, yt.item())
    assert_same(x, xt, "sigmoid")


def test_pow_at_zero_follows_torch():
    for n in (0.0, 0.5, 1.0, 2.0, 3.0):
        x, xt = Value(0.0), t(0.0)
        (x**n).backward()
        (xt**n).backward()
        assert x.grad == xt.grad.item(), n


BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("kinds", ["value-value", "value-number", "number-value"])
@SETTINGS
@given(a0=reals, b0=nonzero)
def test_binary_ops_match_torch_with_numbers_on_either_side(op, kinds, a0, b0):
    fn = BINARY[op]
    a, b, at, bt = Value(a0), Value(b0), t(a0), t(b0)
    left, right = kinds.split("-")
    args = (a if left == "value" else a0, b if right == "value" else b0)
    targs = (at if left == "value" else a0, bt if right == "value" else b0)
    out, tout = fn(*args), fn(*targs)
    assert isinstance(out, Value)
    out.backward()
    tout.backward()
    assert math.isclose(out.data, tout.item(), rel_tol=RTOL, abs_tol=ATOL)
    if left == "value":
        assert_same(a, at, op)
    if right == "value":
        assert_same(b, bt, op)


def test_composite_expression_with_reuse_matches_torch():
    def f(a, b, c):
        d = a * b + c**3
        e = (d / (a * a + 1.0)).tanh() * a + (1.0 - b).sigmoid() / c
        return e * d - (c.exp() + 2.0).log() + (-a).relu() * b + 3.0 / (b * b + 0.5)

    vals = (1.5, -0.7, 0.4)
    vs, ts = [Value(v) for v in vals], [t(v) for v in vals]
    out, tout = f(*vs), f(*ts)
    out.backward()
    tout.backward()
    assert math.isclose(out.data, tout.item(), rel_tol=RTOL, abs_tol=ATOL)
    for v, tv, name in zip(vs, ts, "abc"):
        assert_same(v, tv, name)


# --- random expression trees ------------------------------------------------------------------
# Each op keeps values finite and inside its domain for any finite operands of moderate size.
UNARY_SAFE = [
    lambda x: -x,
    lambda x: x.relu(),
    lambda x: x.tanh(),
    lambda x: x.sigmoid(),
    lambda x: x.tanh().exp(),
    lambda x: (x * x + 1.0).log(),
    lambda x: x**2,
    lambda x: (x * x + 0.5) ** -0.5,
    lambda x: 2.0 - x,
    lambda x: 0.5 * x,
]
BINARY_SAFE = [
    lambda x, y: x + y,
    lambda x, y: x - y,
    lambda x, y: x * y,
    lambda x, y: x / (y * y + 1.0),
    lambda x, y: 3.0 / (x * x + y * y + 1.0),
]

exprs = st.recursive(
    st.integers(0, 2),  # a leaf: one of three variables, so variables get reused
    lambda sub: st.one_of(
        st.tuples(st.integers(0, len(UNARY_SAFE) - 1), sub),
        st.tuples(st.integers(0, len(BINARY_SAFE) - 1), sub, sub),
    ),
    max_leaves=12,
)


def evaluate(tree, leaves):
    if isinstance(tree, int):
        return leaves[tree]
    if len(tree) == 2:
        return UNARY_SAFE[tree[0]](evaluate(tree[1], leaves))
    return BINARY_SAFE[tree[0]](evaluate(tree[1], leaves), evaluate(tree[2], leaves))


@settings(max_examples=100)
@given(tree=exprs, vals=st.tuples(reals, reals, reals))
def test_random_expression_trees_match_torch(tree, vals):
    # Tanh/sigmoid on the outside keeps the output bounded; x * leaf makes it depend on a leaf.
    vs, ts = [Value(v) for v in vals], [t(v) for v in vals]
    out = (evaluate(tree, vs) * vs[0]).tanh()
    tout = (evaluate(tree, ts) * ts[0]).tanh()
    out.backward()
    tout.backward()
    assert math.isclose(out.data, tout.item(), rel_tol=1e-10, abs_tol=ATOL)
    # Sums of several paths may cancel: compare at the scale of the largest gradient.
    scale = max([1.0] + [abs(tv.grad.item()) for tv in ts if tv.grad is not None])
    for v, tv in zip(vs, ts):
        expected = 0.0 if tv.grad is None else tv.grad.item()
        assert abs(v.grad - expected) <= 1e-10 * scale, (tree, vals, v.grad, expected)


# --- deep graphs, reused nodes, repeated backward -----------------------------------------------
def test_chain_of_100000_nodes_needs_no_recursion():
    assert sys.getrecursionlimit() < 100_000  # a recursive topological sort would die here
    # Building 100,000 nodes (each with a closure that refers back to it) makes the garbage
    # collector scan the whole heap, torch's objects included, several times: not what is tested.
    gc.disable()
    try:
        x = Value(0.3)
        y = x
        for i in range(99_999):  # depth 100,000: x, then 99,999 operations
            y = -y if i % 2 else y**1
        assert len(y.topological_order()) == 100_000
        y.backward()
    finally:
        gc.enable()
    assert x.grad == -1.0 and y.data == -0.3  # 49,999 sign flips: an odd number
    # A chain whose gradient is not trivial: 2 nodes per step (the constant and the product).
    x = Value(0.3)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert math.isclose(x.grad, 1.0001**10_000, rel_tol=1e-10, abs_tol=ATOL)


def test_topological_order_puts_each_node_once_after_its_operands():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c + b.tanh()
    order = e.topological_order()
    assert order[-1] is e and len({id(v) for v in order}) == len(order) == 7
    index = {id(v): i for i, v in enumerate(order)}
    for v in order:
        assert all(index[id(p)] < index[id(v)] for p in v._prev)


def test_reused_node_square_and_diamond():
    x, xt = Value(-1.3), t(-1.3)
    (x * x).backward()
    (xt * xt).backward()
    assert_same(x, xt, "x * x")
    assert x.grad == 2 * -1.3
    # a feeds three paths that meet again; b reaches the output through a shared intermediate.
    a, b, at, bt = Value(0.8), Value(-2.0), t(0.8), t(-2.0)

    def f(a, b):
        s = a * b
        return s * a + s.tanh() + a.exp() / (s * s + 1.0)

    f(a, b).backward()
    f(at, bt).backward()
    assert_same(a, at, "a")
    assert_same(b, bt, "b")


def test_backward_twice_accumulates_like_torch_with_retain_graph():
    def f(a, b):
        c = a * b
        d = c + a.tanh()
        return d * c, c, d

    a, b, at, bt = Value(0.7), Value(-1.2), t(0.7), t(-1.2)
    out, c, d = f(a, b)
    tout, ct, dt = f(at, bt)
    ct.retain_grad()
    dt.retain_grad()
    for call in range(3):
        out.backward()
        tout.backward(retain_graph=True)
        for v, tv, name in ((a, at, "a"), (b, bt, "b"), (c, ct, "c"), (d, dt, "d")):
            assert_same(v, tv, f"{name} after call {call + 1}")
    assert math.isclose(out.grad, 3.0, rel_tol=RTOL, abs_tol=ATOL)  # the seed, added once per call
    # The naive engine (propagating the stored .grad of intermediate nodes) would give more.
    single = Value(0.7), Value(-1.2)
    f(*single)[0].backward()
    assert math.isclose(a.grad, 3 * single[0].grad, rel_tol=RTOL, abs_tol=ATOL) and math.isclose(
        b.grad, 3 * single[1].grad, rel_tol=RTOL, abs_tol=ATOL
    )


def test_two_outputs_sharing_leaves_add_their_gradients_like_torch():
    a, b, at, bt = Value(1.1), Value(0.4), t(1.1), t(0.4)
    shared, tshared = a * b, at * bt
    (shared.exp()).backward()
    (shared * a).backward()
    (tshared.exp() + tshared * at).backward()  # one backward of the sum: the same totals
    assert_same(a, at, "a")
    assert_same(b, bt, "b")


def test_backward_with_a_seed_gradient_like_torch():
    x, xt = Value(0.5), t(0.5)
    (x.tanh() * x).backward(2.5)
    (xt.tanh() * xt).backward(torch.tensor(2.5, dtype=torch.float64))
    assert_same(x, xt)


def test_zero_grad_helper_and_on_a_model():
    x = Value(2.0)
    y = x * x
    y.backward()
    y.backward()
    assert x.grad == 8.0
    zero_grad(x)
    assert x.grad == 0.0
    y.backward()
    assert x.grad == 4.0
    zero_grad([x, y])
    assert x.grad == y.grad == 0.0
    model = MLP(2, [3, 1], rng=0)
    model([1.0, -1.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    with pytest.raises(TypeError, match="zero_grad expects Values, got float 1.0"):
        zero_grad([x, 1.0])


# --- the MLP against torch.nn ---------------------------------------------------------------
def torch_twin(model: MLP, activation: str) -> torch.nn.Sequential:
    mods: list[torch.nn.Module] = []
    for i, layer in enumerate(model.layers):
        nin, nout = len(layer.neurons[0].w), len(layer.neurons)
        lin = torch.nn.Linear(nin, nout, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(
                torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
            )
            lin.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
        mods.append(lin)
        if i < len(model.layers) - 1:
            mods.append(
                {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}[
                    activation
                ]()
            )
    return torch.nn.Sequential(*mods)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_mlp_gradients_match_torch(activation):
    model = MLP(3, [5, 4, 1], activation=activation, rng=1)
    twin = torch_twin(model, activation)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=6)
    # Mean squared error over a small batch, the whole batch in one graph.
    loss = sum(((model(list(x)) - yi) ** 2 for x, yi in zip(X, y)), Value(0.0)) / len(X)
    loss.backward()
    tloss = ((twin(torch.from_numpy(X))[:, 0] - torch.from_numpy(y)) ** 2).mean()
    tloss.backward()
    assert math.isclose(loss.data, tloss.item(), rel_tol=1e-10, abs_tol=ATOL)
    tparams = [
        p for lin in twin if isinstance(lin, torch.nn.Linear) for p in (lin.weight, lin.bias)
    ]
    got = [(p.data, p.grad) for p in model.parameters()]
    expected = []
    for W, b in zip(tparams[::2], tparams[1::2]):
        for row in range(W.shape[0]):
            expected += [(W[row, j].item(), W.grad[row, j].item()) for j in range(W.shape[1])]
            expected.append((b[row].item(), b.grad[row].item()))
    assert len(got) == len(expected) == 5 * (3 + 1) + 4 * (5 + 1) + 1 * (4 + 1)
    for (v, g), (tv, tg) in zip(got, expected):
        assert v == tv and math.isclose(g, tg, rel_tol=1e-10, abs_tol=ATOL), (g, tg)


def test_mlp_init_shapes_seeding_and_outputs():
    a, b = MLP(4, [3, 2], rng=7), MLP(4, [3, 2], rng=7)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert len(a.parameters()) == 3 * 5 + 2 * 4
    for layer in a.layers:
        bound = 1 / math.sqrt(len(layer.neurons[0].w))
        assert all(abs(p.data) <= bound for p in layer.parameters())
    out = a([1, 2, 3, 4])
    assert isinstance(out, list) and len(out) == 2 and all(isinstance(o, Value) for o in out)
    assert isinstance(MLP(2, [1])([0.0, 1.0]), Value)
    assert (
        a.layers[0].neurons[0].activation == "relu" and a.layers[-1].neurons[0].activation is None
    )
    assert len(Layer(2, 3, rng=0)([1.0, 2.0])) == 3
    assert "Neuron(4" in repr(a)


def test_init_is_torch_linear_uniform_bound_one_over_sqrt_fan_in():
    # torch.nn.Linear draws weight and bias from U(-1/sqrt(in), 1/sqrt(in)): with 401 draws the
    # extremes come close to the bound and the variance is near bound^2 / 3.
    for nin in (4, 100, 400):
        neuron = Neuron(nin, rng=3)
        bound = 1 / math.sqrt(nin)
        draws = np.array([p.data for p in neuron.parameters()])
        assert np.abs(draws).max() <= bound
        if nin == 400:
            assert np.abs(draws).max() > 0.95 * bound
            assert abs(draws.var() / (bound**2 / 3) - 1) < 0.2
            assert abs(draws.mean()) < 0.1 * bound


def test_mlp_errors():
    with pytest.raises(ValueError, match="Neuron expects 2 inputs, got 3"):
        Neuron(2, rng=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="activation must be one of"):
        Neuron(2, activation="gelu")
    with pytest.raises(ValueError, match="nin must be a positive int"):
        MLP(0, [2])
    with pytest.raises(ValueError, match="nouts must be a non-empty list"):
        MLP(2, [])
    with pytest.raises(TypeError, match="rng must be None, an int seed or a random.Random"):
        MLP(2, [2], rng="seed")


# --- clear errors ------------------------------------------------------------------------------
def test_domain_errors():
    with pytest.raises(ValueError, match=r"log of a non-positive number: log\(0.0\)"):
        Value(0.0).log()
    with pytest.raises(ValueError, match=r"log\(-2.0\)"):
        Value(-2.0).log()
    for make in (lambda: Value(1.0) / 0, lambda: Value(1.0) / Value(0.0), lambda: 1 / Value(0.0)):
        with pytest.raises(ZeroDivisionError, match="division by zero"):
            make()
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        Value(0.0) ** -1
    with pytest.raises(ValueError, match="negative base needs an integer exponent"):
        Value(-8.0) ** (1 / 3)
    with pytest.raises(OverflowError, match=r"exp\(1000.0\) is too large"):
        Value(1000.0).exp()
    with pytest.raises(OverflowError, match=r"10.0 \*\* 400.0 is too large"):
        Value(10.0) ** 400
    with pytest.raises(OverflowError, match=r"10.0 \*\* 400.0 is too large"):
        10 ** Value(400.0)
    for base in (0, -2.0):
        with pytest.raises(ValueError, match=r"base \*\* Value needs a positive base"):
            base ** Value(1.0)
    with pytest.raises(TypeError, match=r"unsupported base for \*\* Value: str '2'"):
        "2" ** Value(1.0)


@pytest.mark.parametrize(
    "operand, shown",
    [
        ([1.0], "list [1.0]"),
        ("2", "str '2'"),
        (None, "NoneType None"),
        (True, "bool True"),
        (np.ones(3), "numpy.ndarray of shape (3,)"),
        (torch.ones(2), "torch.Tensor of shape (2,)"),
    ],
)
@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_non_number_operands_give_one_clear_type_error(operand, shown, op):
    fn = BINARY[op]
    for args in ((Value(1.0), operand), (operand, Value(1.0))):
        with pytest.raises(
            TypeError,
            match=f"unsupported operand for Value {'[' + op + ']'}: "
            f"{__import__('re').escape(shown)}",
        ):
            fn(*args)


def test_other_type_errors():
    with pytest.raises(TypeError, match="unsupported exponent for Value \\*\\*: Value"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(TypeError, match="Value\\(data\\) needs a real number"):
        Value("1")
    with pytest.raises(TypeError, match="backward\\(gradient\\) needs a real number"):
        Value(1.0).backward("1")
    with pytest.raises(TypeError, match="use one Value per number"):
        Value(1.0) * np.ones(2)


def test_numbers_of_other_kinds_are_accepted():
    x = Value(np.float64(2.0)) * np.int64(3) + 1
    assert x.data == 7.0 and type(x.data) is float
    assert repr(Value(1.5, label="w")) == "Value(data=1.5, grad=0.0, label='w')"


def test_engine_never_imports_torch():
    code = "import sys, bpcourse.engine; print('torch' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- the drawing ----------------------------------------------------------------------------
def test_draw_graph_shows_values_and_gradients():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    L = c * a + b
    L.backward()
    ax = draw_graph(L, title="g")
    texts = [tx.get_text() for tx in ax.texts]
    assert "a\ndata 2.0000\ngrad -12.0000" in texts  # dL/da = 2ab = -12
    assert "c = *\ndata -6.0000\ngrad 2.0000" in texts
    assert "b\ndata -3.0000\ngrad 5.0000" in texts  # dL/db = a² + 1 = 5
    assert ax.get_title() == "g"
    ax.figure.canvas.draw()
    plt.close("all")


def test_graph_layout_depths_and_duplicate_operand():
    x = Value(3.0, label="x")
    sq = x * x
    y = sq.tanh() + x
    nodes, pos = graph_layout(y)
    assert [pos[id(v)][0] for v in (x, sq, y)] == [0.0, 1.0, 3.0]
    assert len(nodes) == len(pos) == 4
    ax = draw_graph(sq)
    assert "×2" in [tx.get_text() for tx in ax.texts]
    plt.close("all")
    # A leaf used late sits just left of its user, not in the first column.
    a, b = Value(1.0), Value(2.0)
    late = (a.tanh().exp() + 1.0) * b
    _, pos = graph_layout(late)
    assert pos[id(a)][0] == 0.0 and pos[id(b)][0] == pos[id(late)][0] - 1 == 3.0


def test_draw_graph_refuses_large_graphs_and_non_values():
    x = Value(1.0)
    y = x
    for _ in range(30):
        y = y + 1.0
    with pytest.raises(ValueError, match="the graph has 61 nodes, more than max_nodes=40"):
        draw_graph(y)
    with pytest.raises(TypeError, match="expected a Value, got float"):
        draw_graph(1.0)


# ==============================================================================================
# bpcourse.engine: paths mutation testing found untested (tests/MUTATION.md).
# ==============================================================================================
def test_value_repr_with_and_without_label():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2, label="w")) == "Value(data=2.0, grad=0.0, label='w')"


def test_long_operands_are_cut_to_100_characters_in_messages():
    with pytest.raises(TypeError) as info:
        Value("x" * 300)
    assert str(info.value) == "Value(data) needs a real number (int or float), got str '" + "x" * 95


def test_each_operation_records_its_name_for_the_graph():
    x, y = Value(2.0), Value(0.5)
    ops = [x + y, x * y, x / y, x**2, -x, x.relu(), x.tanh(), x.sigmoid(), x.exp(), x.log()]
    ops += [2.0**x, 0.5**x]
    assert [v._op for v in ops] == [
        "+",
        "*",
        "/",
        "**2",
        "neg",
        "relu",
        "tanh",
        "sigmoid",
        "exp",
        "log",
        "2**",
        "0.5**",
    ]
    assert all(v._prev[0] is x for v in ops)


@pytest.mark.parametrize("op", ["relu", "tanh", "sigmoid", "exp", "log"])
def test_a_value_used_twice_through_the_same_op_gets_both_gradients(op):
    import math

    x = Value(0.7)
    y = getattr(x, op)() + getattr(x, op)()
    y.backward()
    local = {
        "relu": 1.0,
        "tanh": 1 - math.tanh(0.7) ** 2,
        "sigmoid": (1 / (1 + math.exp(-0.7))) * (1 - 1 / (1 + math.exp(-0.7))),
        "exp": math.exp(0.7),
        "log": 1 / 0.7,
    }[op]
    assert x.grad == pytest.approx(2 * local, rel=1e-12)


def test_the_network_classes_are_importable_from_engine():
    from bpcourse import engine_nn

    for name in ("MLP", "Layer", "Module", "Neuron"):
        assert getattr(engine, name) is getattr(engine_nn, name), name


def test_a_value_used_twice_as_an_exponent_gets_both_gradients_like_torch():
    x, xt = Value(0.7), t(0.7)
    (2.5**x + 2.5**x).backward()
    (2.5**xt + 2.5**xt).backward()
    assert_same(x, xt, "2.5 ** x twice")


# --- bad input: one clear error, or the reference result (runner: tests/helpers.py) ---------------
BAD_INPUT = BadInputs()

V = engine.Value


def value_backward_twice():
    """x = 1.5, y = x * x + tanh(x); backward twice -> x.grad is twice dy/dx."""
    x = V(1.5)
    y = x * x + x.tanh()
    y.backward()
    y.backward()
    return x.grad


def torch_backward_twice():
    x = torch.tensor(1.5, dtype=T, requires_grad=True)
    y = x * x + torch.tanh(x)
    y.backward(retain_graph=True)
    y.backward()
    return x.grad.item()


BAD_INPUT.raises(
    "Value('1.5')",
    V,
    ("1.5",),
    exc=TypeError,
    match=r"^Value\(data\) needs a real number \(int or float\), got str '1\.5'",
)
BAD_INPUT.raises(
    "Value(True)",
    V,
    (True,),
    exc=TypeError,
    match=r"^Value\(data\) needs a real number .*got bool True",
)
BAD_INPUT.raises(
    "Value(array)",
    V,
    (np.ones(2),),
    exc=TypeError,
    match=r"^Value\(data\) needs a real number .*got numpy\.ndarray of shape \(2,\)",
)
BAD_INPUT.raises(
    "Value(torch scalar)",
    V,
    (torch.tensor(1.0),),
    exc=TypeError,
    match=r"^Value\(data\) needs a real number .*got torch\.Tensor of shape \(\)",
)
BAD_INPUT.raises("Value(nan)", V, (np.nan,), match=r"^Value\(data\) must be finite, got nan")
BAD_INPUT.raises(
    "Value + '1'",
    lambda: V(1.0) + "1",
    exc=TypeError,
    match=r"^unsupported operand for Value \+: str '1'; expected a Value or a real number",
)
BAD_INPUT.raises(
    "Value * array",
    lambda: V(1.0) * np.ones(2),
    exc=TypeError,
    match=(
        r"^unsupported operand for Value \*: numpy\.ndarray of shape \(2,\).*use one Value per "
        r"number"
    ),
)
BAD_INPUT.raises(
    "array + Value",
    lambda: np.ones(2) + V(1.0),
    exc=TypeError,
    match=r"^unsupported operand for Value \+: numpy\.ndarray of shape \(2,\)",
)
BAD_INPUT.raises(
    "Value - torch tensor",
    lambda: V(1.0) - torch.ones(2),
    exc=TypeError,
    match=r"^unsupported operand for Value -: torch\.Tensor of shape \(2,\)",
)
BAD_INPUT.raises(
    "2 / Value(0)",
    lambda: 2 / V(0.0),
    exc=ZeroDivisionError,
    match=r"^division by zero: 2\.0 / 0\.0",
)
BAD_INPUT.raises(
    "Value ** Value",
    lambda: V(2.0) ** V(3.0),
    exc=TypeError,
    match=r"^unsupported exponent for Value \*\*: Value .*expected a plain int or float",
)
BAD_INPUT.raises(
    "Value(0) ** -1",
    lambda: V(0.0) ** -1,
    exc=ZeroDivisionError,
    match=r"^division by zero: 0\.0 \*\* -1\.0",
)
BAD_INPUT.raises(
    "Value(-1) ** 0.5",
    lambda: V(-1.0) ** 0.5,
    match=r"^-1\.0 \*\* 0\.5: a negative base needs an integer exponent",
)
BAD_INPUT.raises(
    "Value(0).log()", lambda: V(0.0).log(), match=r"^log of a non-positive number: log\(0\.0\)"
)
BAD_INPUT.raises(
    "Value(1000).exp()",
    lambda: V(1000.0).exp(),
    exc=OverflowError,
    match=r"^exp\(1000\.0\) is too large for a float",
)
BAD_INPUT.raises(
    "Value.backward('1')",
    lambda: V(1.0).backward("1"),
    exc=TypeError,
    match=r"^backward\(gradient\) needs a real number, got str '1'",
)
BAD_INPUT.raises(
    "engine.zero_grad([1.0])",
    engine.zero_grad,
    ([1.0],),
    exc=TypeError,
    match=r"^zero_grad expects Values, got float 1\.0",
)
BAD_INPUT.raises(
    "engine.Modul",
    getattr,
    (engine, "Modul"),
    exc=AttributeError,
    match=r"^module 'bpcourse\.engine' has no attribute 'Modul'$",
)
BAD_INPUT.raises("Neuron(0)", engine.Neuron, (0,), match=r"^nin must be a positive int, got 0")
BAD_INPUT.raises(
    "Neuron(2.5)",
    engine.Neuron,
    (2.5,),
    exc=TypeError,
    match=r"^nin must be a positive int, got 2\.5",
)
BAD_INPUT.raises(
    "Neuron(2, 'gelu')",
    engine.Neuron,
    (2, "gelu"),
    match=r"^activation must be one of \('relu', 'tanh', 'sigmoid', None\), got 'gelu'",
)
BAD_INPUT.raises(
    "Neuron(2, rng='0')",
    engine.Neuron,
    (2,),
    {"rng": "0"},
    exc=TypeError,
    match=r"^rng must be None, an int seed or a random\.Random, got str '0'",
)
BAD_INPUT.raises(
    "Neuron(2)(one input)",
    lambda: engine.Neuron(2, rng=0)([1.0]),
    match=r"^Neuron expects 2 inputs, got 1",
)
BAD_INPUT.raises(
    "Layer(2, 3)(three inputs)",
    lambda: engine.Layer(2, 3, rng=0)([1.0, 2.0, 3.0]),
    match=r"^Neuron expects 2 inputs, got 3",
)
BAD_INPUT.raises("Layer(2, 0)", engine.Layer, (2, 0), match=r"^nout must be a positive int, got 0")
BAD_INPUT.raises(
    "MLP(2, [])",
    engine.MLP,
    (2, []),
    match=r"^nouts must be a non-empty list of layer sizes, got \[\]",
)
BAD_INPUT.raises(
    "MLP(2, 3)", engine.MLP, (2, 3), match=r"^nouts must be a non-empty list of layer sizes, got 3"
)
BAD_INPUT.raises(
    "MLP(2, [3, 0])", engine.MLP, (2, [3, 0]), match=r"^nout must be a positive int, got 0"
)
BAD_INPUT.raises(
    "MLP(2, [3, 1])(torch inputs)",
    lambda: engine.MLP(2, [3, 1], rng=0)(torch.ones(2)),
    exc=TypeError,
    match=r"^unsupported operand for Value \*: torch\.Tensor of shape \(\)",
)
BAD_INPUT.accepts(
    "Value.backward twice: gradients accumulate like torch with retain_graph",
    value_backward_twice,
    expected=torch_backward_twice,
)
BAD_INPUT.accepts("Value: int data becomes float", lambda: V(3).data, expected=lambda: 3.0)
BAD_INPUT.accepts(
    "Value.backward(2): the seed scales every gradient",
    lambda: (lambda x: ((x * 3.0).backward(2), x.grad)[1])(V(1.0)),
    expected=lambda: 6.0,
)
BAD_INPUT.accepts(
    "Neuron(2)(ints and numpy floats)",
    lambda: engine.Neuron(2, activation=None, rng=0)([1, np.float64(2.0)]).data,
    expected=lambda: (lambda n: n.w[0].data * 1 + n.w[1].data * 2.0 + n.b.data)(
        engine.Neuron(2, activation=None, rng=0)
    ),
)

test_bad_input_raises_one_clear_error, test_legitimate_input_gives_the_reference_result = (
    BAD_INPUT.tests()
)
