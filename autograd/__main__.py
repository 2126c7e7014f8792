"""pathgrad on the command line: explain, count, nudge, trace, show, draw and explore an expression's paths.

    python -m autograd explain "(a+b)*(b+1)" a=2 b=1 --wrt b     # de/db as a sum over paths
    python -m autograd explain "c = a+b; d = b+1; c*d" a=2 b=1   # name intermediate nodes: c and d
    python -m autograd count "(a+b)*(b+1)" a=2 b=1               # how many paths from each variable
    python -m autograd nudge "(a+b)*(b+1)" a=2 b=1 --wrt b --h 0.1,0.01   # move b, watch e move
    python -m autograd trace "(a+b)*(b+1)" a=2 b=1               # backward's += steps, one per edge
    python -m autograd show "(a+b)*(b+1)" a=2 b=1                # the graph as text, one row per node
    python -m autograd draw "(a+b)*(b+1)" a=2 b=1 -o graph.svg --edges contribution
    python -m autograd explore "(a+b)*(b+1)" a=2 b=1 -o olah.html   # a page to click through, offline

Expressions use numbers, variables, + - * / **, unary -, and the functions listed below, which are the
engine's named ops (see autograd/expr.py); anything else is refused with one line and exit code 2, with a
hint for the usual slips (a^2, 2b, tahn(x), e**x). An expression starting with '-' goes after `--`.
Variables are leaves labelled by their names; `c = a+b;` labels the node a+b with c. --wrt and --of take
any of these names.
"""
import argparse
import os
import sys

from ._files import atomic_write
from .engine import topo_order
from .expr import FUNCTIONS, ExpressionError, build, parse_assignments
from .explain import explain
from .ledger import trace_backward
from .nudge import nudge
from .paths import count_paths, nodes_between
from .text import graph_text

_FORMATS = ("svg", "png", "pdf", "dot")
_PREFIX = "python -m autograd"


def _parser():
    p = argparse.ArgumentParser(prog=_PREFIX, description=__doc__.split("\n")[0],
                                epilog=f"functions: {', '.join(FUNCTIONS)}")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name, help, wrt=False):
        c = sub.add_parser(name, help=help, description=help)
        c.add_argument("expr", help='the expression, e.g. "(a+b)*(b+1)" or "c = a+b; d = b+1; c*d"')
        c.add_argument("values", nargs="*", metavar="VAR=VALUE", help="a value for every variable")
        c.add_argument("--name", default="f", help="label of the output node when it has none (default: f)")
        if wrt:
            c.add_argument("--wrt", action="append", metavar="NAME",
                           help="the input: a variable or a named node (repeatable; default: every variable)")
            c.add_argument("--of", metavar="NAME", help="the node to differentiate (default: the output)")
        return c

    c = command("explain", "d out/d VAR as a sum over paths, beside backward's gradient", wrt=True)
    c.add_argument("--limit", type=int, default=64, help="list at most this many paths (default 64)")
    command("count", "the number of paths from each variable to the output", wrt=True)
    c = command("nudge", "move VAR by h, recompute, and set the change beside h * (the sum of the path rates)",
                wrt=True)
    c.add_argument("--h", metavar="H,H,...", help="the steps, comma-separated (default 0.1,0.01,0.001,0.0001)")
    command("trace", "run backward and list its += steps, one per edge")
    command("show", "run backward and print the graph as text, one row per node")
    c = command("draw", "render the graph with graphviz")
    c.add_argument("-o", "--output", required=True, help=f"file to write; format from the suffix {_FORMATS}")
    c.add_argument("--edges", choices=("local", "contribution"), default="local",
                   help="edge labels: local derivatives or what each edge added in backward")
    c.add_argument("--highlight", metavar="VAR", help="highlight every path from VAR to the output")
    c.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="give up on Graphviz's layout after this long (default 30)")
    c = command("explore", "write the explorer: one self-contained HTML page (click a node, step backward)")
    c.add_argument("-o", "--output", required=True, help="the .html file to write")
    return p


def _say(kind, msg):
    # One line, whatever the message holds (a source excerpt may span lines).
    print(f"{_PREFIX}: {kind}: {' '.join(str(msg).splitlines())}", file=sys.stderr)


def _fail(msg):
    _say("error", msg)
    return 2


def _node(name, nodes, option):
    if name not in nodes:
        raise ExpressionError(f"{option} {name}: the expression has no variable or named node {name}"
                              f" (its names: {', '.join(nodes) or 'none'})")
    return nodes[name]


