"""Write a recorded graph as straight-line Python source: the code generator behind `Tape.compile()`.

Forward is one statement per node, in topological order; backward one statement per edge, outputs
first, accumulating dL/dv in local variables (an edge whose local derivative is 1 passes the
gradient on by name, without a copy). Op formulas are pasted in as text read from the OPS table by
`autograd.trace`, or called when they branch. Graphs longer than `chunk` nodes become one forward and
one backward function per chunk; values and gradients that cross a chunk boundary go through the
lists V and G, and each chunk's forward hands its backward the values it needs in `saved[c]`.
"""
from .engine import OPS, Value
from .trace import Sym, trace

# The symbol ops' names as identifiers; the leading "_" keeps them apart from registered ops' names
# (register_op refuses those), so an op named "div" cannot stand in for "/" in generated code.
_SAFE = {"+": "_add", "-": "_sub", "*": "_mul", "/": "_div", "**": "_pow"}


def _kind_key(a):
    return "@" if a is None or type(a) is Value else repr(a)


def _symbols(node):
    """The op's arguments for tracing: `{x}`/`{y}` for parent nodes, constants as their floats."""
    raw = (node._a,) if OPS[node.op].arity == 1 else (node._a, node._b)
    return [Sym("{%s}" % "xy"[i]) if type(a) is Value else a for i, a in enumerate(raw)]


def _trace(op, args):
    """Source templates (placeholders {x} {y} {o}) for op's forward and local derivatives, or None."""
    return trace(op, args, Sym("{o}"))


def _generate(tape, chunk, inputs):
    """One forward and one backward function per chunk of nodes, as source text."""
    nodes, n = tape.nodes, len(tape.nodes)
    index = {id(v): i for i, v in enumerate(nodes)}
    leaf_at = {id(v): k for k, v in enumerate(tape.leaves)}
    input_at = {id(v): m for m, v in enumerate(inputs or ())}
    cache, spec = {}, []
    for v in nodes:
        if not v.op:
            spec.append(None)
            continue
        op = OPS[v.op]
        args = [index[id(a)] if type(a) is Value else a for a in ((v._a,) if op.arity == 1 else (v._a, v._b))]
        key = (op.name,) + tuple(_kind_key(a) if type(a) is float else "@" for a in args)
        if key not in cache:
            cache[key] = _trace(op, _symbols(v))
        spec.append((_SAFE.get(op.name, op.name), args, cache[key]))
    home = [i // chunk for i in range(n)]
    export = [False] * n
    for i, s in enumerate(spec):
        for a in s[1] if s else ():
            if type(a) is int and home[a] != home[i]:
                export[a] = True
    nch = home[-1] + 1
    one = nch == 1
    bwd, needs = _backward_source(spec, tape, chunk, home, nch, leaf_at, input_at, inputs is not None)
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
