"""Write a recorded graph as straight-line Python source: the code generator behind `Compiled` and `Batched`.

Forward is one statement per node, in topological order; backward one statement per edge, outputs
first, accumulating dL/dv in local variables (an edge whose local derivative is 1 passes the
gradient on by name, without a copy). Op formulas are pasted in as text read from the OPS table by
`autograd.ops.trace`, or called when they branch. Graphs longer than `chunk` nodes become one forward and
one backward function per chunk; values and gradients that cross a chunk boundary go through the
lists V and G, and each chunk's forward hands its backward the values it needs in `saved[c]`.

What the source calls is given by a `Kernels` object, one per way of running it (`load`).
"""
import re

from ..engine import OPS, Value
from ..ops import Sym, trace

__all__ = ["Kernels", "generate", "load"]

# The symbol ops' names as identifiers; the leading "_" keeps them apart from registered ops' names
# (register_op refuses those), so an op named "div" cannot stand in for "/" in generated code.
_SAFE = {"+": "_add", "-": "_sub", "*": "_mul", "/": "_div", "**": "_pow"}


class Kernels:
    """What the generated source runs on: Python floats here; `Batched` subclasses it for numpy arrays.

    For each op the source either pastes the formula's text (when `pastes(text)`) or calls
    `forward(op)(*args)` and `derivs(op)(*args, out)`. With `arrays`, values may be arrays: no
    in-place `+=` on grads (arrays share memory), and a leaf's gradient is `total(g)`, summed over
    the batch.
    """

    arrays = False

    def pastes(self, text):
        return True

    def forward(self, op):
        return op.forward

    def derivs(self, op):
        return op.derivs

    def total(self, g):
        return g


def load(sources, kernels):
    """The forward and backward functions of `generate`'s sources (backwards in the order to call them).

    The functions' globals are a namespace of the kernels' functions only: the functions are taken
    out of it, so functions and namespace form no reference cycle and die with their last user.
    """
    ns = {"inf": float("inf"), "nan": float("nan"), "total": kernels.total}
    for op in OPS.values():
        ns[_SAFE.get(op.name, op.name) + "_fwd"] = kernels.forward(op)
        ns[_SAFE.get(op.name, op.name) + "_d"] = kernels.derivs(op)
    defined = []
    for i, src in enumerate(sources):
        exec(compile(src, f"<tape chunk {i}>", "exec"), ns)
        defined.append(re.match(r"def (\w+)", src).group(1))
    funcs = [ns.pop(name) for name in defined]
    n = len(funcs) // 2
    return funcs[:n], funcs[n:][::-1]


def _kind_key(a):
    return "@" if type(a) is int else repr(a)


def _symbols(args):
    """An instruction's operands for tracing: `{x}`/`{y}` for nodes, constants as their floats."""
    return [Sym("{%s}" % "xy"[i]) if type(a) is int else a for i, a in enumerate(args)]


def _trace(op, args):
    """Source templates (placeholders {x} {y} {o}) for op's forward and local derivatives, or None."""
    return trace(op, _symbols(args), Sym("{o}"))


def constant_derivs(instruction):
    """Whether the instruction's local derivatives are plain numbers ('+', '-', neg), whatever the data."""
    _, d = _trace(instruction.op, instruction.args)
    return d is not None and all("{" not in t for t in d)


