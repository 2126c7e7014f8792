"""Neural networks on top of `autograd.Value`: Neuron, Layer, MLP, and what trains them."""
from autograd._clash import warn_if_shared

warn_if_shared(__name__, __path__[0])  # another package named nn in this folder? say so (autograd/_clash.py)
from . import checkpoint, data, losses, optim
from .layers import ACTIVATIONS, MLP, Layer, Neuron
from .losses import binary_cross_entropy, cross_entropy, hinge, l2, mse, quadratic
from .checkpoint import load_checkpoint
from .module import Module
from .optim import SGD, Adam

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "load_checkpoint",
           "mse", "quadratic", "hinge", "binary_cross_entropy", "cross_entropy", "l2", "SGD", "Adam",
           "checkpoint", "data", "losses", "optim"]
