"""nbgrader configuration of the bpcourse course directory (copied there by `make assignments`).

nbgrader reads this file from the course directory (build/nbgrader). One change to nbgrader's
defaults matters: `generate_assignment` normally clears every output; here it clears only the
outputs of solution and test cells, so the demonstrations reach students with their stored
outputs and plots, and no answer leaks through an output.
"""

from nbgrader import utils
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import ClearOutput


class ClearAnswerOutput(ClearOutput):
    """Clear the outputs of solution and autograded cells only (demonstrations keep theirs)."""

    def preprocess_cell(self, cell, resources, index):
        if utils.is_solution(cell) or utils.is_grade(cell):
            return super().preprocess_cell(cell, resources, index)
        return cell, resources


c = get_config()  # noqa: F821 (defined by traitlets when it loads a config file)
c.CourseDirectory.course_id = "bpcourse"
c.GenerateAssignment.preprocessors = [
    ClearAnswerOutput if p is ClearOutput else p for p in GenerateAssignment.preprocessors.default()
]
# A notebook runs in 5-15 s; a busy grading machine gets ample room before a cell times out.
c.Execute.timeout = 300
