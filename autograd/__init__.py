"""pathgrad's engine: scalar reverse-mode automatic differentiation, built to show why backprop
sums over paths. `from autograd import Value` and see the README."""
from ._clash import warn_if_shared

warn_if_shared(__name__, __path__[0])  # first: another package's files in this folder break what follows
from .engine import (OPS, Op, Value, enable_grad, is_grad_enabled, no_grad, register_op, topo_order,
                     unregister_op)
from .paths import Path, count_paths, node_names, nodes_between, paths
from .explain import Explanation, Group, Groups, explain
from .nudge import Nudge, NudgeRow, nudge
from .ledger import Ledger, Step, trace_backward
from .check import GradcheckError, gradcheck, gradgradcheck
from .functional import grad, hessian, jacobian, value_and_grad
from .draw import draw, draw_dot
from .draw_network import draw_network
from .text import show
from .replay import Tape
from .anomaly import detect_anomaly, install as _install_anomaly_checks
from .explore import explore

_install_anomaly_checks()

# What `from autograd import *` gives: the names above, not the submodules (`compile` would shadow the builtin).
__all__ = ["OPS", "Op", "Value", "enable_grad", "is_grad_enabled", "no_grad", "register_op", "topo_order",
           "unregister_op", "Explanation", "Ledger", "Path", "Step", "count_paths", "explain", "node_names",
           "nodes_between", "paths", "trace_backward", "Group", "Groups", "Nudge", "NudgeRow", "nudge",
           "GradcheckError", "gradcheck", "gradgradcheck", "grad", "hessian", "jacobian", "value_and_grad", "draw",
           "draw_dot", "draw_network", "show", "Tape", "detect_anomaly", "explore"]
