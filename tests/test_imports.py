"""autograd's modules import each other in one direction: no import circle, except the lazy imports
(one line inside a function, with a comment saying why) that DESIGN.md names."""
import ast
import os

import autograd

ROOT = os.path.dirname(autograd.__file__)

# (importer, imported) edges allowed to close a circle because the import runs lazily, inside a
# function: Value.show prints with text, Value._repr_html_ (and text.Shown's, for the results of
# explain, by_first_edge, nudge and trace_backward) renders with explore, Tape.batched needs numpy.
LAZY = {("autograd.engine", "autograd.text"), ("autograd.engine", "autograd.explore.html"),
        ("autograd.text", "autograd.explore"), ("autograd.text", "autograd.explore.html"),
        ("autograd.compile", "autograd.batched"), ("autograd.replay.tape", "autograd.replay.batched")}


def _modules():
    for folder, _, files in os.walk(ROOT):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(folder, f)
                rel = os.path.relpath(path, os.path.dirname(ROOT))[:-3].replace(os.sep, ".")
                yield rel.removesuffix(".__init__"), path


def _imports(module, path):
    """[(imported module, lazy)] for every import of an autograd module in the file."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    top = {id(n) for n in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
            if node.module:  # `from .x import y` may also name a submodule y
                names += [f"{target}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("autograd"):
                found.append((name, id(node) not in top and not _at_top_level(tree, node)))
    return found


def _at_top_level(tree, target):
    # An import inside `try:` or `if` at module level still runs on import: it is not lazy.
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if any(n is target for n in ast.walk(stmt)):
            return True
    return False


def _graph():
    mods = dict(_modules())
    edges = {}
    for mod, path in mods.items():
        for name, lazy in _imports(mod, path):
            if name in mods and name != mod and mod != "autograd":
                edges.setdefault(mod, {})[name] = edges.get(mod, {}).get(name, True) and lazy
    return mods, edges


def _cycles(edges, skip):
    """Every edge (a, b) of the graph, without the `skip` edges, that lies on a circle."""
    graph = {a: [b for b in bs if (a, b) not in skip] for a, bs in edges.items()}

    def reaches(start, goal):
        stack, seen = [start], set()
        while stack:
            v = stack.pop()
            if v == goal:
                return True
            if v not in seen:
                seen.add(v)
                stack.extend(graph.get(v, ()))
        return False
    return sorted((a, b) for a, bs in graph.items() for b in bs if reaches(b, a))


def test_the_walk_finds_the_engine_importing_the_maths():
    mods, edges = _graph()
    assert "autograd.ops" in mods and "autograd.ops" in edges["autograd.engine"]


def test_autograd_has_no_import_circle_except_the_documented_lazy_imports():
    _, edges = _graph()
    lazy_allowed = {(a, b) for a, bs in edges.items() for b, lazy in bs.items() if lazy and (a, b) in LAZY}
    assert _cycles(edges, lazy_allowed) == []


def test_the_ground_floor_imports_nothing_above_it():
    _, edges = _graph()
    assert set(edges.get("autograd.ops", {})) == set()
    assert set(edges.get("autograd.graph", {})) == set()
    assert {b for b, lazy in edges["autograd.engine"].items() if not lazy} <= {"autograd.ops", "autograd.graph"}


def test_a_circle_is_found_when_there_is_one():
    assert _cycles({"a": {"b": False}, "b": {"a": False}}, set()) == [("a", "b"), ("b", "a")]
    assert _cycles({"a": {"b": False}, "b": {"a": True}}, {("b", "a")}) == []