def generate(tape, chunk, inputs=None, kernels=Kernels()):
    """One forward and one backward function per chunk of nodes, as source text (forwards first).

    `inputs` are leaves whose values come from the argument X (one per input) instead of `.data`."""
    nodes, n = tape.nodes, len(tape.nodes)
    leaf_at = {id(v): k for k, v in enumerate(tape.leaves)}
    input_at = {id(v): m for m, v in enumerate(inputs or ())}
    cache, spec = {}, [None] * n
    for ins in tape.instructions:
        op, args = ins.op, ins.args
        key = (op.name,) + tuple(_kind_key(a) for a in args)
        if key not in cache:
            ftpl, dtpl = _trace(op, args)
            if ftpl is not None and not kernels.pastes(ftpl):
                ftpl = None
            if dtpl is not None and not all(kernels.pastes(t) for t in dtpl):
                dtpl = None
            cache[key] = ftpl, dtpl
        spec[ins.out] = (_SAFE.get(op.name, op.name), list(args), cache[key])
    home = [i // chunk for i in range(n)]
    export = [False] * n
    for i, s in enumerate(spec):
        for a in s[1] if s else ():
            if type(a) is int and home[a] != home[i]:
                export[a] = True
    nch = home[-1] + 1
    one = nch == 1
    bwd, needs = _backward_source(spec, tape, chunk, home, nch, leaf_at, input_at, kernels.arrays)
    fwd = []
    for c in range(nch):
        lines, local = [], set()

        def val(j):
            if j not in local:
                lines.append(f"v{j} = V[{j}]")
                local.add(j)
            return f"v{j}"

        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            if spec[i] is None:
                m = input_at.get(id(nodes[i]))
                note = f"  # {nodes[i].label!r}" if nodes[i].label else ""
                rhs = f"X[{m}]" if m is not None else f"L[{leaf_at[id(nodes[i])]}].data"
                lines.append(f"v{i} = {rhs}{note}")
            else:
                name, args, (ftpl, _) = spec[i]
                srcs = [val(a) if type(a) is int else repr(a) for a in args]
                if ftpl is None:
                    lines.append(f"v{i} = {name}_fwd({', '.join(srcs)})")
                else:
                    lines.append(f"v{i} = " + ftpl.format(x=srcs[0], y=srcs[-1]))
            local.add(i)
        lines += [f"V[{i}] = v{i}" for i in sorted(local) if home[i] == c and export[i]]
        keep = sorted(needs[c])
        lines.append(f"saved[{c}] = ({_names(keep)})")
        if c == nch - 1:
            lines.append(f"return v{n - 1}")
        fwd.append(_function("forward" if one else f"forward_{c}", "L, V, saved, X", lines))
    return fwd + bwd


def _backward_source(spec, tape, chunk, home, nch, leaf_at, input_at, batched):
    nodes, n = tape.nodes, len(tape.nodes)
    touched, out, needs = set(), [], [set() for _ in range(nch)]
    for c in reversed(range(nch)):
        lines, local, alias = [], set(), {}

        def grad(k):
            return alias.get(k, f"g{k}")

        def add(p, d, g):
            term, sign = (g, "+") if d == "1.0" else (g, "-") if d == "-1.0" else (f"{d} * {g}", "+")
            if p in alias:  # a second path into p: now p's grad needs a variable of its own
                lines.append(f"g{p} = {alias.pop(p)} {sign} {term}")
            elif p in local:  # numpy's -= and += work in place, on arrays other grads may share
                lines.append(f"g{p} = g{p} {sign} {term}" if batched else f"g{p} {sign}= {term}")
            elif p in touched:
                lines.append(f"g{p} = G[{p}] {sign} {term}")
            elif d == "1.0":  # the first path passes the gradient on unchanged: a name, not a copy
                alias[p] = g
            else:
                lines.append(f"g{p} = {'-' if sign == '-' else ''}{term}")
            local.add(p)
            touched.add(p)

        for k in reversed(range(c * chunk, min(n, (c + 1) * chunk))):
            if k == n - 1:
                lines.append(f"g{k} = seed")
                local.add(k)
            elif k not in local:
                lines.append(f"g{k} = G[{k}]")
                local.add(k)
            if spec[k] is None:
                if id(nodes[k]) not in input_at:
                    total = "total({})" if batched else "{}"
                    lines.append(f"L[{leaf_at[id(nodes[k])]}].grad += " + total.format(grad(k)))
                continue
            name, args, (_, dtpl) = spec[k]
            srcs = [f"v{a}" if type(a) is int else repr(a) for a in args]
            if dtpl is None:
                lines.append(f"d = {name}_d({', '.join(srcs)}, v{k})")
                ds = ["d[0]", "d[1]"]
                needs[c].update([k] + [a for a in args if type(a) is int])
            else:
                ds = [t.format(x=srcs[0], y=srcs[-1], o=f"v{k}") for t in dtpl]
                for t in (t for a, t in zip(args, dtpl) if type(a) is int):  # constants get no grad
                    needs[c].update(a for a, ph in zip(args, ("{x}", "{y}")) if type(a) is int and ph in t)
                    if "{o}" in t:
                        needs[c].add(k)
            for a, d in zip(args, ds):
                if type(a) is int:
                    add(a, d, grad(k))
        lines += [f"G[{p}] = {grad(p)}" for p in sorted(local) if home[p] != c]
        header = "backward" if nch == 1 else f"backward_{c}"
        keep = sorted(needs[c])
        if keep:
            lines.insert(0, f"{_names(keep)} = saved[{c}]")
        out.append(_function(header, "L, G, saved, seed", lines))
    return out[::-1], needs


def _function(name, params, lines):
    return f"def {name}({params}):\n" + "".join(f"    {line}\n" for line in lines)


def _names(indices):
    """`v1, v4` (a 1-tuple gets its comma: `v1,`)."""
    return ", ".join(f"v{j}" for j in indices) + ("," if len(indices) == 1 else "")
