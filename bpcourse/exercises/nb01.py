"""Checks of notebook 01 (the chain rule): finite differences, a chain of three functions, the
graph of a squared error, and one gradient-descent step."""

from __future__ import annotations

import numpy as np

from .core import Mistake, check_unchanged, expect, register

# ---------------------------------------------------------------------------------------------
# Exercise 1: central differences for a function of an array


def _cubic(v: np.ndarray) -> float:
    """fn(v) = sum(v**3) + v0 * v1 over the flattened v (the cross term couples two elements)."""
    flat = np.asarray(v, dtype=np.float64).reshape(-1)
    return float(np.sum(flat**3) + flat[0] * flat[1])


def _cubic_difference(x: np.ndarray, h: float, kind: str) -> np.ndarray:
    """The exact value of each finite difference of _cubic with step h, worked out by hand.

    For fn = sum(v**3) + v0 v1, nudging element i by +-h changes fn by 3 x_i**2 (+-h) +
    3 x_i h**2 (+-h) + h**3 (+-1) + the cross term, so:
    central (fn(x+h) - fn(x-h)) / 2h = 3 x_i**2 + h**2 + cross_i,
    forward (fn(x+h) - fn(x)) / h   = 3 x_i**2 + 3 x_i h + h**2 + cross_i,
    backward (fn(x) - fn(x-h)) / h  = 3 x_i**2 - 3 x_i h + h**2 + cross_i,
    where cross_0 = x_1, cross_1 = x_0, and 0 elsewhere.
    """
    flat = x.reshape(-1)
    cross = np.zeros_like(flat)
    cross[0], cross[1] = flat[1], flat[0]
    base = 3 * flat**2 + h**2 + cross
    extra = {"central": 0.0, "forward": 3 * flat * h, "backward": -3 * flat * h}[kind]
    return (base + extra).reshape(x.shape)


class _Recorder:
    """Wraps fn and keeps a float copy of every point the learner evaluates it at."""

    def __init__(self, fn):
        self.fn, self.points = fn, []

    def __call__(self, v):
        self.points.append(np.array(v, dtype=np.float64))
        return self.fn(v)


def _nudge_problem(points: list[np.ndarray], x0: np.ndarray, h: float, got) -> str | None:
    """Name what is wrong with the points fn was evaluated at, if anything (got: the result)."""
    try:
        got = np.asarray(got, dtype=np.float64) if np.shape(got) == x0.shape else None
    except (TypeError, ValueError):
        got = None
    for v in points:
        if v.shape != x0.shape:
            return (
                f"fn was called with an array of shape {v.shape}, but x has shape {x0.shape}: "
                "nudge one element of (a copy of) x, keep its shape"
            )
        moved = np.abs(v - x0) > 1e-6 * h  # rounding (x[i] += h; x[i] -= h) is no nudge
        changed = np.argwhere(moved)
        if len(changed) <= 1:  # x itself (a forward difference shows in the values) or a nudge
            continue
        delta = (v - x0)[moved]
        if np.allclose(delta, delta[0]) and len(changed) == x0.size:
            return (
                "every element of x is nudged at once: that is a derivative along the "
                "diagonal, not dfn/dx_i. Nudge one element at a time"
            )
        if (
            x0.ndim > 1
            and np.allclose(delta, delta[0])
            and len(set(changed[:, 0])) == 1
            and len(changed) == x0.shape[1]
        ):
            return (
                "a whole row is nudged at once: for a 2-D x, x[i] with i in range(len(x)) "
                "is a row. Loop over every element with np.ndindex(x.shape)"
            )
        earlier = [tuple(i) for i in changed[:-1]]
        if got is not None and all(np.isclose(v[i], got[i]) for i in earlier):
            return (
                "the elements of x already done hold their gradients: grad and x are the "
                "same array (grad = x does not copy). Make grad a new array, "
                "np.zeros_like(x)"
            )
        return (
            f"a nudge is not undone: fn was called at a point where {len(changed)} elements "
            "differ from x. Put x[i] back to its old value before nudging the next element"
        )
    return None


