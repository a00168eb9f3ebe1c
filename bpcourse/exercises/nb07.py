"""Checks of notebook 07 (autograd from scratch): a new operation, a topological order, backward.

Each check is a small adversarial test: the graphs are chosen so that every typical mistake of
the notebook's traps (``=`` instead of ``+=``, a breadth-first order, a recursive sort, a node
reached along several paths) gives a result different from the right one. References come from
torch autograd or from the maths, never from the learner's code.
"""

from __future__ import annotations

import math
import sys
from contextlib import contextmanager

from .core import Mistake, _error_message, expect, register

_LIMIT = 1_000  # Python's recursion limit while the learner's code runs (its default)


def _deep() -> int:
    """Deeper than the recursion limit the learner's code runs under, so that recursion fails."""
    return 5 * _LIMIT


def _call(answer, *args):
    """answer(*args); a stub of ANOTHER exercise that it calls is a mistake, not "not done"."""
    import traceback

    try:
        return answer(*args)
    except NotImplementedError as err:
        frames = traceback.extract_tb(err.__traceback__)
        stub = frames[-1].name if frames else answer.__name__
        if stub == answer.__name__:
            raise
        raise Mistake(
            f"{answer.__name__} calls {stub}, which still raises NotImplementedError "
            f"(its exercise is not done yet): finish {stub} first, or use the "
            "package's root.topological_order()"
        ) from None


@contextmanager
def _recursion_limit(what):
    """Run the learner's code under Python's default recursion limit, whatever an earlier cell
    set it to, and refuse code that raises it (it only moves the crash to a deeper graph)."""
    old, depth, frame = sys.getrecursionlimit(), 0, sys._getframe()
    while frame is not None:  # the frames already in use (a kernel, pytest) count too
        depth, frame = depth + 1, frame.f_back
    limit = max(_LIMIT, depth + 200)
    sys.setrecursionlimit(limit)
    try:
        try:
            yield
        except RecursionError as err:  # said here, while the limit is still the one it hit
            raise Mistake(
                _error_message(what, err) + f"\n(The check runs your code under "
                f"Python's default limit, {_LIMIT}, whatever an earlier cell set.)"
            ) from None
        if sys.getrecursionlimit() != limit:
            raise Mistake(
                f"{what} raises Python's recursion limit (sys.setrecursionlimit): that "
                "only moves the crash to a deeper graph (or crashes the kernel). "
                "Use an explicit stack (a list you append to and pop from)"
            )
    finally:
        sys.setrecursionlimit(old)


def _torch_grads(f, *values):
    """d f / d each input at ``values``, by torch autograd in float64."""
    import torch

    xs = [torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in values]
    f(*xs).backward()
    return [x.grad.item() for x in xs]


def _require_value(out, what):
    from bpcourse.engine import Value

    if not isinstance(out, Value):
        raise Mistake(
            f"{what} returned {type(out).__name__}, expected a Value "
            "(build it with Value(math.sin(x.data), (x,), 'sin'))"
        )


# --- exercise 1: sin as a Value operation -------------------------------------------------------
def _why_no_grad(out, out_grad):
    """Why x.grad stayed 0 after backward: _backward not attached, or writing elsewhere."""
    from bpcourse.engine import _no_backward

    if out._backward is _no_backward:
        return "_backward is never attached to the result (out._backward = _backward)"
    if out.grad != out_grad:
        return (
            "_backward changes out.grad instead of x.grad: the gradient flows from the "
            "result to its operand, x.grad += local derivative * out.grad"
        )
    return (
        "_backward runs but adds nothing to x.grad: does it change another Value (a name "
        "from the notebook, such as a) instead of x, the function's argument?"
    )


