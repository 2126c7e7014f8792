"""`python -m autograd`: it explains, counts, traces and draws whitelisted expressions, and refuses
everything else with a clear message and exit code 2."""
import os
import shutil
import subprocess
import sys

import pytest

from autograd.__main__ import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- what it does ------------------------------------------------------------------------------

def test_explain_prints_olahs_two_paths_and_the_backward_gradient_as_a_subprocess():
    r = subprocess.run([sys.executable, "-m", "autograd", "explain", "(a+b)*(b+1)", "a=2", "b=1", "--wrt", "b"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "2 paths from b to f" in r.stdout
    assert "b -> (+)#3 -> f  1 * 2    2" in r.stdout and "b -> (+)#4 -> f  1 * 3    3" in r.stdout
    assert "sum of rates = 5" in r.stdout and "backward df/db = 5" in r.stdout


def test_explain_without_wrt_explains_every_variable(capsys):
    code, out, _ = run(capsys, "explain", "a*b + sin(a)", "a=0", "b=3")
    assert code == 0
    # d/da = b + cos(a) = 4, d/db = a = 0
    assert "2 paths from a to f" in out and "backward df/da = 4" in out
    assert "1 path from b to f" in out and "backward df/db = 0" in out


def test_explain_past_the_limit_says_how_many_paths_there_are(capsys):
    expr = "x"
    for _ in range(12):
        expr = f"sin({expr}) + cos({expr})"
    code, out, _ = run(capsys, "explain", expr, "x=0.3", "--limit", "3")
    assert code == 0 and "4093 more paths" in out and "factored sum" in out


def test_count_and_name(capsys):
    code, out, _ = run(capsys, "count", "(a+b)*(b+1)", "a=2", "b=1", "--name", "e")
    assert code == 0 and out.splitlines() == ["1 path from a to e", "2 paths from b to e"]


def test_an_expression_that_is_one_variable_keeps_that_variables_name(capsys):
    code, out, _ = run(capsys, "count", "x", "x=1")
    assert code == 0 and out.splitlines() == ["1 path from x to x"]
    code, out, _ = run(capsys, "explain", "x", "x=1")
    assert code == 0 and "dx/dx" in out and "df" not in out


def test_trace_prints_backwards_steps(capsys):
    code, out, _ = run(capsys, "trace", "(a+b)*(b+1)", "a=2", "b=1")
    assert code == 0
    assert "b.grad += 1 * 3" in out and "b.grad is now 5" in out and len(out.splitlines()) == 6


@pytest.mark.parametrize("edges", ["local", "contribution"])
def test_draw_writes_an_svg_with_the_variable_names(tmp_path, capsys, edges):
    path = tmp_path / "graph.svg"
    code, out, _ = run(capsys, "draw", "(a+b)*(b+1)", "a=2", "b=1", "-o", str(path), "--edges", edges,
                       "--highlight", "b")
    assert code == 0 and str(path) in out
    svg = path.read_text()
    assert svg.startswith("<?xml") and ">a<" in svg.replace(" ", "") and "b" in svg
    assert os.listdir(tmp_path) == ["graph.svg"]


def test_draw_writes_dot_source(tmp_path, capsys):
    path = tmp_path / "graph.dot"
    assert run(capsys, "draw", "a*a", "a=3", "-o", str(path))[0] == 0
    assert "digraph" in path.read_text()
    (tmp_path / "plain").write_text("")  # what any program's new file gets under the user's umask
    assert os.stat(path).st_mode == os.stat(tmp_path / "plain").st_mode  # not the temporary file's 0600


def test_draw_refuses_an_unknown_format_and_writes_nothing(tmp_path, capsys):
    code, _, err = run(capsys, "draw", "a*a", "a=3", "-o", str(tmp_path / "graph.exe"))
    assert code == 2 and "suffix" in err and os.listdir(tmp_path) == []


def test_constants_fold_and_constant_only_expressions_work(capsys):
    code, out, _ = run(capsys, "explain", "2**3 * x", "x=1")
    assert code == 0 and "backward df/dx = 8" in out


# --- what it refuses ---------------------------------------------------------------------------

def refused(capsys, expr, *values):
    code, out, err = run(capsys, "explain", "--", expr, *values)  # after --, "-a" is an expression
    assert code == 2 and out == ""
    return err


@pytest.mark.parametrize("expr,says", [
    ("a.real", "attribute access"),
    ("__import__('os').system('true')", "__import__"),
    ("'a' + a", "strings"),
    ("lambda: a", "lambdas"),
    ("a[0]", "subscripts"),
    ("[a for a in b]", "comprehensions"),
    ("{a: a}", "dicts"),
    ("(a, a)", "tuples"),
    ("exp(x=a)", "keyword arguments"),
    ("exec('1')", "calling exec"),
    ("open(a)", "calling open"),
    ("a.__class__", "attribute access"),
    ("a if a else a", "conditional"),
    ("a < 1", "comparisons"),
    ("a and a", "and/or"),
    ("(b := a)", "assignment expressions"),
    ("f'{a}'", "strings"),
    ("a // 2", "operator //"),
    ("a % 2", "operator %"),
    ("a @ a", "operator @"),
    ("~a", "unary operator"),
    ("not a", "unary operator"),
    ("__builtins__", "names starting with '_'"),
    ("True * a", "True/False"),
    ("1j * a", "complex"),
    ("exp(a, a)", "exactly one argument"),
    ("exp(*a)", "starred"),
    ("import os", "not allowed in an expression: import"),
    ("a = 1", "the last part must be the output"),
    ("a; a", "only the last part is the output"),
    ("a += 1; a", "augmented assignment"),
    ("del a; a", "not allowed in an expression: del"),
    ("c = a+1\nc*2", "separate the parts with ';'"),
    ("c, d = a, b; c", "name one node at a time"),
])
def test_forbidden_construct_is_refused_with_a_message_naming_it(capsys, expr, says):
    assert says in refused(capsys, expr, "a=1", "b=2")


def test_huge_exponent_literals_are_refused_not_computed(capsys):
    assert "overflows" in refused(capsys, "9**9**9**9 * a", "a=1")
    assert "overflows" in refused(capsys, "a**10**10", "a=2")
    assert "not finite" in refused(capsys, "1e999 * a", "a=1")
    assert "integer string conversion" in refused(capsys, "1" + "0" * 5000 + " * a", "a=1")


@pytest.mark.parametrize("expr", ["(" * 1000 + "a" + ")" * 1000, "-" * 100000 + "a", "a" + "+a" * 100000,
                                  "exp(" * 500 + "a" + ")" * 500])
def test_absurd_nesting_is_refused_without_crashing(capsys, expr):
    assert "nested" in refused(capsys, expr, "a=1")


def test_deep_but_parseable_nesting_is_evaluated_without_recursion(capsys):
    expr = "a" + "+a" * 2000
    code, out, _ = run(capsys, "count", expr, "a=1")
    assert code == 0 and out.strip() == "2001 paths from a to f"


def test_a_missing_variable_names_itself(capsys):
    assert "the variable c has no value: add c=VALUE" in refused(capsys, "a*c", "a=1")


@pytest.mark.parametrize("values,says", [
    (["a"], "VAR=VALUE"), (["a=x"], "not a number"), (["a=nan"], "finite"), (["a=inf"], "finite"),
    (["a=1", "a=2"], "given twice"), (["1a=1"], "VAR=VALUE"), (["_a=1"], "VAR=VALUE"),
])
def test_bad_assignments_are_refused(capsys, values, says):
    assert says in refused(capsys, "a*2", *values)


def test_an_expression_without_variables_has_nothing_to_explain(capsys):
    assert "no variables" in refused(capsys, "2*3")


def test_an_unknown_wrt_names_the_variables_there_are(capsys):
    code, _, err = run(capsys, "explain", "a*b", "a=1", "b=2", "--wrt", "c")
    assert code == 2 and "no variable or named node c" in err and "a, b" in err


def test_an_unknown_highlight_is_named_as_the_option_given(tmp_path, capsys):
    code, _, err = run(capsys, "draw", "a*b", "a=1", "b=2", "-o", str(tmp_path / "g.dot"), "--highlight", "c")
    assert code == 2 and "--highlight c: the expression has no variable or named node c" in err
    assert not (tmp_path / "g.dot").exists()


def test_domain_errors_exit_2_with_the_engines_message(capsys):
    assert "division of 1.0 by zero (node 'a')" in refused(capsys, "1/a", "a=0")
    assert "log" in refused(capsys, "log(a)", "a=-1")


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["frobnicate", "a"])
    assert e.value.code == 2


# --- draw's files and Graphviz's time ------------------------------------------------------------

@pytest.mark.parametrize("where", ["missing/graph.svg", "folder.svg"])
def test_a_draw_that_cannot_write_names_the_output_not_a_temporary_file(tmp_path, capsys, where):
    (tmp_path / "folder.svg").mkdir()
    target = str(tmp_path / where)
    code, _, err = run(capsys, "draw", "a*b", "a=1", "b=2", "-o", target)
    assert code == 1 and f"cannot write {target}" in err and ".draw-" not in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.svg"]


def fake_dot(tmp_path, monkeypatch, script):
    bin = tmp_path / "bin"
    bin.mkdir()
    if script is not None:
        (bin / "dot").write_text("#!/bin/sh\n" + script)
        (bin / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin))


