"""The messages between a worker and its trusted runner (both the engine's own processes: pickled frozen
dataclasses over a socket). The sandbox channel inside them stays JSON text (``payload``)."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class RunnerInit:
    """First message to a trusted runner: where it works and which names are the student's.

    Attributes:
        workdir: a trusted folder (the source's support files), its cwd.
        student_names: names the solution cells (instructor's and student's) bind: proxied.
        label: "assignment|notebook|student|file sha256": the key of the fixed per-exercise seeds (a regrade
            of the same file draws the same inputs; a resubmission draws new ones, so inputs seen in the
            feedback cannot be answered from a table).
        sources: ``((name, source of the student's cell that binds it), ...)`` for the static forbid scan.
    """

    workdir: str
    student_names: tuple
    label: str = ""
    sources: tuple = ()


@dataclasses.dataclass(frozen=True)
class CellRun:
    """Run one source cell trusted-side: ``kind`` "setup" (a non-solution cell) or "test"."""

    index: int
    source: str
    kind: str
    grade_id: str = None
    bind: tuple = ()


@dataclasses.dataclass(frozen=True)
class AgentRequest:
    """The runner asks the student's kernel (JSON text for the agent, see autograder.sandboxed.agent)."""

    payload: str


@dataclasses.dataclass(frozen=True)
class AgentReply:
    """The agent's JSON reply (untrusted text), or ``failure`` when the engine could not get one."""

    payload: str = None
    failure: str = None


@dataclasses.dataclass(frozen=True)
class CellDone:
    """A cell's trusted run: nbformat outputs (stdout, displays, stderr, error), records, seconds."""

    index: int
    outputs: tuple
    records: tuple
    seconds: float
    execution_count: int = None
