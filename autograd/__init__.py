"""pathgrad's engine: scalar reverse-mode automatic differentiation, built to show why backprop
sums over paths. `from autograd import Value` and see the README."""
from .engine import OPS, Op, Value, enable_grad, is_grad_enabled, no_grad, topo_order
# paths: (issue 4 adds its imports here)
# functional/check: (issue 5 adds its imports here)
# draw: (issue 8 adds its imports here)
# compile: (issue 6 adds its imports here)
# anomaly: (issue 7 adds its imports here)
