"""Catalogue of notebook 07's exercises: the right answer and typical wrong ones, each run
through the check the notebook calls, each wrong one rejected with a message naming its mistake."""

from __future__ import annotations

import math
from collections import deque

from helpers import Case, run_catalogue

from bpcourse.engine import Value


# --- ex_sin ------------------------------------------------------------------------------------
def correct_sin(x):
    out = Value(math.sin(x.data), (x,), "sin")

    def _backward():
        x.grad += math.cos(x.data) * out.grad

    out._backward = _backward
    return out


def sin_assigns_grad(x):
    out = Value(math.sin(x.data), (x,), "sin")

    def _backward():
        x.grad = math.cos(x.data) * out.grad

    out._backward = _backward
    return out


def sin_forward_cos(x):
    out = Value(math.cos(x.data), (x,), "sin")

    def _backward():
        x.grad += math.cos(x.data) * out.grad

    out._backward = _backward
    return out


def sin_forgets_out_grad(x):
    out = Value(math.sin(x.data), (x,), "sin")

    def _backward():
        x.grad += math.cos(x.data)

    out._backward = _backward
    return out


def sin_minus_cos(x):
    out = Value(math.sin(x.data), (x,), "sin")

    def _backward():
        x.grad += -math.cos(x.data) * out.grad

    out._backward = _backward
    return out


def sin_derivative_sin(x):
    out = Value(math.sin(x.data), (x,), "sin")

    def _backward():
        x.grad += math.sin(x.data) * out.grad

    out._backward = _backward
    return out


def sin_cos_of_output(x):
    out = Value(math.sin(x.data), (x,), "sin")

    def _backward():
        x.grad += math.cos(out.data) * out.grad

    out._backward = _backward
    return out


def sin_no_children(x):
    out = Value(math.sin(x.data))

    def _backward():
        x.grad += math.cos(x.data) * out.grad

    out._backward = _backward
    return out


def sin_backward_not_attached(x):
    out = Value(math.sin(x.data), (x,), "sin")

    def _backward():
        x.grad += math.cos(x.data) * out.grad

    return out


def sin_returns_float(x):
    return math.sin(x.data)


