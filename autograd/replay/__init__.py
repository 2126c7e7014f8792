"""A recorded graph, run again: `Tape` records a graph once; backends replay it for new data.

    tape = Tape(loss)                   the record (tape.instructions), and a replay on Values' slots
    tape.compile()                      Compiled: straight-line Python on floats
    tape.batched(inputs)                Batched: the same Python on numpy arrays, one sample per element
    tape.vectorize(inputs)              Vectorized: numpy matrix products recognised in the graph

Every backend follows one protocol (`autograd.replay.backend`): made from a tape and its input leaves,
it provides forward(*arrays) and backward().
"""
from .backend import Backend
from .batched import Batched
from .compiled import Compiled
from .tape import Instruction, Tape
from .vectorize import Vectorized

__all__ = ["Tape", "Instruction", "Backend", "Compiled", "Batched", "Vectorized"]
