"""Nielsen's notation on an `nn.MLP`, and the four equations of backpropagation checked on it.

Layers are numbered from 1 as in the book: layer 1 is the input, layer L the output, and
`model.layers[l-2]` holds the weights and biases of layer l. Neurons are numbered from 1 too:

    w^l_jk = model.layers[l-2].neurons[j-1].w[k-1]   weight from neuron k of layer l-1 to neuron j of layer l
    b^l_j  = model.layers[l-2].neurons[j-1].b
    z^l_j  = sum_k w^l_jk a^(l-1)_k + b^l_j          a^l_j = sigma(z^l_j),   a^1_k = x_k
    delta^l_j = dC/dz^l_j                            (the error of neuron j in layer l)

The four equations (ch. 2), with sigma' read from the engine's table of local derivatives:

    BP1  delta^L_j = dC/da^L_j * sigma'(z^L_j)
    BP2  delta^l_j = (sum_k w^(l+1)_kj delta^(l+1)_k) * sigma'(z^l_j)
    BP3  dC/db^l_j = delta^l_j
    BP4  dC/dw^l_jk = a^(l-1)_k delta^l_j
"""
import math
import numbers

from autograd import OPS, Value, explain

from ._bptables import BP2, BPCheck, BP2Term, Row
from .layers import MLP
from .losses import binary_cross_entropy, quadratic

__all__ = ["Nielsen", "check_bp", "BPCheck", "BP2", "COSTS"]

# The cost of one example (nn.losses, the one definition) and its gradient dC/da^L_j on floats, which
# BP1 needs spelled out.
COSTS = {
    "quadratic": (lambda a, y: quadratic(a, y, reduction="sum"),
                  lambda a, y: a - y),
    "cross-entropy": (lambda a, y: binary_cross_entropy(a, y, reduction="sum", logits=False),
                      lambda a, y: (a - y) / (a * (1.0 - a))),
}


