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
    Case("ex_sin", sin_backward_not_attached, "never adds anything to x.grad"),
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
