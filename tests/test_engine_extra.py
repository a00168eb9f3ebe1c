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