class Nielsen:
    """An MLP seen in Nielsen's notation; all indices are 1-based and layer 1 is the input layer.

    `net.w(l, j, k)` is w^l_jk, `net.b(l, j)` is b^l_j. After `net.forward(x)` (which runs the model's
    own layers and returns the outputs a^L), `net.z(l, j)` and `net.a(l, j)` are the recorded Values
    z^l_j and a^l_j (a^1_k = x_k, as given), and after backward from a cost, `net.delta(l, j)` is
    delta^l_j = dC/dz^l_j = z^l_j.grad.
    """

    def __init__(self, model):
        if not isinstance(model, MLP):
            raise TypeError(f"Nielsen's notation needs an nn.MLP, got {type(model).__name__}: {model!r:.60}")
        self.model = model
        self.L = len(model.layers) + 1
        self.sizes = [model.nin] + [len(layer.neurons) for layer in model.layers]
        self._z = self._a = None

    def _check(self, l, j=1, k=None, first=2):
        if type(l) is not int or not first <= l <= self.L:
            raise IndexError(f"layer l={l!r} out of range: layers are numbered {first}..{self.L} here"
                             f" (1-based, layer 1 is the input)")
        if type(j) is not int or not 1 <= j <= self.sizes[l - 1]:
            raise IndexError(f"neuron j={j!r} out of range: layer {l} has neurons 1..{self.sizes[l - 1]}")
        if k is not None and (type(k) is not int or not 1 <= k <= self.sizes[l - 2]):
            raise IndexError(f"k={k!r} out of range: layer {l - 1} has neurons 1..{self.sizes[l - 2]}")

    def w(self, l, j, k):
        """w^l_jk (1-based; layer 1 is the input): the weight from neuron k of layer l-1 to neuron j of layer l."""
        self._check(l, j, k)
        return self.model.layers[l - 2].neurons[j - 1].w[k - 1]

    def b(self, l, j):
        """b^l_j (1-based; layer 1 is the input): the bias of neuron j of layer l, for l = 2..L."""
        self._check(l, j)
        return self.model.layers[l - 2].neurons[j - 1].b

    def activation(self, l):
        """The name of sigma in layer l (1-based, l = 2..L): 'sigmoid', 'tanh', 'relu' or 'linear'."""
        self._check(l)
        return self.model.layers[l - 2].activation

    def forward(self, x):
        """Run the model's layers on x, recording z^l_j and a^l_j (1-based); returns [a^L_1, ...].

        The graph is the model's own: a^l_j is what the layer returns, and z^l_j is the activation
        node's argument (or a^l_j itself for a linear layer, where sigma is the identity).
        """
        a = list(x)
        zs, acts = [None], [a]
        for layer in self.model.layers:
            out = layer(a)
            a = [out] if type(out) is Value else out
            zs.append(a if layer.activation == "linear" else [v.parents[0] for v in a])
            acts.append(a)
        self._z, self._a = zs, acts
        return a

    def _recorded(self, table, l, j, first):
        if table is None:
            raise RuntimeError("nothing recorded yet: call forward(x) first")
        self._check(l, j, first=first)
        return table[l - 1][j - 1]

    def z(self, l, j):
        """z^l_j = sum_k w^l_jk a^(l-1)_k + b^l_j from the last forward (1-based, l = 2..L)."""
        return self._recorded(self._z, l, j, 2)

    def a(self, l, j):
        """a^l_j = sigma(z^l_j) from the last forward (1-based; a^1_j = x_j, as given)."""
        return self._recorded(self._a, l, j, 1)

    def delta(self, l, j):
        """delta^l_j = dC/dz^l_j (1-based, l = 2..L): z^l_j.grad after backward from the cost."""
        return self.z(l, j).grad

    def sigma_prime(self, l, j):
        """sigma'(z^l_j) (1-based), read from the engine's table of local derivatives at the recorded z."""
        act = self.activation(l)
        if act == "linear":
            return 1.0
        a = self.a(l, j)
        return OPS[act].derivs(self.z(l, j).data, a.data)[0]

    def cost(self, y, cost="quadratic"):
        """C for targets y on the recorded outputs: quadratic C = 1/2 sum_j (a^L_j - y_j)^2, or
        cross-entropy C = -sum_j [y_j ln a^L_j + (1 - y_j) ln(1 - a^L_j)]. y: a list, or a number for one output."""
        if cost not in COSTS:
            raise ValueError(f"unknown cost {cost!r}; known: {', '.join(COSTS)}")
        if self._a is None:
            raise RuntimeError("nothing recorded yet: call forward(x) first")
        out, y = self._a[-1], _targets(y)
        if len(y) != len(out):
            raise ValueError(f"cost: {len(out)} outputs but {len(y)} targets")
        c = COSTS[cost][0](out, y)
        c.label = "C"
        return c

    def name_nodes(self):
        """Give the network's nodes Nielsen's names, so that every table, drawing and page calls them so:
        w^l_jk and b^l_j always, and z^l_j, a^l_j as recorded by the last forward (call forward first
        to name those too). Indices are 1-based with layer 1 the input; once an index has two digits
        they are separated by a comma ('w^3_12' is j=1, k=2; 'w^3_1,12' is j=1, k=12). The names
        overwrite the nodes' labels; the inputs a^1_k are plain numbers and are not labelled."""
        sub = _sub
        for l in range(2, self.L + 1):
            for j in range(1, self.sizes[l - 1] + 1):
                self.b(l, j).label = f"b^{l}_{sub(j)}"
                for k in range(1, self.sizes[l - 2] + 1):
                    self.w(l, j, k).label = f"w^{l}_{sub(j, k)}"
                if self._z is not None:
                    self.z(l, j).label = f"z^{l}_{sub(j)}"
                    self.a(l, j).label = f"a^{l}_{sub(j)}"

    def waypoints(self):
        """The recorded activations a^l_j, l = 2..L, layer by layer: the nodes to see a network's paths
        at. explain(C, w, through=net.waypoints()) gives Nielsen's paths w -> a^l_j -> ... -> a^L_m -> C,
        each factor a neuron-to-neuron rate da^(l+1)_q/da^l_j = w^(l+1)_qj sigma'(z^(l+1)_q)."""
        if self._a is None:
            raise RuntimeError("nothing recorded yet: call forward(x) first")
        return [v for layer in self._a[1:] for v in layer]

    def bp2(self, C, l, j):
        """BP2 for neuron j of layer l (1-based, 2 <= l < L), term by term, from the paths: returns a
        `BP2` (print it). delta^l_j = dC/dz^l_j; z^l_j has one edge out, to a^l_j = sigma(z^l_j), so
        delta^l_j = sigma'(z^l_j) dC/da^l_j. Grouping the paths from a^l_j to C by their first edge
        (explain(C, a^l_j).by_first_edge()) gives one group per neuron k of layer l+1: the edge into
        the product w^(l+1)_kj a^l_j inside z^(l+1)_k, with local derivative w^(l+1)_kj, and the rest
        dC/d(that product) = dC/dz^(l+1)_k = delta^(l+1)_k (the sum adds it with local derivative 1).
        So dC/da^l_j = sum_k w^(l+1)_kj delta^(l+1)_k: BP2 is the chain rule's one step, grouped."""
        if type(l) is not int or not 2 <= l < self.L:
            raise IndexError(f"BP2 is for hidden layers l = 2..{self.L - 1} (layer {self.L} is the output: BP1),"
                             f" got l={l!r}")
        self._check(l, j)
        z, a = self.z(l, j), self.a(l, j)
        into = {id(self.w(l + 1, k, j)): k for k in range(1, self.sizes[l] + 1)}
        terms = []
        for g in explain(C, a, limit=0).by_first_edge():
            ws = [p for p in g.child.parents if p is not a]
            k = into.get(id(ws[0])) if len(ws) == 1 else None
            if k is None:
                raise ValueError(f"BP2: a^{l}_{j} has an edge that is not into a weight product of layer {l + 1}; "
                                 "is C the cost of this network's last forward?")
            terms.append(BP2Term(k, g.local, g.rest, g.subtotal, g, f"w^{l + 1}_{_sub(k, j)}", f"delta^{l + 1}_{k}"))
        terms.sort(key=lambda t: t.k)
        return BP2(l, j, self.sigma_prime(l, j), terms, explain(C, z, limit=0).grad)

