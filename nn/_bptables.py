"""The tables that nn.nielsen prints: BP2 term by term for one neuron (`BP2`), and BP1-BP4 with both
sides of each equation (`BPCheck`). They hold numbers only; nn.nielsen computes them."""
from collections import namedtuple

__all__ = ["BP2", "BP2Term", "BPCheck", "Row"]

Row = namedtuple("Row", "equation symbol backward explicit error")
BP2Term = namedtuple("BP2Term", "k weight delta subtotal group weight_name delta_name")
BP2Term.__doc__ = ("One term of BP2 for neuron (l, j): weight = w^(l+1)_kj (the edge's local derivative), "
                   "delta = delta^(l+1)_k (the group's rest), subtotal = weight * delta; group = the `Group`; "
                   "weight_name, delta_name: 'w^3_21', 'delta^3_2' (Nielsen's names of the two factors).")


class BP2:
    """BP2 for neuron j of layer l from the grouped paths (see `Nielsen.bp2`): `terms` (one `BP2Term`
    per neuron k of layer l+1), `sum` = sum_k w^(l+1)_kj delta^(l+1)_k = dC/da^l_j, `sigma_prime` =
    sigma'(z^l_j), `delta` = sigma_prime * sum, `backward` = dC/dz^l_j by reverse accumulation."""

    def __init__(self, l, j, sigma_prime, terms, backward):
        self.l, self.j, self.sigma_prime, self.terms, self.backward = l, j, sigma_prime, terms, backward
        self.sum = sum(t.subtotal for t in terms)
        self.delta = sigma_prime * self.sum

    def __str__(self):
        l, j, m = self.l, self.j, self.l + 1
        rows = [("k", f"first edge out of a^{l}_{j}", f"w^{m}_k{j} (local)", f"delta^{m}_k (rest)",
                 f"w^{m}_k{j} * delta^{m}_k (subtotal)")]
        for t in self.terms:
            rows.append((str(t.k), f"a^{l}_{j} -> w^{m}_{t.k}{j} * a^{l}_{j} (in z^{m}_{t.k})", f"{t.weight:+.6f}",
                         f"{t.delta:+.6e}", f"{t.subtotal:+.6e}"))
        wide = [max(len(r[i]) for r in rows) for i in range(5)]
        out = [f"BP2 for neuron {j} of layer {l}: delta^{l}_{j} = sigma'(z^{l}_{j}) * sum_k w^{m}_k{j} delta^{m}_k",
               f"z^{l}_{j} has one edge out, to a^{l}_{j} = sigma(z^{l}_{j}), local sigma'(z^{l}_{j}) = "
               f"{self.sigma_prime:+.6f}; the paths from a^{l}_{j} to C,",
               f"grouped by their first edge, give one group per neuron k of layer {m}:"]
        out += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, wide)).rstrip() for r in rows]
        out.append(f"  sum_k w^{m}_k{j} delta^{m}_k = dC/da^{l}_{j} = {self.sum:+.15e}")
        out.append(f"  delta^{l}_{j} = sigma'(z^{l}_{j}) * sum = {self.delta:+.15e}")
        out.append(f"  backward's dC/dz^{l}_{j}          = {self.backward:+.15e}")
        return "\n".join(out)

    __repr__ = __str__

    def _repr_html_(self):  # Jupyter's rich display, loaded only there
        from autograd.explore.html import bp2_html
        return bp2_html(self)


class BPCheck:
    """BP1-BP4 on one example: each row holds backward's number and the equation's right-hand side
    computed from recorded values, and their relative difference. str() prints the table."""

    def __init__(self, rows, cost_value):
        self.rows, self.cost = rows, cost_value

    @property
    def worst(self):
        """The largest relative difference over all rows."""
        return max(r.error for r in self.rows)

    def holds(self, rtol=1e-12):
        """True when every equation holds to `rtol`, relative."""
        return self.worst <= rtol

    def summary(self):
        """The table cut to the first row of each equation, each followed by how many more rows hold."""
        return self._table(first_only=True)

    def __str__(self):
        return self._table(first_only=False)

    def _table(self, first_only):
        head = ("eq.", "quantity", "backward (left side)", "equation (right side)", "rel. diff")
        cells, shown = [head], set()
        for r in self.rows:
            if first_only and r.equation in shown:
                continue
            shown.add(r.equation)
            cells.append((r.equation, r.symbol, f"{r.backward:.15g}", f"{r.explicit:.15g}", f"{r.error:.1e}"))
            if first_only:
                same = [q for q in self.rows if q.equation == r.equation]
                if len(same) > 1:
                    worst = max(q.error for q in same)
                    cells.append(("", f"... {len(same) - 1} more", "", "", f"<= {worst:.1e}"))
        wide = [max(len(c[i]) for c in cells) for i in range(5)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, wide)).rstrip() for row in cells]
        lines.insert(1, "  ".join("-" * w for w in wide))
        lines.append(f"C = {self.cost:.15g}; largest relative difference {self.worst:.1e}: "
                     f"{'all four equations hold' if self.holds() else 'NOT within 1e-12'}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self):  # Jupyter's rich display, loaded only there
        from autograd.explore.html import bpcheck_html
        return bpcheck_html(self)
