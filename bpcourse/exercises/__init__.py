"""The course's exercises: a check per exercise, and the feedback a learner sees.

In a notebook::

    from bpcourse.exercises import exercise, hint
    exercise("ex_sin")      # after the cell that defines ex_sin: OK, not done yet, or what is wrong
    hint("ex_sin")          # the next hint, from a nudge to the answer

The checks live in one module per notebook (``nb01`` ... ``nb07``), each registered with
:func:`register`; :func:`run` returns an :class:`Outcome` instead of printing (the tests'
catalogue of typical wrong answers calls it).
"""

from .core import (
    REGISTRY,
    Exercise,
    ExerciseFailed,
    ExerciseNotDone,
    Mistake,
    Outcome,
    exercise,
    expect,
    hint,
    lookup,
    register,
    run,
)

__all__ = [
    "REGISTRY",
    "Exercise",
    "ExerciseFailed",
    "ExerciseNotDone",
    "Mistake",
    "Outcome",
    "exercise",
    "expect",
    "hint",
    "lookup",
    "register",
    "run",
]