def _sub(*ix):
    # Nielsen's subscripts: 'w^3_12' is j=1, k=2; once an index has two digits, commas: 'w^3_1,12'.
    return ("," if max(ix) > 9 else "").join(map(str, ix))


def _targets(y):
    """The targets y_j as a list; a plain number is the target of a network with one output."""
    return [y] if isinstance(y, numbers.Real) else list(y)


def _rel(x, y, scale):
    d = abs(x - y)
    return 0.0 if d == 0 else d / max(scale, abs(x), abs(y), math.ulp(0.0))


def check_bp(model, x, y, cost="quadratic"):
    """Check BP1-BP4 (1-based layers, layer 1 the input) on `model` for input x and target y
    (a list of y_j, or a number when the network has one output).

    Zeroes the model's grads, runs forward and backward from C, then computes the right-hand sides
    from recorded values only: dC/da^L_j from the cost's formula, sigma'(z^l_j) from the engine's
    table, deltas layer by layer from BP1 and BP2, then BP3 and BP4 from those deltas. Each is set
    beside backward's number (z.grad, b.grad, w.grad). Returns a `BPCheck` (print it; `.holds()`).
    BP2's sum can cancel, so its difference is measured against sum_k |w^(l+1)_kj delta^(l+1)_k| |sigma'|.
    """
    net, y = Nielsen(model), _targets(y)
    model.zero_grad()
    net.forward(x)
    C = net.cost(y, cost)
    C.backward()
    L, rows = net.L, []
    grad_a = COSTS[cost][1]
    delta = {}
    for j in range(1, net.sizes[-1] + 1):
        d = grad_a(net.a(L, j).data, float(y[j - 1])) * net.sigma_prime(L, j)
        delta[L, j] = d
        rows.append(Row("BP1", f"delta^{L}_{j}", net.delta(L, j), d, _rel(net.delta(L, j), d, 0.0)))
    for l in range(L - 1, 1, -1):
        for j in range(1, net.sizes[l - 1] + 1):
            terms = [net.w(l + 1, k, j).data * delta[l + 1, k] for k in range(1, net.sizes[l] + 1)]
            sp = net.sigma_prime(l, j)
            d = sum(terms) * sp
            delta[l, j] = d
            scale = sum(abs(t) for t in terms) * abs(sp)
            rows.append(Row("BP2", f"delta^{l}_{j}", net.delta(l, j), d, _rel(net.delta(l, j), d, scale)))
    for l in range(2, L + 1):
        for j in range(1, net.sizes[l - 1] + 1):
            g = net.b(l, j).grad
            rows.append(Row("BP3", f"dC/db^{l}_{j}", g, delta[l, j], _rel(g, delta[l, j], 0.0)))
    for l in range(2, L + 1):
        for j in range(1, net.sizes[l - 1] + 1):
            for k in range(1, net.sizes[l - 2] + 1):
                g = net.w(l, j, k).grad
                a = net.a(l - 1, k)
                rhs = (a.data if isinstance(a, Value) else a) * delta[l, j]
                rows.append(Row("BP4", f"dC/dw^{l}_{j}{k}", g, rhs, _rel(g, rhs, 0.0)))
    return BPCheck(rows, C.data)
