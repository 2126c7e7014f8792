"""What the command line says to a student: named intermediate nodes, a hint for each usual slip, and
warnings for values nobody uses and for the two ends of a derivative given the wrong way round."""
import os
import stat
import sys

import pytest

from autograd import OPS, Op, Value, register_op, unregister_op
from autograd.__main__ import main
from autograd.expr import FUNCTIONS, ExpressionError, build

ERROR, WARNING = "python -m autograd: error: ", "python -m autograd: warning: "


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def refusal(capsys, *argv):
    """The one line a refusal prints, after checking it is one line on stderr with exit code 2."""
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.startswith(ERROR) and err.count("\n") == 1, (code, out, err)
    return err[len(ERROR):].strip()


# --- named intermediate nodes ----------------------------------------------------------------

def test_named_parts_become_labels_so_explain_says_c_and_d(capsys):
    code, out, err = run(capsys, "explain", "c = a+b; d = b+1; c*d", "a=2", "b=1", "--wrt", "b")
    assert code == 0 and err == ""
    # de/db = d * dc/db + c * dd/db = 2*1 + 3*1 (Olah's example)
    assert "b -> c -> f  1 * 2    2" in out and "b -> d -> f  1 * 3    3" in out and "backward df/db = 5" in out


def test_a_named_node_is_a_valid_wrt_and_of(capsys):
    code, out, _ = run(capsys, "explain", "c = a+b; d = b+1; c*d", "a=2", "b=1", "--wrt", "c")
    assert code == 0 and "1 path from c to f" in out and "backward df/dc = 2" in out  # d = 2
    code, out, _ = run(capsys, "count", "c = a+b; d = b+1; e = c*d; e", "a=2", "b=1", "--of", "c")
    assert code == 0 and out.splitlines() == ["1 path from a to c", "1 path from b to c"]


def test_the_output_keeps_its_own_name_when_it_has_one(capsys):
    code, out, _ = run(capsys, "count", "c = a+b; e = c*c; e", "a=2", "b=1")
    assert code == 0 and out.splitlines() == ["2 paths from a to e", "2 paths from b to e"]


@pytest.mark.parametrize("expr,says", [
    ("c = a+b; c = c*2; c", "c is named twice"),
    ("d*2; d = a", "only the last part is the output"),
    ("c = d*2; d = a+1; c", "d is used before it is named"),
    ("c = 2*3; c*a", "c = 2*3 is a constant; give it as a value, c=6"),
    ("c = a; c*2", "c would be another name for a; write a"),
    ("a = b+1; a*2", "a is given a value (a=...) and also named"),
    ("tanh = a+1; tanh*2", "tanh is a function"),
    ("_c = a+1; _c", "names starting with '_'"),
])
def test_bad_names_are_refused_saying_what_to_do(capsys, expr, says):
    assert says in refusal(capsys, "count", expr, "a=1", "b=2")


# --- hints -----------------------------------------------------------------------------------

@pytest.mark.parametrize("expr,says", [
    ("a^2", "the operator ^ is not allowed; for a power write a**2"),
    ("(a+b)^3", "for a power write (a+b)**3"),
    ("a²", "for a power write **2"),
    ("2b + a", "invalid decimal literal; write 2*b"),
    ("0.5a", "write 0.5*a"),
    ("2(a+b)", "to multiply, write 2*(a+b)"),
    ("a(b+1)", "to multiply, write a*(b+1)"),
    ("(a+b)(a-b)", "to multiply, write (a+b)*(a-b)"),
    ("tahn(a)", "calling tahn is not allowed; did you mean tanh?"),
    ("sigmod(a)", "did you mean sigmoid?"),
    ("Exp(a)", "did you mean exp?"),
    ("ln(a)", "did you mean log?"),
    ("math.exp(a)", "write exp(a), without math."),
    ("e**a", "e is not Euler's number here; use exp(a)"),
    ("e**(2*a)", "use exp(2*a)"),
    ("2*e", "the variable e has no value: add e=VALUE; e is not Euler's number here: for e**x write exp(x)"),
    ("tanh*a", "tanh is a function: write tanh(x)"),
    ("alhpa*a", "the variable alhpa has no value: add alhpa=VALUE; did you mean alpha?"),
])
def test_each_usual_slip_gets_a_hint(capsys, expr, says):
    assert says in refusal(capsys, "explain", "--", expr, "a=1", "b=2", "alpha=3")