@register(
    "ex_sin",
    hints=(
        "Two halves: the forward makes a Value that records x as its operand; its _backward sends "
        "out.grad to x, multiplied by the local derivative. Which derivative, and with = or +=?",
        "The local derivative of sin at x.data is cos(x.data), and the chain rule multiplies it by "
        "out.grad. A node can feed several operations, so its gradient is added to, never assigned.",
        "out = Value(math.sin(x.data), (x,), 'sin'); inside _backward: "
        "x.grad += math.cos(x.data) * out.grad; then out._backward = _backward; return out",
    ),
)
def check_ex_sin(ex_sin):
    from bpcourse.engine import Value

    x0 = 0.7
    a = Value(x0)
    out = ex_sin(a)
    _require_value(out, "ex_sin(a)")
    expect(
        out.data,
        math.sin(x0),
        "sin(a).data (the forward)",
        mistakes={
            "the forward computes cos instead of sin": math.cos(x0),
            "the forward converts x.data to radians: it is in radians already": math.sin(
                math.radians(x0)
            ),
        },
    )
    if not any(p is a for p in out._prev):
        raise Mistake(
            "the result does not record its operand: pass (x,) as its children, "
            "Value(math.sin(x.data), (x,), 'sin'), or backward() never reaches x"
        )

    # The chain rule: y = 3 sin(a) sends out.grad = 3 to sin's backward.
    a = Value(x0)
    s = ex_sin(a)
    (s * 3.0).backward()
    (want,) = _torch_grads(lambda t: 3.0 * t.sin(), x0)
    if a.grad == 0.0:
        raise Mistake("a.grad for y = 3 sin(a) is 0: " + _why_no_grad(s, 3.0))
    expect(
        a.grad,
        want,
        "a.grad for y = 3 sin(a)",
        mistakes={
            "_backward does not multiply by out.grad (the chain rule)": math.cos(x0),
            "the derivative of sin is +cos, not -cos": -want,
            "the local derivative is cos(x.data), not sin(x.data)": 3.0 * math.sin(x0),
            "the derivative is taken at the result, cos(out.data), instead of at the input x.data": 3.0
            * math.cos(math.sin(x0)),
            "_backward multiplies by out.data (the forward's value) instead of out.grad": math.cos(
                x0
            )
            * math.sin(x0),
        },
    )
    if s.grad != 3.0:
        raise Mistake(
            f"sin(a).grad is {s.grad:g} after the backward of 3 sin(a), expected 3: "
            "_backward must only add to x.grad, never change out.grad"
        )

    # A node used twice: sin's backward runs after the product's has added 3 to a.grad.
    a = Value(x0)
    (ex_sin(a) + 3.0 * a).backward()
    (want,) = _torch_grads(lambda t: t.sin() + 3.0 * t, x0)
    expect(
        a.grad,
        want,
        "a.grad for y = sin(a) + 3a (a used twice)",
        mistakes={
            "_backward sets x.grad = ... instead of adding to it (+=): a node used twice loses "
            "the other contribution": math.cos(x0),
        },
    )

    # Through another operation, and twice on the same node.
    a, b = Value(x0), Value(-1.3)
    (ex_sin(a * b) * a + ex_sin(a)).backward()
    want = _torch_grads(lambda s, t: (s * t).sin() * s + s.sin(), x0, -1.3)
    expect(a.grad, want[0], "a.grad for sin(ab) a + sin(a)")
    expect(b.grad, want[1], "b.grad for sin(ab) a + sin(a)")
    return "forward, the chain rule and a node used twice all match torch"


# --- exercise 2: a topological order without recursion ------------------------------------------
def _shared_graph():
    """c is an intermediate node used by the root directly and through tanh: c + c.tanh() ...

    Only a true topological order places c before c.tanh(); a reversed breadth-first order
    places c.tanh() first (it is nearer to the root than c's second use). Two different
    constants 1.0 catch a visited set keyed on .data.
    """
    from bpcourse.engine import Value

    a, b = Value(0.6), Value(-1.1)
    c = a * b
    return (c + c.tanh()) * 1.0 + (a * 1.0)


def _deep_chain(depth):
    from bpcourse.engine import Value

    y = Value(0.5)
    for _ in range(depth):
        y = y.tanh()
    return y


