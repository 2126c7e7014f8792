"""Reading an MLP for draw_network by duck typing, and its paths at the level of neurons: which weights
and neurons a graph path (or a waypoint path of explain(..., through=)) passes, in Nielsen's names."""
from . import _drawkit as kit

MAX_ROWS = len(kit.PALETTE)


def sub(*ix):
    """Nielsen's subscript: w^2_12, but w^2_{12,3} past 9, as nn.nielsen names nodes."""
    return ("," if any(type(i) is int and i > 9 for i in ix) else "").join(map(str, ix))


def html_name(sym, l, *ix):
    return kit.html(kit.script(sym, str(l), sub(*ix)))


class Net:
    """The model's weights [(i, j, k, w)] (0-based: model.layers[i].neurons[j].w[k]), layer sizes with the
    input first, and where each parameter sits."""

    def __init__(self, model):
        try:
            self.layers = list(model.layers)
            self.sizes = [len(self.layers[0].neurons[0].w)] + [len(layer.neurons) for layer in self.layers]
            self.ws = [(i, j, k, w) for i, layer in enumerate(self.layers) for j, n in enumerate(layer.neurons)
                       for k, w in enumerate(n.w)]
            self.biases = {id(n.b): (i, j) for i, layer in enumerate(self.layers) for j, n in enumerate(layer.neurons)}
        except (AttributeError, IndexError, TypeError):
            raise TypeError(f"draw_network: expected an MLP (model.layers[i].neurons[j].w[k]), "
                            f"got {type(model).__name__}: {model!r:.60}") from None
        self.model = model
        self.ws_by_key = {(i, j, k): w for i, j, k, w in self.ws}
        self.weights = {id(w): (i, j, k) for i, j, k, w in self.ws}
        self._z = {}

    def neuron_of_z(self, v):
        """(column, j) when v is a neuron's z = ((b + w1 x1) + w2 x2) + ...: n `+` steps down the first
        operands reach the bias of a neuron with n inputs. Else None."""
        if id(v) not in self._z:
            found = None
            for nin in set(self.sizes[:-1]):
                u = v
                for _ in range(nin):
                    u = u.args[0] if u.op == "+" and type(u.args[0]) is kit.Value else None
                    if u is None:
                        break
                hit = self.biases.get(id(u)) if u is not None else None
                if hit is not None and self.sizes[hit[0]] == nin:
                    found = (hit[0] + 1, hit[1])
            self._z[id(v)] = found
        return self._z[id(v)]

    def neuron_of(self, v):
        """The neuron whose activation a^l_j is v (its z for a linear neuron), as (column, j), or None."""
        if v.op and len(v.parents) == 1 and self.neuron_of_z(v.parents[0]):
            return self.neuron_of_z(v.parents[0])
        return self.neuron_of_z(v) if v.op == "+" else None

    def name(self, node):
        c, j = node
        return f"a^{c + 1}_{sub(j + 1)}"

    def wname(self, key):
        i, j, k = key
        return f"w^{i + 2}_{sub(j + 1, k + 1)}"


class Bundle:
    """Network paths drawn as one: the weights (i, j, k) and neurons (column, j) they use, how many
    paths, and (when known) the neuron-level factors and the rate or sum of rates."""

    def __init__(self, edges, neurons, count=1, factors=None, rate=None, names=()):
        self.edges, self.neurons, self.count = edges, neurons, count
        self.factors, self.rate, self.names = factors, rate, names


def _start(net, v):
    """The parameter's first network edge and neuron, and its name."""
    if id(v) in net.weights:
        i, j, k = net.weights[id(v)]
        return [(i, j, k)], [(i, k)], (i + 1, j), net.wname((i, j, k))
    if id(v) in net.biases:
        i, j = net.biases[id(v)]
        return [], [], (i + 1, j), f"b^{i + 2}_{sub(j + 1)}"
    raise ValueError(f"draw_network: highlight: {v!r:.60} is not a weight or bias of {net.model!r:.60}")


def _all_paths(net, v):
    """Every network path of parameter v, bundled by the neuron of the next layer (BP2's groups)."""
    edges, neurons, (c, j), name = _start(net, v)
    later = net.sizes[c + 1:]
    if not later:
        return name, [Bundle(edges, neurons + [(c, j)])]
    rest_edges = [(cc - 1, q, p) for cc in range(c + 2, len(net.sizes))
                  for q in range(net.sizes[cc]) for p in range(net.sizes[cc - 1])]
    rest_neurons = [(cc, q) for cc in range(c + 2, len(net.sizes)) for q in range(net.sizes[cc])]
    count = 1
    for n in later[1:]:
        count *= n
    out = []
    for q in range(later[0]):
        mine = [e for e in rest_edges if e[0] > c + 1 or e[2] == q]
        out.append(Bundle(edges + [(c, q, j)] + mine, neurons + [(c, j), (c + 1, q)] + rest_neurons, count,
                          names=[net.name((c + 1, q))]))
    return name, out


