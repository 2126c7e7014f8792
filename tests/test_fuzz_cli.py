"""Fuzzing the command line's expression parser: random text and random Python snippets never run
code, never hang, and fail only with the documented message (exit code 2).

"Never run code" is checked with a Python audit hook: while the parser works on hostile input, the
only audited events allowed are `compile` (ast.parse itself) and the import of `unicodedata` that
Python's tokenizer does for non-ASCII names. Every import, exec, open, os.system or subprocess
would be an audited event."""
import contextlib
import io
import keyword
import os
import pathlib
import signal
import subprocess
import sys
import unicodedata
import warnings

import pytest
from hypothesis import given, settings, strategies as st

from autograd import OPS, Value
from autograd.__main__ import main
from autograd.expr import FUNCTIONS, ExpressionError, build

# The CLI runs from scratch folders, so it finds this checkout through PYTHONPATH, installed or not.
ROOT = str(pathlib.Path(__file__).resolve().parent.parent)
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}

PREFIX = "python -m autograd: error: "
WARNING = "python -m autograd: warning: "
VALUES = {"a": 0.5, "b": -1.5, "x": 2.0}
DOMAIN = (ValueError, ZeroDivisionError, OverflowError)  # the engine's documented op errors


# --- watching for code execution and hangs ------------------------------------------------------

_audit = {"on": False, "events": []}


def _hook(event, args):
    if _audit["on"] and not (event == "compile" or (event == "import" and args[0] == "unicodedata")):
        _audit["events"].append((event, repr(args)[:200]))


sys.addaudithook(_hook)  # audit hooks cannot be removed; this one records only inside _watched()


class Hung(Exception):
    pass


@contextlib.contextmanager
def _watched(text, seconds=20):
    """No audited event, no warning (Python's parser warns on stderr, e.g. for `1if`), no hang."""
    def alarm(*_):
        raise Hung(f"the parser took over {seconds} s on {text!r:.200}")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    _audit["events"].clear()
    _audit["on"] = True
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        _audit["on"] = False
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert _audit["events"] == [], f"{text!r:.200} triggered {_audit['events']}"
    assert [str(w.message) for w in caught] == [], f"{text!r:.200} printed warnings"


# --- inputs -------------------------------------------------------------------------------------

PAYLOADS = [
    "__import__('os').system('touch SENTINEL')", "open('SENTINEL', 'w')", "exec('import os')",
    "eval('1')", "globals()", "().__class__.__bases__[0].__subclasses__()", "breakpoint()", "input()",
    "exit()", "print(1)", "getattr(a, 'data')", "a.__class__", "compile('1', 'f', 'eval')",
    "vars()", "(lambda: 1)()", "[c for c in ()]", "{**{}}", "f'{a}'", "b'x'", "'s'", "...", "None",
    "True", "a if b else x", "a < b", "a and b", "not a", "~a", "a @ b", "a // b", "a % b",
    "(a := 1)", "a[0]", "a[1:2]", "*a", "await a", "(yield)", "sin(x=a)", "tanh(a, b)", "_", "__x",
    "1j", "9**9**9", "1e999", "10**400", "0x10", "1_000", "\\", "\n", "#", ";import os",
    "1if a", "0x", "1_", "'\\['", "0b2", "1e",
    "c = a; c", "c = c; c", "c = a+b; c*c", "a = 1; a", "c = exec; c", "c = (d := 1); c", "; ;", "c =",
    "a^b", "2a", "2(a)", "tahn(a)", "e**a", "math.exp(a)", "a²",
]
ATOMS = ["a", "b", "x", "1", "2.5", "0", "1e-300", "1e308"] + PAYLOADS


def _snippets():
    atom = st.sampled_from(ATOMS)

    def combine(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", ".", ",", " ", "//", "|"]), inner)
            .map(lambda t: f"{t[0]}{t[1]}{t[2]}"),
            st.tuples(st.sampled_from(list(FUNCTIONS) + ["", "-", "exec", "eval", "__import__"]), inner)
            .map(lambda t: f"{t[0]}({t[1]})" if t[0] != "-" else f"-{t[1]}"),
        )
    return st.recursive(atom, combine, max_leaves=12)