def _check_order(order, root, graph):
    from bpcourse.engine import Value

    if not isinstance(order, (list, tuple)):
        raise Mistake(
            f"ex_topological_order returned {type(order).__name__}, expected a list of nodes"
        )
    want = Value.topological_order(root)  # the package's sort (root's own method is refused)
    ids = [id(v) for v in order]
    if len(set(ids)) != len(ids):
        raise Mistake(
            f"{graph}: a node appears more than once: mark each node as visited when "
            "you first expand it (a node used by several others is placed once)"
        )
    missing = len({id(v) for v in want} - set(ids))
    if id(root) not in ids:
        raise Mistake(f"{graph}: root itself is missing: the order ends with root")
    if missing:
        raise Mistake(
            f"{graph}: {missing} of the {len(want)} nodes are missing (is the visited "
            "set keyed on node identity, id(node), and not on its .data?)"
        )
    if len(order) != len(want):
        raise Mistake(f"{graph}: {len(order)} nodes returned, the graph has {len(want)}")
    index = {id(v): i for i, v in enumerate(order)}
    if order[0] is root and all(index[id(p)] > index[id(v)] for v in order for p in v._prev):
        raise Mistake(
            f"{graph}: the order is reversed: root must come last, each node after its "
            "operands (the reverse of the order backward() runs in)"
        )
    if order[-1] is not root:
        raise Mistake(f"{graph}: root must come last")
    if any(index[id(p)] > index[id(v)] for v in order for p in v._prev):
        raise Mistake(
            f"{graph}: a node comes before one of its operands. A walk from the root "
            "that lists each node when it first reaches it (breadth-first, or depth-first "
            "before the operands), reversed, does this: place a node only after all of "
            "its operands are placed"
        )


@register(
    "ex_topological_order",
    hints=(
        "A node may be placed only once all its operands are placed. How can an explicit stack "
        "remember to come back to a node after its operands?",
        "Push (node, False) to expand a node: if it is not visited yet, mark it, push (node, True), "
        "then push its operands. Popping (node, True) means its operands are placed: append it.",
        "order, seen, stack = [], set(), [(root, False)]; while stack: node, done = stack.pop(); "
        "if done: order.append(node) elif id(node) not in seen: seen.add(id(node)); "
        "stack.append((node, True)); stack.extend((c, False) for c in node._prev); return order",
    ),
)
def check_ex_topological_order(ex_topological_order):
    root = _refuse(_shared_graph(), "topological_order")
    graph = "on (c + c.tanh()) * 1 + a * 1"
    with _recursion_limit("ex_topological_order"):
        first = ex_topological_order(root)
    _check_order(first, root, graph)
    with _recursion_limit("ex_topological_order"):
        second = ex_topological_order(root)
    if not isinstance(second, (list, tuple)) or len(second) != len(first):
        raise Mistake(
            f"{graph}: a second call on the same graph returned "
            f"{len(second) if isinstance(second, (list, tuple)) else 'no'} nodes, the "
            f"first {len(first)}: the visited set survives between calls (a global or a "
            "default argument); create it inside the function"
        )
    depth = _deep()
    deep = _refuse(_deep_chain(depth), "topological_order")
    with _recursion_limit("ex_topological_order"):
        order = ex_topological_order(deep)
    _check_order(order, deep, f"on a chain of {depth:,} tanh")
    return (
        f"a shared graph and a chain of {depth:,} nodes (deeper than the recursion limit) both work"
    )


# --- exercise 3: the backward pass -------------------------------------------------------------
def _refuse(root, method):
    """Make root.<method>() say that the exercise is to write it (Value has __slots__)."""
    from bpcourse.engine import Value

    def refused(self, *args, **kwargs):
        raise Mistake(
            f"your function calls root.{method}(): the exercise is to write it"
            + (
                " from root.topological_order() and each node's _backward"
                if method == "backward"
                else ", with an explicit stack"
            )
        )

    root.__class__ = type("_Root", (Value,), {"__slots__": (), method: refused})
    return root


def _walk_in_order(root, order):
    """A mistaken backward, for the mistake values: seed the root, run _backward in ``order``."""
    root.grad = 1.0
    for node in order:
        node._backward()


def _breadth_first(root):
    """The nodes by distance from the root (each once): what a queue-based walk visits."""
    order, seen, queue = [], {id(root)}, [root]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for child in node._prev:
            if id(child) not in seen:
                seen.add(id(child))
                queue.append(child)
    return order


