"""bpcourse.engine: paths mutation testing found untested (tests/MUTATION.md)."""

from __future__ import annotations

import pytest

from bpcourse.engine import Value


def test_value_repr_with_and_without_label():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2, label="w")) == "Value(data=2.0, grad=0.0, label='w')"


def test_long_operands_are_cut_to_100_characters_in_messages():
    with pytest.raises(TypeError) as info:
        Value("x" * 300)
    assert str(info.value) == "Value(data) needs a real number (int or float), got str '" + "x" * 95


def test_each_operation_records_its_name_for_the_graph():
    x, y = Value(2.0), Value(0.5)
    ops = [x + y, x * y, x / y, x ** 2, -x, x.relu(), x.tanh(), x.sigmoid(), x.exp(), x.log()]
    assert [v._op for v in ops] == ["+", "*", "/", "**2", "neg", "relu", "tanh", "sigmoid", "exp", "log"]
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