def _deep():
    """Long chains: Python's parser accepts some thousands of levels, so a checker that recurses fails."""
    unit = st.sampled_from([".b", "(1)", "[1]", "+1", "*a", "**a", "-", "sin(", "(", "a.", "lambda:"])
    return st.tuples(unit, st.integers(1, 3000)).map(
        lambda t: ("a" + t[0] * t[1] + "()") if t[0] in (".b", "(1)", "[1]") else
        (t[0] * t[1] + "a" + ")" * (t[1] * t[0].count("("))) if t[0] in ("-", "sin(", "(", "lambda:") else
        ("a" + t[0] * t[1]))


texts = st.one_of(_deep(), st.text(max_size=60), st.text(alphabet="ab x()+-*/.,_[]'\"{}:=\\0123456789eE", max_size=60),
                  _snippets())


def _says_what_went_wrong(err):
    """A refusal says why; an op's domain error names the op ("'/': division of 1.0 by zero", "log of 0.0")."""
    msg = str(err)
    if isinstance(err, ExpressionError):
        return bool(msg)
    return any(f"'{name}'" in msg or msg.startswith(f"{name} of ") for name in OPS)


# --- properties ---------------------------------------------------------------------------------

@given(texts)
def test_build_on_any_text_returns_a_graph_or_refuses_and_never_runs_code(text):
    with _watched(text):
        try:
            out, leaves = build(text, VALUES)
        except (ExpressionError,) + DOMAIN as err:
            assert _says_what_went_wrong(err), f"{type(err).__name__}: {err}"
            return
    assert type(out) is Value and all(v.label == k for k, v in leaves.items())


@given(texts)
def test_cli_on_any_text_exits_0_or_2_with_the_documented_message(text):
    out, err = io.StringIO(), io.StringIO()
    with _watched(text), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["count", "--", text, "a=0.5", "b=-1.5", "x=2"])
        except SystemExit as e:  # argparse's own usage errors
            code = e.code
    if code == 0:  # stderr holds only warnings (a value the expression does not use)
        assert all(line.startswith(WARNING) for line in err.getvalue().splitlines()) and "path" in out.getvalue()
    else:
        assert code == 2, (code, err.getvalue())
        assert err.getvalue().startswith(PREFIX) and err.getvalue().count("\n") == 1, err.getvalue()
        assert "Traceback" not in err.getvalue()


identifiers = st.text(st.characters(categories=["Lu", "Ll", "Lo", "Nl"]), min_size=1, max_size=6).filter(
    lambda s: s.isidentifier() and not keyword.iskeyword(unicodedata.normalize("NFKC", s)))


@given(identifiers, st.floats(-10, 10))
def test_any_unicode_variable_name_given_a_value_is_found(name, value):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["count", "--", f"{name} * 2 + {name}", f"{name}={value!r}"])
    assert code == 0, err.getvalue()
    assert out.getvalue().startswith("2 paths from "), out.getvalue()
    assert unicodedata.normalize("NFKC", name) in out.getvalue()


@settings(max_examples=max(5, settings().max_examples // 20))
@given(_snippets())
def test_the_cli_as_a_process_refuses_hostile_snippets_with_exit_2_and_one_line(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("cli")
    proc = subprocess.run([sys.executable, "-m", "autograd", "trace", "--", text, "a=0.5", "b=-1.5", "x=2"],
                          cwd=folder, capture_output=True, text=True, timeout=60, env=ENV)
    assert not (folder / "SENTINEL").exists()
    if proc.returncode:
        assert proc.returncode == 2 and proc.stderr.startswith(PREFIX) and proc.stderr.count("\n") == 1, \
            proc.stderr
        assert proc.stdout == ""


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if "SENTINEL" in p or "import" in p])
def test_payloads_that_would_write_a_file_or_import_are_refused_and_leave_no_trace(tmp_path, payload):
    proc = subprocess.run([sys.executable, "-m", "autograd", "explain", "--", f"a + {payload}", "a=1"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, env=ENV)
    assert proc.returncode == 2 and proc.stderr.startswith(PREFIX)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("target", ["os.replace", "os.write"])
def test_a_failed_draw_write_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch, capsys, target):
    import errno
    import os
    path = tmp_path / "graph.dot"
    path.write_text("previous")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, target.split(".")[1], full)
    code = main(["draw", "a*b", "a=1", "b=2", "-o", str(path)])
    monkeypatch.undo()
    assert code == 1 and "No space left" in capsys.readouterr().err
    assert path.read_text() == "previous" and [p.name for p in tmp_path.iterdir()] == ["graph.dot"]