def test_a_layout_that_takes_too_long_is_stopped_and_says_what_to_do(tmp_path, capsys, monkeypatch):
    fake_dot(tmp_path, monkeypatch, f"exec {shutil.which('sleep')} 60\n")  # a dot that never finishes
    code, _, err = run(capsys, "draw", "a*b", "a=1", "b=2", "-o", str(tmp_path / "g.svg"), "--timeout", "0.5")
    assert code == 2 and "took more than 0.5 s to lay out the graph" in err and "-o FILE.dot" in err
    assert "--timeout" in err and not (tmp_path / "g.svg").exists()


def test_without_dot_the_message_says_how_to_install_it_and_dot_source_still_works(tmp_path, capsys, monkeypatch):
    fake_dot(tmp_path, monkeypatch, None)
    code, _, err = run(capsys, "draw", "a*b", "a=1", "b=2", "-o", str(tmp_path / "g.png"))
    assert code == 2 and "not installed" in err and "apt-get install graphviz" in err
    assert run(capsys, "draw", "a*b", "a=1", "b=2", "-o", str(tmp_path / "g.dot"))[0] == 0


def test_a_bad_timeout_is_refused(tmp_path, capsys):
    code, _, err = run(capsys, "draw", "a*b", "a=1", "b=2", "-o", str(tmp_path / "g.svg"), "--timeout", "0")
    assert code == 2 and "--timeout must be a positive number" in err and os.listdir(tmp_path) == []


