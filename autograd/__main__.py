"""pathgrad on the command line: explain, count, trace and draw the paths of an expression.

    python -m autograd explain "(a+b)*(b+1)" a=2 b=1 --wrt b     # de/db as a sum over paths
    python -m autograd count "(a+b)*(b+1)" a=2 b=1               # how many paths from each variable
    python -m autograd trace "(a+b)*(b+1)" a=2 b=1               # backward's += steps, one per edge
    python -m autograd show "(a+b)*(b+1)" a=2 b=1                # the graph as text, one row per node
    python -m autograd draw "(a+b)*(b+1)" a=2 b=1 -o graph.svg --edges contribution
    python -m autograd explore "(a+b)*(b+1)" a=2 b=1 -o olah.html   # a page to click through, offline

Expressions use numbers, variables, + - * / **, unary -, and relu tanh sigmoid exp log sqrt abs sin cos
(see autograd/expr.py); anything else is refused with exit code 2. An expression starting with '-'
goes after `--`. Variables are leaves labelled by their names.
"""
import argparse
import os
import sys
import tempfile

from .expr import FUNCTIONS, ExpressionError, build, parse_assignments
from .explain import explain
from .ledger import trace_backward
from .paths import count_paths, nodes_between
from .text import graph_text

_FORMATS = ("svg", "png", "pdf", "dot")


def _parser():
    p = argparse.ArgumentParser(prog="python -m autograd", description=__doc__.split("\n")[0],
                                epilog=f"functions: {', '.join(FUNCTIONS)}")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name, help):
        c = sub.add_parser(name, help=help, description=help)
        c.add_argument("expr", help='the expression, e.g. "(a+b)*(b+1)"')
        c.add_argument("values", nargs="*", metavar="VAR=VALUE", help="a value for every variable")
        c.add_argument("--name", default="f", help="label of the expression's node (default: f)")
        return c

    c = command("explain", "d out/d VAR as a sum over paths, beside backward's gradient")
    c.add_argument("--wrt", action="append", metavar="VAR", help="the variable (repeatable; default: all)")
    c.add_argument("--limit", type=int, default=64, help="list at most this many paths (default 64)")
    c = command("count", "the number of paths from each variable to the output")
    c.add_argument("--wrt", action="append", metavar="VAR", help="the variable (repeatable; default: all)")
    command("trace", "run backward and list its += steps, one per edge")
    command("show", "run backward and print the graph as text, one row per node")
    c = command("draw", "render the graph with graphviz")
    c.add_argument("-o", "--output", required=True, help=f"file to write; format from the suffix {_FORMATS}")
    c.add_argument("--edges", choices=("local", "contribution"), default="local",
                   help="edge labels: local derivatives or what each edge added in backward")
    c.add_argument("--highlight", metavar="VAR", help="highlight every path from VAR to the output")
    c = command("explore", "write the explorer: one self-contained HTML page (click a node, step backward)")
    c.add_argument("-o", "--output", required=True, help="the .html file to write")
    return p


def _fail(msg):
    print(f"python -m autograd: error: {msg}", file=sys.stderr)
    return 2


def _wrt(names, leaves, option="--wrt"):
    if not leaves:
        raise ExpressionError("the expression has no variables: there is nothing to differentiate")
    names = names or list(leaves)
    for n in names:
        if n not in leaves:
            raise ExpressionError(f"{option} {n}: the expression has no variable {n}"
                                  f" (its variables: {', '.join(leaves) or 'none'})")
    return [leaves[n] for n in names]


def _write(data, path):
    # Write a temporary file next to the target and rename it, so a failure never leaves half a file.
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".draw-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a drawing is as readable as any new file
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _draw(args, out, leaves):
    fmt = os.path.splitext(args.output)[1].lstrip(".").lower()
    if fmt not in _FORMATS:
        raise ExpressionError(f"-o {args.output}: the suffix must be one of {', '.join(_FORMATS)}")
    from ._drawkit import render
    from .draw import draw
    out.backward()
    highlight = None
    if args.highlight:
        (x,) = _wrt([args.highlight], leaves, "--highlight")
        on = set(nodes_between(out, x))  # every path from x: its nodes and edges, found in linear time
        highlight = [(p, c) for c in on for p in c.parents if p in on] or [out]
    dot = draw(out, edge_labels=args.edges, highlight=highlight)
    _write(dot.source.encode() if fmt == "dot" else render(dot, fmt), args.output)
    print(f"wrote {args.output}")


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        out, leaves = build(args.expr, parse_assignments(args.values))
        if out.op or not out.label:  # an expression that is one variable is that variable: keep its name
            out.label = args.name
        if args.command == "explain":
            if args.limit < 0:
                raise ExpressionError(f"--limit must be >= 0, got {args.limit}")
            print("\n\n".join(str(explain(out, x, limit=args.limit)) for x in _wrt(args.wrt, leaves)))
        elif args.command == "count":
            for x in _wrt(args.wrt, leaves):
                n = count_paths(out, x)
                print(f"{n} path{'' if n == 1 else 's'} from {x.label} to {out.label}")
        elif args.command == "trace":
            print(trace_backward(out))
        elif args.command == "show":
            out.backward()
            print(graph_text(out, max_nodes=sys.maxsize))  # a long expression is a long table, not an error
        elif args.command == "explore":
            from .explore import explore
            if not args.output.lower().endswith((".html", ".htm")):
                raise ExpressionError(f"-o {args.output}: the explorer is a web page; name it .html")
            print(f"wrote {explore(out).save(args.output)}")
        else:
            _draw(args, out, leaves)
    except (ExpressionError, ArithmeticError, ValueError) as e:
        return _fail(e)
    except OSError as e:
        _fail(e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