# --- ex_topological_order ----------------------------------------------------------------------
def correct_order(root):
    order, placed, stack = [], set(), [(root, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            order.append(node)
        elif id(node) not in placed:
            placed.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order


def order_recursive(root):
    order, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            order.append(v)

    build(root)
    return order


def order_reversed_bfs(root):
    order, seen, queue = [], {id(root)}, deque([root])
    while queue:
        node = queue.popleft()
        order.append(node)
        for child in node._prev:
            if id(child) not in seen:
                seen.add(id(child))
                queue.append(child)
    return order[::-1]


def order_no_visited_set(root):
    order, stack = [], [(root, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order


def order_root_first(root):
    order, placed, stack = [], set(), [(root, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            order.append(node)
        elif id(node) not in placed:
            placed.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order[::-1]  # "backward needs it from the root": reversed one time too many


def order_visited_by_data(root):
    order, placed, stack = [], set(), [(root, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            order.append(node)
        elif node.data not in placed:
            placed.add(node.data)
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order


# --- ex_backward -------------------------------------------------------------------------------
def correct_backward(root):
    root.grad = 1.0
    for node in reversed(root.topological_order()):
        node._backward()


def backward_not_reversed(root):
    root.grad = 1.0
    for node in root.topological_order():
        node._backward()


def backward_no_seed(root):
    for node in reversed(root.topological_order()):
        node._backward()


def backward_breadth_first(root):
    root.grad = 1.0
    seen, queue = {id(root)}, deque([root])
    while queue:
        node = queue.popleft()
        node._backward()
        for child in node._prev:
            if id(child) not in seen:
                seen.add(id(child))
                queue.append(child)


def backward_by_paths(root):
    root.grad = 1.0

    def visit(v):
        v._backward()
        for child in v._prev:
            visit(child)

    visit(root)


def backward_calls_value_backward(root):
    root.backward()


def backward_recursive_sort(root):
    order, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            order.append(v)

    build(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()


CATALOGUE = [
    Case("ex_sin", correct_sin, None),
    Case("ex_sin", sin_assigns_grad, "instead of adding to it (+="),
    Case("ex_sin", sin_forward_cos, "computes cos instead of sin"),
    Case("ex_sin", sin_forgets_out_grad, "does not multiply by out.grad"),
    Case("ex_sin", sin_minus_cos, "not -cos"),
    Case("ex_sin", sin_derivative_sin, "cos(x.data), not sin(x.data)"),
    Case("ex_sin", sin_cos_of_output, "at the result"),
    Case("ex_sin", sin_no_children, "does not record its operand"),
    Case("ex_sin", sin_backward_not_attached, "never attached"),
    Case("ex_sin", sin_returns_float, "expected a Value"),
    Case("ex_topological_order", correct_order, None),
    Case("ex_topological_order", order_recursive, "explicit stack"),
    Case("ex_topological_order", order_reversed_bfs, "breadth-first"),
    Case("ex_topological_order", order_no_visited_set, "more than once"),
    Case("ex_topological_order", order_root_first, "reversed"),
    Case("ex_topological_order", order_visited_by_data, "missing"),
    Case("ex_backward", correct_backward, None),
    Case("ex_backward", backward_not_reversed, "not reversed"),
    Case("ex_backward", backward_no_seed, "never seeded"),
    Case("ex_backward", backward_breadth_first, "breadth-first"),
    Case("ex_backward", backward_by_paths, "once per path"),
    Case("ex_backward", backward_calls_value_backward, "calls root.backward()"),
    Case("ex_backward", backward_recursive_sort, "explicit stack"),
]


# More wrong answers, and right answers written differently (they must pass).
def order_kahn(root):
    """Kahn's algorithm: count each node's users, place a node when all its users are placed."""
    users, seen, stack = {}, {id(root)}, [root]
    while stack:
        node = stack.pop()
        for child in node._prev:
            users[id(child)] = users.get(id(child), 0) + 1
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    order, ready = [], [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for child in node._prev:
            users[id(child)] -= 1
            if users[id(child)] == 0:
                ready.append(child)
    return order[::-1]


def order_calls_the_package(root):
    return root.topological_order()


def order_reversed_preorder(root):
    order, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(node._prev)
    return order[::-1]


def backward_seeds_after_the_loop(root):
    for node in reversed(root.topological_order()):
        node._backward()
    root.grad = 1.0


def backward_with_kahn_order(root):
    root.grad = 1.0
    for node in reversed(order_kahn(root)):
        node._backward()


def backward_zeroes_then_runs(root):
    order = root.topological_order()
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in order[::-1]:
        node._backward()


CATALOGUE += [
    Case("ex_topological_order", order_kahn, None),
    Case("ex_topological_order", order_calls_the_package, "calls root.topological_order()"),
    Case("ex_topological_order", order_reversed_preorder, "before one of its operands"),
    Case("ex_backward", backward_seeds_after_the_loop, "before the loop, not after it"),
    Case("ex_backward", backward_with_kahn_order, None),
    Case("ex_backward", backward_zeroes_then_runs, None),
]

test_catalogue = run_catalogue(CATALOGUE)


# Tried as a learner would (issue 13): more wrong answers, each with the phrase naming it.
A_FROM_THE_NOTEBOOK = Value(0.7)  # a notebook global a learner may write instead of x


def sin_changes_out_grad(x):
    out = Value(math.sin(x.data), (x,), "sin")

    def _backward():
        out.grad += math.cos(x.data) * x.grad  # the direction reversed

    out._backward = _backward
    return out


def sin_uses_a_global(x):
    out = Value(math.sin(x.data), (x,), "sin")

    def _backward():
        A_FROM_THE_NOTEBOOK.grad += math.cos(A_FROM_THE_NOTEBOOK.data) * out.grad

    out._backward = _backward
    return out


def sin_times_out_data(x):
    out = Value(math.sin(x.data), (x,), "sin")

    def _backward():
        x.grad += math.cos(x.data) * out.data

    out._backward = _backward
    return out


def sin_resets_out_grad(x):
    out = Value(math.sin(x.data), (x,), "sin")

    def _backward():
        x.grad += math.cos(x.data) * out.grad
        out.grad = 0.0  # "consumed"

    out._backward = _backward
    return out


def sin_in_degrees(x):
    out = Value(math.sin(math.radians(x.data)), (x,), "sin")

    def _backward():
        x.grad += math.cos(math.radians(x.data)) * out.grad

    out._backward = _backward
    return out


def sin_with_numpy(x):
    import numpy as np

    out = Value(float(np.sin(x.data)), (x,), "sin")

    def _backward():
        x.grad += float(np.cos(x.data)) * out.grad

    out._backward = _backward
    return out


def sin_cos_computed_in_the_forward(x):
    local = math.cos(x.data)  # the local derivative, computed once
    out = Value(math.sin(x.data), (x,), "sin")

    def _backward():
        x.grad += local * out.grad

    out._backward = _backward
    return out


def order_visited_as_default_argument(root, placed=set()):  # noqa: B006 (the mistake)
    order, stack = [], [(root, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            order.append(node)
        elif id(node) not in placed:
            placed.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order


def order_recursive_with_a_raised_limit(root):
    import sys

    sys.setrecursionlimit(100_000)
    order, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            order.append(v)

    build(root)
    return order


def order_without_root(root):
    return correct_order(root)[:-1]  # "root is not its own dependency"


def order_set_of_values(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            order.append(node)
        elif node not in seen:  # Values hash by identity
            seen.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order


def order_marks_when_placed(root):
    order, placed, stack = [], set(), [(root, False)]
    while stack:
        node, ready = stack.pop()
        if ready:
            order.append(node)
            placed.add(id(node))
        elif id(node) not in placed:
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order


def backward_skips_the_root(root):
    root.grad = 1.0
    for node in reversed(root.topological_order()[:-1]):  # off by one
        node._backward()


def backward_seeds_every_node(root):
    order = root.topological_order()
    for node in order:
        node.grad = 1.0
    for node in reversed(order):
        node._backward()


def backward_recursive_with_a_raised_limit(root):
    import sys

    sys.setrecursionlimit(100_000)
    order, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            order.append(v)

    build(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()


def backward_resets_the_root(root):
    root.grad = 1.0
    for node in reversed(root.topological_order()):
        node._backward()
    root.grad = 0.0  # "clean up"


def backward_reverses_in_place(root):
    order = root.topological_order()
    order.reverse()
    root.grad = 1
    for node in order:
        node._backward()


CATALOGUE_LEARNER = [
    Case("ex_sin", sin_changes_out_grad, "adds nothing to x.grad"),
    Case("ex_sin", sin_uses_a_global, "another Value"),
    Case("ex_sin", sin_times_out_data, "out.data"),
    Case("ex_sin", sin_resets_out_grad, "never change out.grad"),
    Case("ex_sin", sin_in_degrees, "radians"),
    Case("ex_sin", sin_with_numpy, None),
    Case("ex_sin", sin_cos_computed_in_the_forward, None),
    Case("ex_topological_order", order_visited_as_default_argument, "survives between calls"),
    Case("ex_topological_order", order_recursive_with_a_raised_limit, "raises Python's recursion"),
    Case("ex_topological_order", order_without_root, "root itself is missing"),
    Case("ex_topological_order", order_set_of_values, None),
    Case("ex_topological_order", order_marks_when_placed, None),
    Case("ex_backward", backward_skips_the_root, "root's own _backward never ran"),
    Case("ex_backward", backward_seeds_every_node, "every node's .grad was set to 1.0"),
    Case("ex_backward", backward_recursive_with_a_raised_limit, "raises Python's recursion"),
    Case("ex_backward", backward_resets_the_root, "do not reset it"),
    Case("ex_backward", backward_reverses_in_place, None),
]

test_catalogue_learner = run_catalogue(CATALOGUE_LEARNER)


def test_the_recursion_limit_is_restored():
    """A check leaves Python's recursion limit as it found it, even when the answer raised it."""
    import sys

    from bpcourse.exercises import run

    before = sys.getrecursionlimit()
    assert run("ex_topological_order", order_recursive_with_a_raised_limit).status == "mistake"
    assert run("ex_backward", backward_recursive_with_a_raised_limit).status == "mistake"
    assert sys.getrecursionlimit() == before


def test_a_limit_raised_in_an_earlier_cell_does_not_let_recursion_pass():
    """The learner raised the limit in an earlier cell: the check still runs the code under the
    default limit, says so, and gives the limit back."""
    import sys

    from bpcourse.exercises import run

    before = sys.getrecursionlimit()
    sys.setrecursionlimit(50_000)
    try:
        for name, answer in (
            ("ex_topological_order", order_recursive),
            ("ex_backward", backward_recursive_sort),
        ):
            outcome = run(name, answer)
            assert outcome.status in ("mistake", "error"), name
            assert "RecursionError" in outcome.message and "explicit stack" in outcome.message
            assert "default limit, 1000" in outcome.message
            assert sys.getrecursionlimit() == 50_000
    finally:
        sys.setrecursionlimit(before)


def ex_topological_order(root):  # the student edition's stub, still in the notebook
    raise NotImplementedError("Exercise: write your code here, then run the check cell below")


def backward_with_the_unfinished_sort(root):
    root.grad = 1.0
    for node in reversed(ex_topological_order(root)):
        node._backward()


def test_a_call_to_another_unfinished_exercise_is_named():
    """Not "not done yet": the learner wrote ex_backward, on top of a stub of the other exercise."""
    from bpcourse.exercises import run

    outcome = run("ex_backward", backward_with_the_unfinished_sort)
    assert outcome.status == "mistake"
    assert "calls ex_topological_order, which still raises NotImplementedError" in outcome.message

    def ex_backward(root):
        raise NotImplementedError("Exercise: write your code here, then run the check cell below")

    assert run("ex_backward", ex_backward).status == "not done"


CATALOGUE = (
    CATALOGUE + CATALOGUE_LEARNER
)  # the whole table, as tests/test_exercise_catalogue.py reads it