def _check_unchanged(x: np.ndarray, x0: np.ndarray) -> None:
    """The caller's x must be exactly as it was: name how it changed if it did not."""
    if np.array_equal(x, x0):
        return
    change = float(np.abs(x.astype(np.float64) - x0).max())
    if change < 1e-9:
        raise Mistake(
            f"the caller's x was changed by the call, by rounding (at most {change:.1e}): "
            "x[i] += h then x[i] -= h does not give back exactly the old value. Save "
            "old = x[i] and assign it back, on a copy of x"
        )
    raise Mistake(
        "the caller's x was changed by the call: nudge a copy of x "
        "(np.array(x, dtype=np.float64)), never the array you were given"
    )


@register(
    "ex_numerical_grad",
    hints=(
        "A nudge: for element i, which two points does the central difference compare, and what "
        "must x look like again before you nudge the next element? And whose x are you changing?",
        "Work on a float copy, x = np.array(x, dtype=np.float64); loop over np.ndindex(x.shape); "
        "set x[i] = old + h, call fn, set x[i] = old - h, call fn, put x[i] = old back; "
        "grad[i] = (f_plus - f_minus) / (2 * h).",
        "x = np.array(x, dtype=np.float64); grad = np.zeros_like(x)\n"
        "for i in np.ndindex(x.shape):\n"
        "    old = x[i]; x[i] = old + h; f_plus = fn(x); x[i] = old - h; f_minus = fn(x); x[i] = old\n"
        "    grad[i] = (f_plus - f_minus) / (2 * h)\n"
        "return grad",
    ),
)
def check_ex_numerical_grad(ex_numerical_grad):
    """A 2-D float x with a large h (a forward difference is far off), then integers, a list,
    and the default h against torch autograd. x must be unchanged after every call."""
    import torch

    h = 0.1
    x = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])
    x0 = x.copy()
    fn = _Recorder(_cubic)
    got = ex_numerical_grad(fn, x, h)
    _check_unchanged(x, x0)
    if isinstance(got, (list, tuple)):
        raise Mistake(
            f"ex_numerical_grad returned a {type(got).__name__}: return an array of "
            "x's shape (grad = np.zeros_like(x), then grad[i] = ...)"
        )
    problem = _nudge_problem(fn.points, x0, h, got)
    if problem:
        raise Mistake(problem)
    want = _cubic_difference(x0, h, "central")
    exact = _cubic_difference(x0, 0.0, "central")
    what = f"central differences with h = {h} of fn(v) = sum(v**3) + v0 * v1 on a (2, 3) x"
    expect(
        got,
        want,
        what,
        rtol=1e-9,
        atol=1e-12,
        mistakes={
            "divides by h instead of 2h: the two points are 2h apart": 2 * want,
            "a one-sided (forward) difference (fn(x + h) - fn(x)) / h": _cubic_difference(
                x0, h, "forward"
            ),
            "a one-sided (backward) difference (fn(x) - fn(x - h)) / h": _cubic_difference(
                x0, h, "backward"
            ),
            "a sign flip: (fn(x - h) - fn(x + h)) / 2h, the subtraction the wrong way round": -want,
            "ignores the argument h (uses a fixed step instead)": exact,
            "all zeros: fn was evaluated twice at the same point. xp = x does not copy: both "
            "names are the same array, so the second nudge undoes the first": np.zeros_like(want),
            "divides by a fixed 2e-6 (twice the default h) instead of 2 * h": want * h / 1e-6,
            "divides by 2 and then multiplies by h: ... / 2 * h is (... / 2) * h; write / (2 * h)": want
            * h**2,
            "nudges by h/2 on each side and divides by h: the central difference of this exercise "
            "nudges by h on each side, (fn(x + h) - fn(x - h)) / (2h)": _cubic_difference(
                x0, h / 2, "central"
            ),
            "nudges by 2h on each side but divides by 2h: nudge by h": 2
            * _cubic_difference(x0, 2 * h, "central"),
        },
    )

    # Integers: x + h must not be rounded, and the result must be float64.
    x_int = np.array([1, -2, 3])
    x_int0 = x_int.copy()
    fn = _Recorder(_cubic)
    got = ex_numerical_grad(fn, x_int, h)
    _check_unchanged(x_int, x_int0)
    steps = [np.abs(v - x_int0).max() for v in fn.points]
    if any(not np.isclose(s, h) for s in steps):
        raise Mistake(
            "with an integer x, x[i] + h was rounded to an integer: the array you "
            "nudge is still integer (x itself, or x.copy() of an integer array). "
            "Make a float copy: np.array(x, dtype=np.float64)"
        )
    got_arr = np.asarray(got)
    if np.issubdtype(got_arr.dtype, np.integer):
        raise Mistake(
            "with an integer x the result is an integer array, so every difference "
            "quotient was rounded: np.zeros_like(x) of an integer x is integer. "
            "Make grad from a float copy of x"
        )
    expect(
        got,
        _cubic_difference(x_int0.astype(np.float64), h, "central"),
        "central differences for the integer array x = [1, -2, 3]",
        rtol=1e-9,
        atol=1e-12,
    )

    # A list, at the default h, against torch autograd (the finite-difference tolerance).
    x_list = [0.25, -0.8, 1.1]
    got = ex_numerical_grad(_cubic, x_list)
    xt = torch.tensor(x_list, dtype=torch.float64, requires_grad=True)
    ((xt**3).sum() + xt[0] * xt[1]).backward()
    expect(
        got,
        xt.grad.numpy(),
        "the default h on the list [0.25, -0.8, 1.1] vs torch autograd",
        rtol=1e-6,
        atol=1e-8,
    )
    return (
        "central differences, one element at a time, x unchanged, on a 2-D array, "
        "integers and a list"
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: a chain of three functions, k(x) = exp(sin(3x))


@register(
    "ex_dk_dx",
    hints=(
        "A nudge: write u, v and k in the order they are computed. Each step has its own local "
        "derivative, taken at that step's own input.",
        "dk/dv = exp(v) at v = sin(3x), dv/du = cos(u) at u = 3x, du/dx = 3: the chain rule "
        "multiplies the three.",
        "u = 3 * x; v = np.sin(u); return np.exp(v) * np.cos(u) * 3",
    ),
)
def check_ex_dk_dx(ex_dk_dx):
    """Five points where each slip (a missing factor, a local derivative at the wrong input,
    a sum instead of a product ...) gives other numbers; x must be unchanged."""
    import torch

    x = np.array([-1.3, -0.4, 0.25, 0.9, 2.2])
    x0 = x.copy()
    got = ex_dk_dx(x)
    if isinstance(got, (list, tuple)):
        raise Mistake(
            f"ex_dk_dx returned a {type(got).__name__}: return an array, computed on "
            "the whole array x at once with np.sin, np.cos and np.exp"
        )
    check_unchanged(
        "ex_dk_dx",
        {"x": x0},
        {"x": x},
        "the caller's {name} was changed (an in-place x *= 3 or similar): compute "
        "u = 3 * x as a new array",
    )
    xt = torch.tensor(x0, requires_grad=True)
    torch.exp(torch.sin(3 * xt)).sum().backward()
    want = xt.grad.numpy()
    u, v = 3 * x0, np.sin(3 * x0)
    expect(
        got,
        want,
        "k'(x) for k(x) = exp(sin(3x)) at five points",
        mistakes={
            "the inner derivative du/dx = 3 is missing": np.exp(v) * np.cos(u),
            "cos is taken at x instead of at its own input u = 3x": np.exp(v) * np.cos(x0) * 3,
            "exp is taken at u = 3x instead of at its own input v = sin(3x)": np.exp(u)
            * np.cos(u)
            * 3,
            "exp is taken at x instead of at its own input v = sin(3x)": np.exp(x0) * np.cos(u) * 3,
            "sin is taken at x instead of at u = 3x inside exp": np.exp(np.sin(x0)) * np.cos(u) * 3,
            "the local derivatives are added instead of multiplied": np.exp(v) + np.cos(u) + 3,
            "this is k(x) itself, not its derivative": np.exp(v),
            "a sign flip: the derivative of sin u is cos u, not -cos u": -want,
            "the outer factor dk/dv = exp(v), at v = sin(3x), is missing": np.cos(u) * 3,
            "exp is applied to the inner derivative, exp(cos(3x)) * 3: the derivative of exp(v) "
            "is exp(v) itself, times dv/dx": np.exp(np.cos(u)) * 3,
            "cos is taken at 9x: u = 3x already contains the 3, so dv/du = cos(u), not cos(3u)": np.exp(
                v
            )
            * np.cos(3 * u)
            * 3,
            "np.gradient estimates slopes from the five sample points, far apart: it is not k'(x)": np.gradient(
                np.exp(v), x0
            ),
        },
    )
    return "matches torch autograd at five points, x unchanged"


def _numbers(result, name: str, wanted: str, size: int) -> np.ndarray:
    """The learner's tuple of numbers as a float array, or a Mistake saying what came instead."""
    try:
        got = np.array(result, dtype=np.float64)
    except (TypeError, ValueError):
        kind, why = type(result).__name__, ""
        if isinstance(result, (list, tuple)):
            kind += " of " + ", ".join(type(v).__name__ for v in result)
            why = " (compute with the numbers given, not with symbols)"
        raise Mistake(f"{name} returned {kind}: it must return {wanted}{why}") from None
    if got.shape != (size,):
        raise Mistake(
            f"{name} returned {got.size} value(s) of shape {got.shape}: it must return {wanted}"
        )
    return got


# ---------------------------------------------------------------------------------------------
# Exercise 3: the graph of L = (w x + b - y)**2


def _graph_reference(w: float, b: float, x: float, y: float) -> np.ndarray:
    import torch

    leaves = [torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in (w, b, x, y)]
    ((leaves[0] * leaves[2] + leaves[1] - leaves[3]) ** 2).backward()
    return np.array([leaves[i].grad.item() for i in (0, 1, 2)])


@register(
    "ex_graph_grads",
    hints=(
        "A nudge: walk the graph from L back towards the leaves. What is the gradient at z, and "
        "what does each edge into z multiply it by?",
        "dL/dz = 2 (w x + b - y), as r = z - y and dL/dr = 2r; the edges into z have local "
        "derivatives dz/dw = x, dz/db = 1, dz/dx = w.",
        "r = w * x + b - y; return 2 * r * x, 2 * r, 2 * r * w",
    ),
)
def check_ex_graph_grads(ex_graph_grads):
    """Two points other than the worked example, where w != x and no gradient repeats."""
    for point in ((-1.5, 2.0, 3.0, 0.25), (0.8, -0.3, -2.5, 1.1)):
        w, b, x, y = point
        result = ex_graph_grads(w, b, x, y)
        got = _numbers(
            result, "ex_graph_grads", "the tuple (dL/dw, dL/db, dL/dx) of three numbers", 3
        )
        want = _graph_reference(*point)
        dw, db, dx = want
        expect(
            got,
            want,
            f"(dL/dw, dL/db, dL/dx) at w={w}, b={b}, x={x}, y={y}",
            mistakes={
                "a sign flip on every gradient: the residual is written y - (w x + b) instead of "
                "(w x + b) - y": -want,
                "the factor 2 from L = r**2 is missing (dL/dr = 2r)": want / 2,
                "dL/dw and dL/dx are swapped: dz/dw is x (the other input of p = w x), dz/dx is w": np.array(
                    [dx, db, dw]
                ),
                "dL/db is the local derivative dz/db = 1 alone: multiply it by dL/dz flowing in": np.array(
                    [dw, 1.0, dx]
                ),
                "these are the local derivatives only (x, 1, w): each must be multiplied by the "
                "gradient dL/dz = 2r coming from the right": np.array([x, 1.0, w]),
                "returned in the order (dL/dw, dL/dx, dL/db): the exercise asks for "
                "(dL/dw, dL/db, dL/dx)": np.array([dw, dx, db]),
                "these are the worked example's numbers (w=2, b=0.5, x=5, y=12), not computed from "
                "the arguments": np.array([-15.0, -3.0, -6.0]),
                "dL/dx uses x: the local derivative dz/dx of p = w x is w": np.array(
                    [dw, db, db * x]
                ),
                "dL/dx is dL/dz alone: multiply it by the local derivative dz/dx = w": np.array(
                    [dw, db, db]
                ),
                "dL/db is multiplied by b: the local derivative of z = p + b with respect to b is 1": np.array(
                    [dw, db * b, dx]
                ),
                "the residual adds y: it is r = w x + b - y": 2
                * (w * x + b + y)
                * np.array([x, 1, w]),
            },
        )
    return "matches torch autograd at two points"


# ---------------------------------------------------------------------------------------------
# Exercise 4: one gradient-descent step for (w, b)


@register(
    "ex_gd_step",
    hints=(
        "A nudge: compute both gradients at the current (w, b) before changing either, then step "
        "each parameter against its own gradient.",
        "dL/dw = 2 (w x + b - y) x and dL/db = 2 (w x + b - y), both from the old w and b; "
        "then new = old - lr * gradient.",
        "g = 2 * (w * x + b - y); return w - lr * g * x, b - lr * g",
    ),
)
def check_ex_gd_step(ex_gd_step):
    """Two steps with different learning rates (neither the notebook's 0.01), x != 1."""
    import torch

    for point in ((0.3, -0.2, 1.5, 2.0, 0.05), (1.2, 0.4, -0.8, 0.5, 0.2)):
        w, b, x, y, lr = point
        result = ex_gd_step(w, b, x, y, lr)
        got = _numbers(result, "ex_gd_step", "the new (w, b), two numbers", 2)
        wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
        ((wt * x + bt - y) ** 2).backward()
        dw, db = wt.grad.item(), bt.grad.item()
        want = np.array([w - lr * dw, b - lr * db])
        w_new = w - lr * dw
        db_after = 2 * (w_new * x + b - y)  # b's gradient computed with the already-updated w
        expect(
            got,
            want,
            f"(new w, new b) for w={w}, b={b}, x={x}, y={y}, lr={lr}",
            mistakes={
                "steps up the gradient (old + lr * gradient): descent subtracts it": np.array(
                    [w + lr * dw, b + lr * db]
                ),
                "the learning rate is missing (old - gradient)": np.array([w - dw, b - db]),
                "b's gradient is computed after w was already updated: both gradients must come "
                "from the old (w, b)": np.array([w_new, b - lr * db_after]),
                "returns the gradients, not the updated (w, b)": np.array([dw, db]),
                "returns the steps (lr * gradient), not the updated (w, b)": np.array(
                    [lr * dw, lr * db]
                ),
                "uses lr = 0.01 (the notebook's) instead of the lr argument": np.array(
                    [w - 0.01 * dw, b - 0.01 * db]
                ),
                "dL/dw lacks the factor x (the local derivative dz/dw = x)": np.array(
                    [w - lr * db, b - lr * db]
                ),
                "the factor 2 from the square is missing": np.array(
                    [w - lr * dw / 2, b - lr * db / 2]
                ),
                "b steps along dL/dw: each parameter steps against its own gradient": np.array(
                    [w - lr * dw, b - lr * dw]
                ),
                "returned in the order (b, w): the exercise asks for (w, b)": np.array(
                    [b - lr * db, w - lr * dw]
                ),
                "w's gradient is computed after b was already updated: both gradients must come "
                "from the old (w, b)": np.array(
                    [w - lr * 2 * (w * x + b - lr * db - y) * x, b - lr * db]
                ),
                "divides by lr: the step is lr * gradient": np.array([w - dw / lr, b - db / lr]),
                "b is returned unchanged: both parameters take a step": np.array([w - lr * dw, b]),
                "dL/dw uses w: the local derivative dz/dw of w x is x": np.array(
                    [w - lr * db * w, b - lr * db]
                ),
            },
        )
    return "matches torch autograd at two points with different learning rates"


# ---------------------------------------------------------------------------------------------
# Exercise 4: a variable used twice, L = sin(x y) + x**2


@register(
    "ex_two_paths",
    hints=(
        "A nudge: draw the graph. Along how many paths does a nudge of x reach L, and what happens "
        "to the contributions of the different paths?",
        "dL/dq = cos(q) with q = x y; the path via q gives dL/dq * y, the path via x**2 gives 2x, "
        "and dL/dx is their sum (accumulate with +=); dL/dy = dL/dq * x.",
        "q = x * y; return np.cos(q) * y + 2 * x, np.cos(q) * x",
    ),
)
def check_ex_two_paths(ex_two_paths):
    """Two points where each path alone, and each slip on the local derivatives, gives other
    numbers (x != y, cos(xy) far from 0 and 1)."""
    import torch

    for x, y in ((0.7, -1.3), (-1.1, 0.4)):
        result = ex_two_paths(x, y)
        got = _numbers(result, "ex_two_paths", "the tuple (dL/dx, dL/dy) of two numbers", 2)
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        yt = torch.tensor(y, dtype=torch.float64, requires_grad=True)
        (torch.sin(xt * yt) + xt**2).backward()
        want = np.array([xt.grad.item(), yt.grad.item()])
        c = np.cos(x * y)
        dy = c * x
        expect(
            got,
            want,
            f"(dL/dx, dL/dy) at x={x}, y={y}",
            mistakes={
                "dL/dx keeps only the path via x**2: the path via q = x y was overwritten "
                "(= instead of +=). Gradients from both paths add": np.array([2 * x, dy]),
                "dL/dx keeps only the path via q = x y: the path via x**2 is lost. Gradients from "
                "both paths add": np.array([c * y, dy]),
                "x and y are swapped in the local derivatives of q = x y (dq/dx is y, dq/dy is x)": np.array(
                    [c * x + 2 * x, c * y]
                ),
                "the local derivative of s = sin(q), cos(q), is missing": np.array([y + 2 * x, x]),
                "sin(q) is used where its derivative cos(q) belongs": np.array(
                    [np.sin(x * y) * y + 2 * x, np.sin(x * y) * x]
                ),
                "the derivative of x**2 is 2x, not x": np.array([c * y + x, dy]),
                "a sign flip in the derivative of sin: it is cos, not -cos": np.array(
                    [-c * y + 2 * x, -dy]
                ),
                "returned in the order (dL/dy, dL/dx)": want[::-1].copy(),
                "dL/dy has a 2y term: only x is squared in L, y reaches L through q alone": np.array(
                    [want[0], dy + 2 * y]
                ),
                "the two paths into x are multiplied: contributions of different paths add": np.array(
                    [c * y * 2 * x, dy]
                ),
                "dL/dy uses y: the local derivative dq/dy of q = x y is x": np.array(
                    [want[0], c * y]
                ),
                "the path via x**2 is counted twice": np.array([want[0] + 2 * x, dy]),
            },
        )
    return "matches torch autograd at two points: both paths into x add"