def _by_paths(root):
    """Every node once per path from the root (the notebook's trap 2), in visiting order."""
    order, stack = [], [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(reversed(node._prev))
    return order


def _all_seeded(root):
    """Every node's gradient set to 1 (not only the output's), then the true order."""
    order = root.topological_order()
    for node in order:
        node.grad = 1.0
    return order[::-1]


def _mistaken_grad(f, values, walk):
    """The gradient of the first input when backward runs the nodes in the order ``walk`` gives."""
    from bpcourse.engine import Value

    leaves = [Value(v) for v in values]
    root = f(*leaves)
    _walk_in_order(root, walk(root))
    return leaves[0].grad


@register(
    "ex_backward",
    hints=(
        "Which gradient do you know before any _backward has run, and in which order must the "
        "nodes run theirs so that each has received everything before it passes it on?",
        "Seed the output: root.grad = 1.0. Then run node._backward() for every node in the reverse "
        "of root.topological_order() (each node after every node that uses it), once each.",
        "root.grad = 1.0; for node in reversed(root.topological_order()): node._backward()",
    ),
)
def check_ex_backward(ex_backward):
    from bpcourse.engine import Value

    # h = 3a is used by the root directly and through (h h).tanh(): a breadth-first walk, or a
    # walk path by path (the notebook's trap 2), runs h's backward too early or too often.
    a0, b0 = 0.4, -0.7

    def f(a, b):
        h = a * 3.0
        return h + (h * h).tanh() * b

    a, b = Value(a0), Value(b0)
    root = _refuse(f(a, b), "backward")
    seen_by_root = []  # root.grad each time root's own _backward runs
    root_backward = root._backward

    def spy():
        seen_by_root.append(root.grad)
        root_backward()

    root._backward = spy
    with _recursion_limit("ex_backward"):
        _call(ex_backward, root)
    want = _torch_grads(f, a0, b0)
    if root.grad == 0.0 and math.isclose(a.grad, want[0], rel_tol=1e-9):
        raise Mistake(
            "root.grad is 0 after ex_backward, though the other gradients are right: "
            "d root / d root is 1, leave root.grad = 1.0 (do not reset it)"
        )
    expect(
        root.grad,
        1.0,
        "root.grad after ex_backward",
        mistakes={"the output's gradient is never seeded: set root.grad = 1.0 first": 0.0},
    )
    if not seen_by_root:
        raise Mistake(
            "root's own _backward never ran (off by one?): the loop must run every "
            "node's _backward, root included, root first"
        )
    if a.grad == 0.0 and all(p.grad == 0.0 for p in root._prev):
        raise Mistake(
            "nothing was propagated: root.grad was still 0 when root's _backward ran "
            "(seed root.grad = 1.0 before the loop, not after it)"
        )
    expect(
        a.grad,
        want[0],
        "a.grad for h + tanh(h h) b, with h = 3a",
        mistakes={
            "the leaves received nothing: the nodes ran in topological order, not reversed "
            "(each node must run after every node that uses it)": _mistaken_grad(
                f, (a0, b0), lambda r: r.topological_order()
            ),
            "h ran its _backward before tanh(h h) had sent its share: a breadth-first order from "
            "the root is not a topological order": _mistaken_grad(f, (a0, b0), _breadth_first),
            "h's gradient was sent once per path: walking the graph path by path from the root "
            "runs a node used twice more than once": _mistaken_grad(f, (a0, b0), _by_paths),
            "every node's .grad was set to 1.0: only the output is seeded, the others start at 0 "
            "and receive their gradient from the nodes that use them": _mistaken_grad(
                f, (a0, b0), _all_seeded
            ),
        },
    )
    expect(b.grad, want[1], "b.grad for h + tanh(h h) b")

    # A chain deeper than the recursion limit: d tanh(tanh(...x)) / dx = prod (1 - t_k^2).
    x0, depth = 0.5, _deep()
    x = Value(x0)
    y = x
    for _ in range(depth):
        y = y.tanh()
    with _recursion_limit("ex_backward"):
        _call(ex_backward, _refuse(y, "backward"))
    t, want = x0, 1.0
    for _ in range(depth):
        t = math.tanh(t)
        want *= 1.0 - t * t
    expect(x.grad, want, f"the input's gradient through a chain of {depth:,} tanh")
    return f"a node used along several paths and a chain of {depth:,} nodes match torch"
