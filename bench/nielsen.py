"""Two numpy peers for the vectorised tape, written here: Nielsen's per-example backprop, and its matrix form.

`Network.sgd_epoch` follows the algorithm of network.py in *Neural Networks and Deep Learning*
(ch. 1-2): for each mini-batch, run backprop on each example x alone, with column vectors,

    z^l = w^l a^(l-1) + b^l,  a^l = sigmoid(z^l)                       (feedforward, storing z and a)
    delta^L = (a^L - y) * sigmoid'(z^L)                                (BP1, quadratic cost)
    delta^l = ((w^(l+1))^T delta^(l+1)) * sigmoid'(z^l)                (BP2)
    dC/db^l = delta^l,  dC/dw^l = delta^l (a^(l-1))^T                  (BP3, BP4)

add the per-example gradients up, then step w <- w - (eta/m) sum_x dC_x/dw. sigmoid' is computed
from z as sigmoid(z) (1 - sigmoid(z)), as the book's code does. `MatrixNetwork` is the same
arithmetic with the m examples of a mini-batch as the rows of one matrix: one product per layer.
Both start from a pathgrad MLP's weights (`from_model`), so every engine trains the same network.
"""
import numpy as np

__all__ = ["Network", "MatrixNetwork", "sigmoid"]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Network:
    """Weights w[l] of shape (n_l, n_(l-1)) and biases b[l] of shape (n_l, 1), per layer."""

    def __init__(self, weights, biases):
        self.weights = [np.array(w, dtype=np.float64) for w in weights]
        self.biases = [np.array(b, dtype=np.float64).reshape(-1, 1) for b in biases]

    @classmethod
    def from_model(cls, model):
        """The weights of a pathgrad MLP (sigmoid layers): w[j][k] = neuron j's w[k]."""
        return cls([[[w.data for w in n.w] for n in layer.neurons] for layer in model.layers],
                   [[n.b.data for n in layer.neurons] for layer in model.layers])

    def backprop(self, x, y):
        """(dC_x/db per layer, dC_x/dw per layer) for one example, x and y column vectors."""
        a, activations, zs = x, [x], []
        for w, b in zip(self.weights, self.biases):
            z = w @ a + b
            zs.append(z)
            a = sigmoid(z)
            activations.append(a)
        s = sigmoid(zs[-1])
        delta = (activations[-1] - y) * (s * (1.0 - s))
        nb, nw = [None] * len(zs), [None] * len(zs)
        nb[-1], nw[-1] = delta, delta @ activations[-2].T
        for l in range(2, len(zs) + 1):
            s = sigmoid(zs[-l])
            delta = (self.weights[-l + 1].T @ delta) * (s * (1.0 - s))
            nb[-l], nw[-l] = delta, delta @ activations[-l - 1].T
        return nb, nw

    def gradients(self, X, Y):
        """Sum over the rows of X, Y of the per-example gradients: ([dW per layer], [db per layer])."""
        sum_b = [np.zeros(b.shape) for b in self.biases]
        sum_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in zip(X, Y):
            nb, nw = self.backprop(x.reshape(-1, 1), y.reshape(-1, 1))
            sum_b = [s + d for s, d in zip(sum_b, nb)]
            sum_w = [s + d for s, d in zip(sum_w, nw)]
        return sum_w, [b.ravel() for b in sum_b]

    def update(self, batch, eta):
        """One step on a mini-batch of (x, y) column-vector pairs: w <- w - (eta/m) sum dC_x/dw."""
        sum_b = [np.zeros(b.shape) for b in self.biases]
        sum_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in batch:
            nb, nw = self.backprop(x, y)
            sum_b = [s + d for s, d in zip(sum_b, nb)]
            sum_w = [s + d for s, d in zip(sum_w, nw)]
        k = eta / len(batch)
        self.weights = [w - k * s for w, s in zip(self.weights, sum_w)]
        self.biases = [b - k * s for b, s in zip(self.biases, sum_b)]

    def sgd_epoch(self, examples, order, m, eta):
        """One epoch over `examples` (a list of (x, y) column vectors) in the given order."""
        shuffled = [examples[i] for i in order]
        for k in range(0, len(shuffled), m):
            self.update(shuffled[k:k + m], eta)

    def predict(self, X):
        """The index of the largest output activation for each row of X."""
        a = X.T
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(w @ a + b)
        return a.argmax(axis=0)


class MatrixNetwork(Network):
    """The same step with a mini-batch as matrices: rows are examples, one product per layer and direction."""

    def update_rows(self, X, Y, eta):
        acts, zs = [X], []
        for w, b in zip(self.weights, self.biases):
            z = acts[-1] @ w.T + b.T
            zs.append(z)
            acts.append(sigmoid(z))
        delta = (acts[-1] - Y) * (acts[-1] * (1.0 - acts[-1]))
        k = eta / len(X)
        for l in range(len(zs) - 1, -1, -1):
            gw, gb = delta.T @ acts[l], delta.sum(axis=0)
            if l:
                delta = (delta @ self.weights[l]) * (acts[l] * (1.0 - acts[l]))
            self.weights[l] = self.weights[l] - k * gw
            self.biases[l] = self.biases[l] - k * gb.reshape(-1, 1)

    def sgd_epoch(self, examples, order, m, eta):
        X, Y = examples
        for k in range(0, len(order), m):
            idx = order[k:k + m]
            self.update_rows(X[idx], Y[idx], eta)
