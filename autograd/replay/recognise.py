"""Find the vector operations hidden in a one-example scalar graph (the analysis behind `Vectorized`).

A neuron is recorded as a chain of scalar nodes, z = ((b + w0*v0) + w1*v1) + ..., and a layer as
rows of such chains reading the same vector v: together they are one matrix product, z = W v + b.
The pass finds three idioms and groups isomorphic scalar nodes into vector ops (SLP-style):

  dot   a '+' chain whose terms are products w_k * v_k of a parameter leaf and a node; rows that
        read the same vector (v_0, ..., v_n-1) become one matrix W
  sum   a '+' chain of at least two terms: s = start + t_0 + ... + t_n-1
  map   the same op applied to nodes of one vector (and constants): sigmoid(z_j), (a_j - y_j), ...

Grouping is a fixpoint over vectors, run as a wavefront (Kahn's algorithm): a node is ready when
every node it reads has a place in a vector; the ready nodes are grouped by what they compute and
where their operands live, and each group becomes one new vector. What matches nothing forms a
group of one: one node, run as batched runs it. Every pass is a loop over the nodes, so the
analysis is linear in the graph's size and never recurses.
"""

DOT, SUM, MAP = "dot", "sum", "map"
# Ops whose repeats share one column. Their local derivatives are the constants 1 and -1, so the
# summed upstream g1 + g2 times d is d*g1 + d*g2 bit for bit, even for inf and nan. For any other
# op it is not: at sqrt'(0) = inf with g1 = 0, g2 = 1 eager gives inf*0 + inf*1 = nan, a shared
# column inf*(0 + 1) = inf; relu' = 0 with g1 = g2 = 1e308 gives 0, not 0*inf = nan.
SHARED = frozenset({"+", "-", "neg"})