def _ends(args, out, nodes, warnings):
    """(y, [x...]) for explain and count: --of (default the output) and --wrt (default every variable
    below y). Warns when y does not depend on an x, and says so when the two ends look swapped."""
    y = _node(args.of, nodes, "--of") if args.of else out
    if args.wrt:
        xs = [(n, _node(n, nodes, "--wrt")) for n in args.wrt]
    else:
        xs = [(n, v) for n, v in nodes.items() if not v.op]
        if not xs:
            raise ExpressionError("the expression has no variables: there is nothing to differentiate")
        if args.of:
            below = {id(v) for v in topo_order(y)}
            xs = [(n, v) for n, v in xs if id(v) in below]
    y_name = args.of or y.label
    for n, x in xs:
        if x is not y and not count_paths(y, x):
            hint = f"; {n} depends on {y_name}: did you mean --of {n} --wrt {y_name}?" if count_paths(x, y) else ""
            warnings.append(f"{y_name} does not depend on {n}: there is no path from {n} to {y_name}{hint}")
    return y, [x for _, x in xs]


def _steps(text):
    """`--h 0.1,0.01` -> (0.1, 0.01); None without --h (nudge's own steps)."""
    if text is None:
        return None
    hs = []
    for part in text.split(","):
        try:
            hs.append(float(part))
        except ValueError:
            raise ExpressionError(f"--h {text}: {part.strip()!r} is not a number; write e.g. --h 0.1,0.01") from None
    return tuple(hs)


def _draw(args, out, nodes):
    fmt = os.path.splitext(args.output)[1].lstrip(".").lower()
    if fmt not in _FORMATS:
        raise ExpressionError(f"-o {args.output}: the suffix must be one of {', '.join(_FORMATS)}")
    if not args.timeout > 0:
        raise ExpressionError(f"--timeout must be a positive number of seconds, got {args.timeout:g}")
    from ._drawkit import render
    from .draw import draw
    out.backward()
    highlight = None
    if args.highlight:
        x = _node(args.highlight, nodes, "--highlight")
        on = set(nodes_between(out, x))  # every path from x: its nodes and edges, found in linear time
        highlight = [(p, c) for c in on for p in c.parents if p in on] or [out]
    dot = draw(out, edge_labels=args.edges, highlight=highlight)
    try:
        data = dot.source.encode() if fmt == "dot" else render(dot, fmt, timeout=args.timeout)
    except TimeoutError as e:
        raise ExpressionError(f"{e}, or name a part (c = ...) and draw it alone; or write the DOT source"
                              f" with -o FILE.dot, or allow more time with --timeout SECONDS") from None
    except FileNotFoundError as e:
        raise ExpressionError(f"{e}; -o FILE.dot writes the DOT source without it") from None
    try:
        atomic_write(args.output, data)
    except OSError as e:  # the message names the file asked for, never the temporary one
        raise OSError(e.errno, f"cannot write {args.output}: {e.strerror or e}") from None
    return f"wrote {args.output}"


def main(argv=None):
    args = _parser().parse_args(argv)
    warnings = []  # printed only when the command succeeds: a refusal is one line
    try:
        out, nodes = build(args.expr, parse_assignments(args.values), warn=warnings.append)
        if not out.label:  # a variable or a named node keeps its name
            out.label = args.name
        if args.command == "explain":
            if args.limit < 0:
                raise ExpressionError(f"--limit must be >= 0, got {args.limit}")
            y, xs = _ends(args, out, nodes, warnings)
            text = "\n\n".join(str(explain(y, x, limit=args.limit)) for x in xs)
        elif args.command == "count":
            y, xs = _ends(args, out, nodes, warnings)
            text = "\n".join(f"{n} path{'' if n == 1 else 's'} from {x.label} to {y.label}"
                             for n, x in ((count_paths(y, x), x) for x in xs))
        elif args.command == "nudge":
            hs = _steps(args.h)
            y, xs = _ends(args, out, nodes, warnings)
            text = "\n\n".join(str(nudge(y, x) if hs is None else nudge(y, x, hs=hs)) for x in xs)
        elif args.command == "trace":
            text = str(trace_backward(out))
        elif args.command == "show":
            out.backward()
            text = graph_text(out, max_nodes=sys.maxsize)  # a long expression is a long table, not an error
        elif args.command == "explore":
            from .explore import explore
            if not args.output.lower().endswith((".html", ".htm")):
                raise ExpressionError(f"-o {args.output}: the explorer is a web page; name it .html")
            text = f"wrote {explore(out).save(args.output)}"
        else:
            text = _draw(args, out, nodes)
    except (ExpressionError, ArithmeticError, ValueError) as e:
        return _fail(e)
    except OSError as e:
        _fail(e.strerror if e.strerror and e.filename is None else e)
        return 1
    for w in warnings:
        _say("warning", w)
    try:
        print(text, flush=True)
    except BrokenPipeError:  # `... | head` closed the pipe: the reader has what it wanted
        # Point stdout at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