def test_e_with_a_value_is_a_variable_like_any_other(capsys):
    code, out, _ = run(capsys, "explain", "e**a", "e=2", "a=3", "--wrt", "a")
    assert code == 0 and "backward df/da = 5.54518" in out  # 2**3 * ln 2 = 5.545177...


def test_a_hexadecimal_slip_is_not_read_as_a_product(capsys):
    assert "write 0*" not in refusal(capsys, "count", "0x1g + a", "a=1")


def test_a_source_excerpt_over_two_lines_still_gives_one_line(capsys):
    refusal(capsys, "count", "(a\n+b)(a)", "a=1", "b=2")


# --- warnings --------------------------------------------------------------------------------

def test_a_value_the_expression_does_not_use_is_a_warning_not_an_error(capsys):
    code, out, err = run(capsys, "count", "a*2", "a=1", "b=2")
    assert code == 0 and out == "1 path from a to f\n"
    assert err == WARNING + "b=2.0 is not used: the expression has no variable b\n"


def test_a_named_node_the_output_does_not_use_is_a_warning(capsys):
    code, _, err = run(capsys, "count", "c = a+1; d = a*2; c", "a=1")
    assert code == 0 and err == WARNING + "d is named but the output does not use it\n"


def test_swapped_ends_say_which_way_round_they_go(capsys):
    code, out, err = run(capsys, "explain", "c = a+b; d = b+1; e = c*d; e", "a=2", "b=1", "--of", "b", "--wrt", "e")
    assert code == 0 and "0 paths from e to b" in out
    assert err == (WARNING + "b does not depend on e: there is no path from e to b; e depends on b:"
                   " did you mean --of e --wrt b?\n")


def test_zero_paths_without_a_swap_just_say_so(capsys):
    code, _, err = run(capsys, "count", "c = a+b; d = b*2; c", "a=2", "b=1", "--wrt", "d")
    assert code == 0 and "c does not depend on d: there is no path from d to c\n" in err and "did you mean" not in err


def test_an_unknown_of_names_what_there_is(capsys):
    assert "--of z: the expression has no variable or named node z (its names: a, b, c)" in refusal(
        capsys, "count", "c = a+b; c", "a=1", "b=2", "--of", "z")


# --- errors from the engine --------------------------------------------------------------------

def test_pows_message_names_its_two_nodes_once(capsys):
    msg = refusal(capsys, "count", "a**b", "a=-1", "b=0.5")
    assert msg == "'**': negative base -1.0 to the non-integer power 0.5 is not a real number (nodes 'a' and 'b')"
    assert refusal(capsys, "count", "a**a", "a=-0.5").endswith("(node 'a')")


# --- the function list is the op table ----------------------------------------------------------

def test_functions_are_the_named_ops_and_a_registered_op_is_callable_at_once(capsys):
    assert set(FUNCTIONS) == {n for n in OPS if n.isidentifier() and n != "neg"}
    assert "cube" not in FUNCTIONS
    register_op(Op("cube", 1, lambda x: x ** 3, lambda x, out: (3 * x * x,), "cube'(x) = 3 x^2"))
    try:
        assert FUNCTIONS["cube"] == 1
        code, out, _ = run(capsys, "explain", "cube(a) + a", "a=2")
        assert code == 0 and "backward df/da = 13" in out  # 3*2**2 + 1
        assert "did you mean cube?" in refusal(capsys, "count", "cuber(a)", "a=1")
    finally:
        unregister_op("cube")
    assert "cube" not in FUNCTIONS
    assert "calling cube is not allowed" in refusal(capsys, "count", "cube(a)", "a=1")


def test_a_registered_binary_op_takes_two_arguments(capsys):
    register_op(Op("hypot2", 2, lambda x, y: x * x + y * y, lambda x, y, out: (2 * x, 2 * y), "d/dx = 2x, d/dy = 2y"))
    try:
        code, out, _ = run(capsys, "explain", "hypot2(a, b) + hypot2(3, a)", "a=1", "b=2", "--wrt", "a")
        assert code == 0 and "backward df/da = 4" in out  # 2a + 2a at a = 1
        assert "hypot2() takes exactly 2 arguments, got 1" in refusal(capsys, "count", "hypot2(a)", "a=1")
    finally:
        unregister_op("hypot2")