def _from_path(net, p):
    """A graph path or a waypoint path as a Bundle of one network path, with Nielsen's factors."""
    edges, neurons, start, name = _start(net, p.nodes[0])
    seq, keep = [], set()
    for t, v in enumerate(p.nodes[1:], 1):
        n = net.neuron_of(v)
        if n is not None and (not seq or seq[-1] != n):
            nxt = p.nodes[t + 1] if t + 1 < len(p.nodes) else None
            if nxt is None or net.neuron_of(nxt) != n:  # z and then sigma(z): the activation is the later one
                seq.append(n), keep.add(id(v))
    if not seq or seq[0] != start:
        return name, Bundle(edges, neurons, names=["(not through the network)"], rate=p.rate,
                            factors=list(p.factors))
    for a, b in zip(seq, seq[1:]):
        edges.append((a[0], b[1], a[1]))
    if getattr(p, "positions", None) is None:  # a waypoint path: its factors are already per neuron
        factors = list(p.factors)
    else:
        factors = list(p.grouped(lambda v: id(v) in keep)[1])
    return name, Bundle(edges, neurons + seq, factors=factors, rate=p.rate, names=[net.name(n) for n in seq])


def rows_for(net, highlight, marks):
    """[(colour, (legend row, [Bundle]))] for draw_network's highlight=, with the legend rows added to
    marks and the start weight marked w^l_jk on its line."""
    explanation = highlight if hasattr(highlight, "paths") and hasattr(highlight, "total") else None
    if type(highlight) is kit.Value:
        name, bundles = _all_paths(net, highlight)
        total = sum(b.count for b in bundles)
        groups = [(f"through {b.names[0]}: {b.count} path{'s' if b.count > 1 else ''}" if b.names else name, [b])
                  for b in bundles]
        if len(groups) > MAX_ROWS:
            rest = [b for _, bs in groups[MAX_ROWS - 1:] for b in bs]
            groups[MAX_ROWS - 1:] = [(f"through {rest[0].names[0]} … {rest[-1].names[0]}: "
                                      f"{sum(b.count for b in rest)} paths ({len(rest)} groups)", rest)]
        lead = f"{name} has {total} network path{'s' if total > 1 else ''}" + (
            f", coloured by the neuron of the next layer they pass (BP2 sums over those)" if len(groups) > 1 else "")
        first = highlight
    else:
        items = list(explanation.paths) if explanation is not None else (
            [highlight] if hasattr(highlight, "nodes") else list(highlight))
        if not items:
            raise ValueError("draw_network: highlight: no paths to draw")
        found = [_from_path(net, p) for p in items]
        name, bundles = found[0][0], [b for _, b in found]
        first = items[0].nodes[0]
        cost = "C"
        if len(bundles) <= MAX_ROWS:
            groups = [(f"{' → '.join([name] + b.names + [cost])}: {_product(b.factors)} = {kit.num(b.rate)}", [b])
                      for b in bundles]
        else:
            by = {}
            for b in bundles:
                by.setdefault(tuple(b.names[1:2]) or tuple(b.names[:1]), []).append(b)
            groups = [(f"through {key[0]}: {len(bs)} path{'s' if len(bs) > 1 else ''}, rates summing to "
                       f"{kit.num(sum(b.rate for b in bs))}", bs) for key, bs in by.items()]
            if len(groups) > MAX_ROWS:
                rest = [b for _, bs in groups[MAX_ROWS - 1:] for b in bs]
                groups[MAX_ROWS - 1:] = [(f"the other {len(groups) - MAX_ROWS + 1} groups: {len(rest)} paths, rates "
                                          f"summing to {kit.num(sum(b.rate for b in rest))}", rest)]
        lead = f"{len(bundles)} path{'s' if len(bundles) > 1 else ''} of {name}, seen at the neurons"
    for key in _start(net, first)[0]:
        marks.labels[key] = html_name("w", key[0] + 2, key[1] + 1, key[2] + 1)
    marks.legend.append((kit.rich(lead), None))
    out = []
    for n, (row, bs) in enumerate(groups):
        colour = kit.PALETTE[min(n, MAX_ROWS - 1)]
        marks.legend.append(("━━ " + kit.rich(row), colour))
        out.append((colour, (row, bs)))
    if type(highlight) is not kit.Value:
        sums = [sum(b.rate for b in bs) for _, bs in groups]
        shown = " + ".join(kit.num(s) for s in sums).replace("+ -", "- ")
        line = f"dC/d{name} = {shown}" + (f" = {kit.num(sum(sums))}" if len(sums) > 1 else "")
        if explanation is not None and kit.num(explanation.grad) != kit.num(sum(sums)):
            line += f"   (all {explanation.count} paths: {kit.num(explanation.grad)})"
        marks.legend.append((kit.rich(line), None))
    return out


def _product(factors):
    fs = [kit.num(f) for f in factors or []]
    return " × ".join(fs if len(fs) <= 7 else fs[:3] + ["…"] + fs[-3:]) or "1"