def analyse(nodes, inputs, instructions=None):
    """The plan as plain data: (steps, sizes, vec, col).

    `steps` is a list of (kind, rows, payload) in execution order, where rows are the indices (into
    `nodes`) of the nodes the step computes, one per output column; `vec[i], col[i]` say where node i
    lives: vector 0 holds the input leaves (in `inputs` order), vector 1 the other leaves (the
    parameters, numbered in `nodes` order), vector k + 2 the output of step k. `sizes` are the widths.
    payload: map -> (op name, operand lists, one per argument: node indices or constants, per row,
    how many further nodes repeat a row's op and operands and so share its column: only for SHARED ops);
    dot -> (weights per row, the shared vector, start per row: node index, constant or None);
    sum -> (terms per row, start per row).
    `instructions`, when the tape has them, are (out, op, args) with node indices: they save a pass.
    """
    n = len(nodes)
    ops = [v.op for v in nodes]
    A, B = [None] * n, [None] * n  # an int indexes nodes; a float is a constant operand
    fan, link = [0] * n, [-1] * n  # how many edges leave each node; the '+' that reads it as _a
    for i, a, b in _operands(nodes, instructions):
        if type(a) is int:
            fan[a] += 1
            if ops[i] == "+":
                link[a] = i
        if type(b) is int:
            fan[b] += 1
        A[i], B[i] = a, b
    # leaves: inputs are vector 0 in the order given, the others vector 1 in node order
    is_input = bytearray(n)
    vec, col = [0] * n, [0] * n
    given = {id(v): k for k, v in enumerate(inputs)}
    q = 0
    for i in range(n):
        if not ops[i]:
            k = given.get(id(nodes[i]))
            if k is None:
                vec[i], col[i] = 1, q
                q += 1
            else:
                is_input[i], col[i] = 1, k
    sizes = [len(inputs), q]

    def product(t):
        # (weight, vector element) when t = w * v reads a parameter leaf w and feeds one node only.
        if ops[t] != "*" or fan[t] != 1:
            return None
        x, y = A[t], B[t]
        if type(x) is not int or type(y) is not int:
            return None
        if not ops[x] and not is_input[x]:
            return x, y
        if not ops[y] and not is_input[y]:
            return y, x
        return None

    absorbed = bytearray(n)
    chains = {}
    for i in range(n):
        if ops[i] != "+" or (fan[i] == 1 and link[i] >= 0):
            continue  # not a '+', or an inner link of a longer chain (reached from its top)
        terms, links, cur = [], [], i
        while True:
            terms.append(B[cur])
            a = A[cur]
            if type(a) is int and ops[a] == "+" and fan[a] == 1:
                links.append(a)
                cur = a
            else:
                break
        if any(type(t) is not int for t in terms):
            continue
        terms.reverse()
        start = a
        pairs = [product(t) for t in terms]
        if all(pairs):
            first = product(start) if type(start) is int else None
            if first:  # w0*v0 + w1*v1 + ...: no start, the first product is a term too
                pairs.insert(0, first)
                terms.insert(0, start)
                start = None
            for t in terms:
                absorbed[t] = 1
            chains[i] = (DOT, [w for w, _ in pairs], tuple(v for _, v in pairs), start)
        elif len(terms) >= 2:
            chains[i] = (SUM, terms, None, start)
        else:
            continue
        for k in links:
            absorbed[k] = 1

    indeg = [0] * n
    users = [None] * n
    ready = []
    for i in range(n):
        if not ops[i] or absorbed[i]:
            continue
        ch = chains.get(i)
        if ch is None:
            deps = [x for x in (A[i], B[i]) if type(x) is int]
        else:
            deps = list(ch[2] if ch[0] == DOT else ch[1])
            if type(ch[3]) is int:
                deps.append(ch[3])
        k = 0
        for d in deps:
            if ops[d]:
                k += 1
                if users[d] is None:
                    users[d] = [i]
                else:
                    users[d].append(i)
        indeg[i] = k
        if not k:
            ready.append(i)

    steps = []

    def src(x):
        return "c" if type(x) is float else None if x is None else vec[x]

    while ready:
        groups = {}
        for i in ready:
            ch = chains.get(i)
            if ch is None:
                key = (MAP, ops[i], src(A[i]), src(B[i]))
            elif ch[0] == DOT:
                key = (DOT, ch[2], src(ch[3]))
            else:
                key = (SUM, len(ch[1]), src(ch[3]))
            g = groups.get(key)
            if g is None:
                groups[key] = [i]
            else:
                g.append(i)
        for key, rows in groups.items():
            v = len(sizes)
            merged = 0
            if key[0] == MAP and key[1] in SHARED:  # the same op on the same operands: one column (a - y twice)
                seen, unique = {}, []
                for i in rows:
                    r = seen.setdefault((A[i], B[i]), len(unique))
                    if r == len(unique):
                        unique.append(i)
                    vec[i], col[i] = v, r
                merged, rows = len(rows) - len(unique), unique
            else:
                for r, i in enumerate(rows):
                    vec[i], col[i] = v, r
            sizes.append(len(rows))
            if key[0] == MAP:
                args = [[A[i] for i in rows]] + ([[B[i] for i in rows]] if B[rows[0]] is not None else [])
                steps.append((MAP, rows, (key[1], args, merged)))
            elif key[0] == DOT:
                steps.append((DOT, rows, ([chains[i][1] for i in rows], key[1], [chains[i][3] for i in rows])))
            else:
                steps.append((SUM, rows, ([chains[i][1] for i in rows], [chains[i][3] for i in rows])))
        nxt = []
        for i in ready:
            for u in users[i] or ():
                indeg[u] -= 1
                if not indeg[u]:
                    nxt.append(u)
        ready = nxt
    return steps, sizes, vec, col


def _operands(nodes, instructions):
    """(i, a, b) for every interior node i: a, b are parent indices, float constants, or None (no b)."""
    if instructions is not None:
        for out, _, args in instructions:
            yield out, args[0], args[1] if len(args) == 2 else None
        return
    index = {v: i for i, v in enumerate(nodes)}
    for i, v in enumerate(nodes):
        if v.op:
            a, b = v._a, v._b
            yield i, index[a] if v._da is not None else a, index[b] if v._db is not None else b


def stood_for(kind, rows, payload):
    """How many scalar nodes of the graph one step computes (its rows and what they absorbed)."""
    if kind == MAP:
        return len(rows) + payload[2]
    if kind == DOT:
        weights, _, starts = payload
        return sum(2 * len(w) - (s is None) for w, s in zip(weights, starts))
    return sum(len(t) for t in payload[0])