# --- nudge -----------------------------------------------------------------------------------------

def test_nudge_prints_the_change_beside_the_paths_and_its_leftover_is_h_squared(capsys):
    from fractions import Fraction
    code, out, err = run(capsys, "nudge", "c = a+b; d = b+1; c*d", "a=2", "b=1", "--wrt", "b", "--h", "0.5,0.25",
                         "--name", "e")
    assert code == 0 and err == ""
    table = out.split("The leftover shrinks")[0]  # the first table; the product's split follows it
    rows = {line.split()[0]: line.split() for line in table.splitlines() if line.strip().startswith(("0.5 ", "0.25 "))}
    for h in (Fraction(1, 2), Fraction(1, 4)):
        # exact: e(b+h) - e(b) = (3+h)(2+h) - 6 = 5h + h^2; the two paths give h*2 and h*3
        delta, first, leftover = 5 * h + h * h, 5 * h, h * h
        cells = [Fraction(c) for c in rows[str(float(h))][1:7]]
        assert cells == [delta, first, 2 * h, 3 * h, leftover, 1], cells
    assert "b -> c -> e" in out and "b -> d -> e" in out and "cross term" in out


def test_nudge_refuses_a_zero_step_a_bad_step_and_an_input_the_output_does_not_depend_on(capsys):
    for argv, says in [(["--h", "0"], "h = 0 moves nothing"), (["--h", "0.1,x"], "--h 0.1,x: 'x' is not a number"),
                       (["--h", "inf"], "not finite"), (["--wrt", "d"], "c does not depend on d")]:
        code, out, err = run(capsys, "nudge", "c = a+b; d = b*2; c", "a=1", "b=2", *argv)
        assert code == 2 and out == "" and says in err and err.count("\n") == 1, err


def test_nudge_out_of_the_domain_names_the_step(capsys):
    code, _, err = run(capsys, "nudge", "log(a)", "a=0.05", "--h", "-0.1")
    assert code == 2 and "with a moved by h = -0.1" in err and "log of -0.05" in err


def test_a_reader_that_stops_early_gets_no_traceback():
    # `python -m autograd show ... | head -1`: head closes the pipe after one line of a 600-row table.
    names = [f"x{i}" for i in range(300)]
    p = subprocess.Popen([sys.executable, "-m", "autograd", "show", "+".join(names), *(f"{n}=1" for n in names)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    first = p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0 and "nodes below" in first.decode()
    assert "Traceback" not in err and "BrokenPipe" not in err, err
