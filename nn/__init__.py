"""Neural networks on top of `autograd.Value`: Neuron, Layer, MLP, and what trains them."""
from .layers import ACTIVATIONS, MLP, Layer, Neuron
from .module import Module

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS"]
