"""How a solution is called: a plain numpy function, or a ``ts.Function`` subclass run through the engine.

A runner checks that a solution is of its kind (``validate``, a TypeError if not), calls it on a case
(``run``, which returns what the solution returned), may add a verdict of its own (``verify``: the
gradient checker's for a Function) and writes the starter stub (``stub``).
"""

from __future__ import annotations

import copy

import numpy as np

from ..autograd import Function, GradcheckError, Tensor, grad, gradcheck
from ..autograd.base import TensorBase

__all__ = ["NumpyFunction", "ReturnError", "Runner", "TsFunction"]


class ReturnError(ValueError):
    """The solution returned something that cannot be compared (the wrong number of values, say)."""


class Runner:
    """The base: a solution called with the case's arguments, in order."""

    kind = "a solution"
    imports = "import numpy as np"  # what the stub needs at the top of the student's file

    def validate(self, solution, exercise) -> None:
        raise NotImplementedError

    def run(self, solution, case):
        raise NotImplementedError

    def verify(self, solution, case) -> str | None:
        """A verdict beside the comparison: None if there is nothing to add, else why the case fails."""
        return None

    def stub(self, exercise) -> str:
        """The function or class to fill in (without the imports)."""
        raise NotImplementedError


class NumpyFunction(Runner):
    """A function, numpy arrays in and out: ``solution(*case.args.values())`` on copies of the arguments."""

    kind = "a function"

    def validate(self, solution, exercise) -> None:
        if isinstance(solution, type) or not callable(solution):
            raise TypeError(f"solution: exercise {exercise.id!r} takes a function "
                            f"{exercise.solution_name}({exercise.params}); got {type(solution).__name__} "
                            f"{solution!r:.60}")

    def run(self, solution, case):
        return solution(*copy.deepcopy(list(case.args.values())))

    def stub(self, exercise) -> str:
        return (f"def {exercise.solution_name}({exercise.params}):\n"
                f'    """{exercise.title}"""\n    raise NotImplementedError\n')


class TsFunction(Runner):
    """A ``ts.Function`` subclass of one input: ``Cls.apply(x)`` on a float64 Tensor, its gradient by ``ts.grad``
    with the case's ``grad_output``, and ``ts.gradcheck`` on it (whose report names the op to blame)."""

    kind = "a ts.Function subclass"
    imports = "import numpy as np\n\nimport tinygrad_seminar as ts"

    def validate(self, solution, exercise) -> None:
        if not (isinstance(solution, type) and issubclass(solution, Function)):
            raise TypeError(f"solution: exercise {exercise.id!r} takes a class {exercise.solution_name}(ts.Function) "
                            f"with static forward(ctx, x) and backward(ctx, grad_output); got "
                            f"{type(solution).__name__} {solution!r:.60}")

    def run(self, solution, case):
        x = Tensor(np.array(case.args["x"], dtype=np.float64), requires_grad=True)
        out = solution.apply(x)
        if not isinstance(out, TensorBase):
            raise ReturnError(f"{solution.__name__}.apply(x) returned a {type(out).__name__}, not a Tensor")
        want = case.expected["forward"].shape
        if out.shape != want:
            raise ReturnError(f"its forward returned shape {out.shape}, expected {want} (the shape of x); "
                              "the backward was not run")
        (dx,) = grad(out, [x], grad_outputs=np.asarray(case.args["grad_output"], dtype=np.float64))
        return {"forward": out.numpy(), "backward": dx.numpy()}

    def verify(self, solution, case) -> str | None:
        """ts.gradcheck's report if it fails; None where the forward gives nan or inf (the comparison says so)."""
        x = Tensor(np.array(case.args["x"], dtype=np.float64), requires_grad=True)
        try:
            if not np.isfinite(solution.apply(x).numpy()).all():
                return None
            gradcheck(lambda t: solution.apply(t), x)
        except GradcheckError as e:
            return f"ts.gradcheck (central differences of your forward against your backward) says:\n{e}"
        except Exception:  # the run already reports what the solution raised
            return None
        return None

    def stub(self, exercise) -> str:
        return (f"class {exercise.solution_name}(ts.Function):\n"
                f'    """{exercise.title}"""\n\n'
                "    @staticmethod\n    def forward(ctx, x):\n"
                "        # ctx.save_for_backward(...) what backward needs\n        raise NotImplementedError\n\n"
                "    @staticmethod\n    def backward(ctx, grad_output):\n"
                "        # ... = ctx.saved_tensors\n        raise NotImplementedError\n")
