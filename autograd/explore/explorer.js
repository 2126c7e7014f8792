// pathgrad's explorer: one front end for the Jupyter widget (anywidget calls render) and the
// standalone page (which inlines this file and calls render with a model of its own).
// The model holds "data", exported by autograd/explore/export.py or network.py. All text from the
// graph goes in with textContent, never as markup; the SVG comes from graphviz, which escaped it.

const LIMIT = 64;  // paths listed; past it the sum is the factored one, as explain() does

function num(x) {  // as autograd.text.num: whole numbers without ".0", else 6 significant digits
  if (typeof x === "string") return x;
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x + 0);
  const [m, ex] = x.toExponential(5).split("e");
  let digits = m.replace("-", "").replace(".", ""), e = parseInt(ex, 10);
  // JS rounds a tie up, Python to even: read the exact decimal digits to tell a true tie.
  const exact = Number.isInteger(x) ? BigInt(Math.abs(x)).toString() : Math.abs(x).toFixed(100);
  const sig = exact.replace(".", "").replace(/^0+/, "");
  if (/^50*$/.test(sig.slice(6)) && Number(sig[5]) % 2 === 0) {
    digits = sig.slice(0, 6);
    const whole = exact.split(".")[0];
    e = Math.abs(x) >= 1 ? whole.length - 1 : -(exact.slice(2).search(/[1-9]/) + 1);
  }
  const sign = x < 0 ? "-" : "", strip = (t) => (t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t);
  if (e < -4 || e >= 6) return sign + strip(digits[0] + "." + digits.slice(1)) + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e));
  if (e < 0) return sign + strip("0." + "0".repeat(-e - 1) + digits);
  return sign + strip(digits.slice(0, e + 1) + "." + digits.slice(e + 1));
}
const float = (x) => (typeof x === "string" ? Number(x.replace("inf", "Infinity")) : x);
const el = (tag, attrs = {}, text) => {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  return n;
};

// The ops the page can recompute when a slider moves (forward, then local derivatives per argument).
const OPS = {
  "+": [(x, y) => x + y, () => [1, 1]], "-": [(x, y) => x - y, () => [1, -1]],
  "*": [(x, y) => x * y, (x, y) => [y, x]], "/": [(x, y) => (y === 0 ? NaN : x / y), (x, y, o) => [1 / y, -o / y]],
  "**": [(x, y) => (x < 0 && y !== Math.trunc(y)) || (x === 0 && y < 0) ? NaN : x ** y,
    (x, y, o) => [y === 0 ? 0 : x === 0 && y < 1 ? Infinity : y * x ** (y - 1), x > 0 ? o * Math.log(x) : x === 0 && y > 0 ? 0 : NaN]],
  "neg": [(x) => -x, () => [-1]], "relu": [(x) => (x > 0 || x !== x ? x : 0), (x) => [x > 0 ? 1 : 0]],
  "tanh": [Math.tanh, (x, o) => [1 - o * o]], "sigmoid": [(x) => 1 / (1 + Math.exp(-x)), (x, o) => [o * (1 - o)]],
  "exp": [Math.exp, (x, o) => [o]], "log": [(x) => (x > 0 ? Math.log(x) : NaN), (x) => [1 / x]],
  "sqrt": [(x) => (x >= 0 ? Math.sqrt(x) : NaN), (x, o) => [0.5 / o]], "abs": [Math.abs, (x) => [Math.sign(x)]],
  "sin": [Math.sin, (x) => [Math.cos(x)]], "cos": [Math.cos, (x) => [-Math.sin(x)]],
};

function pathColours(lists, palette) {
  // As the drawings colour paths: one colour each while the palette lasts; past it, one per group of
  // paths that part at the same edge (the last colour for all groups past the palette).
  const last = palette.length - 1;
  if (lists.length <= palette.length) return lists.map((p, i) => palette[i]);
  let common = 0;
  while (lists.every((p) => p.length > common && p[common] === lists[0][common])) common++;
  const group = new Map();
  return lists.map((p) => {
    if (!group.has(p[common])) group.set(p[common], group.size);
    return palette[Math.min(group.get(p[common]), last)];
  });
}

function stripes(layer, shape, colours, width) {
  // One clone of the shape per colour, dashed and offset, so an edge on k paths shows k colours.
  const n = colours.length, dash = 7;
  colours.forEach((c, i) => {
    const s = shape.cloneNode(false);
    s.removeAttribute("id");
    s.setAttribute("class", "pg-stripe");
    s.setAttribute("data-of", shape.parentNode.id);
    s.setAttribute("fill", "none");
    s.setAttribute("stroke", c);
    s.setAttribute("stroke-opacity", "1");
    s.setAttribute("stroke-width", width);
    if (n > 1) { s.setAttribute("stroke-dasharray", `${dash} ${dash * (n - 1)}`); s.setAttribute("stroke-dashoffset", `${-dash * i}`); }
    layer.appendChild(s);
  });
}

function grow(svg) {  // graphviz sizes in points for print; on screen a little larger reads better
  const w = parseFloat(svg.getAttribute("width"));
  if (w) svg.style.width = `${Math.min(w * 1.8, 1100)}px`;
}

function graphView(root, d, model) {
  const nodes = d.nodes, edges = d.edges, top = d.root, palette = d.palette;
  const data = nodes.map((n) => float(n.data)), local = edges.map((e) => float(e.local));
  const into = nodes.map(() => []);  // edges by child, in parent order
  edges.forEach((e, k) => into[e.child].push(k));
  const leaves = nodes.map((n, i) => i).filter((i) => !nodes[i].op);
  let input = leaves.length ? leaves[0] : top, step = -1, timer = null, steps = [], warn = "";

  const pic = el("div", { class: "pg-pic" }), side = el("div", { class: "pg-side" });
  root.append(el("div", { class: "pg-title" }, `d${d.output}/d(node): click a node to make it the input`), pic, side);
  pic.innerHTML = d.svg;
  const svg = pic.querySelector("svg");
  grow(svg);
  const overlay = document.createElementNS("http://www.w3.org/2000/svg", "g");
  overlay.setAttribute("class", "pg-overlay");
  svg.querySelector("g").appendChild(overlay);
  const box = (i) => svg.querySelector(`#v${i}`), edge = (k) => svg.querySelector(`#e${k}`);
  const texts = (g) => g.querySelectorAll("text");

  function sweep() {  // backward: from the output down, each node's parent edges in order
    const g = nodes.map(() => 0);
    g[top] = 1;
    steps = [];
    for (let i = top; i >= 0; i--) for (const k of into[i]) {
      const c = local[k] * g[i], p = edges[k].parent;
      g[p] += c;
      steps.push({ k, child: i, parent: p, local: local[k], upstream: g[i], contribution: c, after: g[p] });
    }
    return g;
  }
  function grads(upto) {
    const g = nodes.map(() => 0);
    g[top] = 1;
    for (let s = 0; s < upto; s++) g[steps[s].parent] = steps[s].after;
    return g;
  }
  function between(x) {  // nodes on some path x -> output, and the paths (at most LIMIT)
    const from = nodes.map(() => 0n), to = nodes.map(() => false);
    from[x] = 1n;
    for (let i = x + 1; i <= top; i++) for (const k of into[i]) from[i] += from[edges[k].parent];
    to[top] = true;
    for (let i = top; i >= 0; i--) if (to[i]) for (const k of into[i]) to[edges[k].parent] = true;
    const on = nodes.map((n, i) => from[i] > 0n && to[i]);
    const list = [], chain = [];
    const walk = (i) => {  // from the output back to x; explicit stack of (node, next edge)
      const stack = [[i, 0]];
      while (stack.length && list.length < LIMIT) {
        const top2 = stack[stack.length - 1], [n, at] = top2;
        if (n === x) { list.push(chain.slice().reverse()); stack.pop(); chain.pop(); continue; }
        if (at === into[n].length) { stack.pop(); chain.pop(); continue; }
        top2[1] = at + 1;
        const k = into[n][at], p = edges[k].parent;
        if (on[p]) { chain.push(k); stack.push([p, 0]); }
      }
    };
    if (on[top]) { if (x === top) list.push([]); else walk(top); }
    return { on, list, count: on[top] ? from[top] : 0n };
  }
  function factored(x, on) {
    const s = nodes.map(() => 0);
    s[x] = 1;
    for (let i = x + 1; i <= top; i++) if (on[i]) for (const k of into[i]) s[i] += local[k] * s[edges[k].parent];
    return s[top];
  }

  const head = el("div", { class: "pg-head" }), table = el("table", { class: "pg-paths" }), foot = el("div", { class: "pg-sum" });
  const controls = el("div", { class: "pg-steps" }), said = el("div", { class: "pg-said" }), sliders = el("div", { class: "pg-sliders" });
  const legend = el("div", { class: "pg-legend" }, "coloured edges: the paths listed above; grey band: the edge of this step; dashed box: the node whose grad it adds to");
  side.append(head, table, foot, controls, said, legend, sliders);
  for (const [name, fn] of [["reset", () => 0], ["back", () => step - 1], ["step", () => (step >= steps.length ? 1 : step + 1)], ["end", () => steps.length]]) {
    const b = el("button", { class: `pg-${name}` }, name);
    b.onclick = () => { stop(); go(fn()); };
    controls.append(b);
  }
  const play = el("button", { class: "pg-play" }, "play");
  play.onclick = () => { if (timer) return stop(); if (step >= steps.length) go(0); timer = setInterval(() => (step < steps.length ? go(step + 1) : stop()), 700); play.textContent = "pause"; };
  controls.append(play);
  function stop() { if (timer) clearInterval(timer); timer = null; play.textContent = "play"; }
  function go(s) { step = Math.max(0, Math.min(steps.length, s)); paint(); }

  function paint() {
    const g = grads(step);
    nodes.forEach((n, i) => {
      const t = texts(box(i));
      t[t.length - 2].textContent = `data ${num(data[i])}`;
      const gt = t[t.length - 1];
      gt.textContent = `grad ${num(g[i])}`;
      gt.setAttribute("data-value", String(g[i]));
      box(i).classList.toggle("pg-input", i === input);
    });
    edges.forEach((e, k) => { const t = texts(edge(k)); if (t.length) t[t.length - 1].textContent = num(local[k]); });
    const { on, list, count } = between(input);
    overlay.textContent = "";
    const colours = edges.map(() => []), pc = pathColours(list, palette);
    list.forEach((p, i) => p.forEach((k) => { if (!colours[k].includes(pc[i])) colours[k].push(pc[i]); }));
    edges.forEach((e, k) => {
      edge(k).classList.toggle("pg-on", on[e.parent] && on[e.child]);  // x -> .. -> parent -> child -> .. -> y
      if (colours[k].length) stripes(overlay, edge(k).querySelector("path"), colours[k], 3);
    });
    nodes.forEach((n, i) => box(i).classList.toggle("pg-on", on[i]));
    const cur = step > 0 ? steps[step - 1] : null;
    edges.forEach((e, k) => edge(k).classList.toggle("pg-current", !!cur && cur.k === k));
    nodes.forEach((n, i) => box(i).classList.toggle("pg-current", !!cur && cur.parent === i));
    const x = nodes[input].name, y = d.output;
    head.textContent = `d${y}/d${x}: ${count} path${count === 1n ? "" : "s"} from ${x} to ${y}`;
    table.textContent = "";
    table.append(rowOf("th", ["", "path", "factors", "rate"]));
    let total = 0;
    list.forEach((p, i) => {
      const f = p.map((k) => local[k]), rate = f.reduce((a, b) => a * b, 1);
      total += rate;
      const names = [x, ...p.map((k) => nodes[edges[k].child].name)];
      const r = rowOf("td", ["", names.join(" → "), f.map(num).join(" × ") || "(none)", num(rate)]);
      r.className = "pg-path";
      r.setAttribute("data-edges", p.join(" "));
      r.firstChild.append(el("span", { class: "pg-swatch", style: `background:${pc[i]}` }));
      table.append(r);
    });
    const complete = BigInt(list.length) === count;
    if (!complete) { total = factored(input, on); table.append(rowOf("td", ["", `… and ${count - BigInt(list.length)} more paths`, "", ""])); }
    const full = sweep()[input];
    foot.textContent = "";
    const part = (cls, text, v) => { const s = el("span", { class: cls }, text); if (v !== undefined) s.setAttribute("data-value", String(v)); foot.append(s); };
    part("pg-total", `${complete ? "sum of rates" : "factored sum"} = ${num(total)}`, total);
    part("pg-grad", `backward d${y}/d${x} = ${num(full)}`, full);
    part("pg-diff", `difference = ${num(Math.abs(total - full) || 0)}`);
    said.textContent = cur ? `step ${step} of ${steps.length}: ${nodes[cur.parent].name}.grad += ${num(cur.local)} × ${num(cur.upstream)}`
      + `  (from ${nodes[cur.child].name}) = ${num(cur.contribution)}; ${nodes[cur.parent].name}.grad is now ${num(cur.after)}`
      : `step 0 of ${steps.length}: ${y}.grad = 1 (the seed); press step to run backward one += at a time`;
    said.setAttribute("data-step", String(step));
    if (warn) said.textContent += `  (${warn})`;
  }
  function rowOf(tag, cells) { const r = el("tr"); cells.forEach((c) => r.append(el(tag, {}, c))); return r; }

  svg.addEventListener("click", (ev) => {
    const g = ev.target.closest("g.node");
    if (!g) return;
    input = Number(g.id.slice(1));
    paint();
  });
  const known = nodes.every((n) => !n.op || n.op in OPS);
  leaves.forEach((i) => {
    const v = data[i], span = Math.max(1, Math.abs(v)) * 2;
    const s = el("input", { type: "range", min: v - span, max: v + span, step: span / 200, value: v, "data-node": i });
    const label = el("label", { class: "pg-slider" });
    const shown = el("span", {}, `${nodes[i].name} = ${num(v)}`);
    label.append(shown, s);
    s.disabled = !known && !model.get("live");
    s.oninput = () => { shown.textContent = `${nodes[i].name} = ${num(Number(s.value))}`; move(i, Number(s.value)); };
    sliders.append(label);
  });
  if (!known && !model.get("live")) sliders.append(el("div", { class: "pg-note" }, "an op of this graph is not one the page can recompute: sliders are off"));
  function move(i, v) {
    if (model.get("live")) { model.set("values", { ...model.get("values"), [i]: v }); model.save_changes(); return; }
    const nd = data.slice(), nl = local.slice();
    nd[i] = v;
    warn = "";
    nodes.forEach((n, j) => {
      if (!n.op) return;
      const args = n.args.map(([kind, a]) => (kind === "n" ? nd[a] : float(a)));
      const [fwd, der] = OPS[n.op], out = fwd(...args);
      if (Number.isNaN(out) && !args.some(Number.isNaN) && !warn) warn = `${n.op} is not defined at ${args.map(num).join(", ")} (node ${n.name})`;
      nd[j] = out;
      const ds = der(...args, out);
      let at = 0;
      n.args.forEach(([kind], a) => { if (kind === "n") nl[into[j][at++]] = ds[a]; });
    });
    nd.forEach((x, j) => (data[j] = x));
    nl.forEach((x, k) => (local[k] = x));
    sweep();
    if (step > steps.length) step = steps.length;
    paint();
  }
  sweep();
  step = steps.length;
  paint();
}

function networkView(root, d) {
  const palette = d.palette, byId = {};
  for (const w of d.weights) byId[w.id] = w;
  for (const n of d.neurons) byId[n.id] = n;
  const pic = el("div", { class: "pg-pic" }), side = el("div", { class: "pg-side" });
  root.append(el("div", { class: "pg-title" }, `C = ${num(float(d.cost))} (${d.costname} cost): click a weight for its paths, a neuron for its error`), pic, side);
  pic.innerHTML = d.svg;
  const svg = pic.querySelector("svg");
  grow(svg);
  const overlay = document.createElementNS("http://www.w3.org/2000/svg", "g");
  overlay.setAttribute("class", "pg-overlay");
  svg.insertBefore(overlay, svg.querySelector("circle"));
  const head = el("div", { class: "pg-head" }), table = el("table", { class: "pg-paths" }), foot = el("div", { class: "pg-sum" });
  side.append(head, table, foot);
  const row = (tag, cells, colour) => {
    const r = el("tr");
    cells.forEach((c) => r.append(el(tag, {}, c)));
    if (colour) r.firstChild.append(el("span", { class: "pg-swatch", style: `background:${colour}` }));
    table.append(r);
    return r;
  };
  const light = (ids) => svg.querySelectorAll(".weight, .neuron").forEach((x) => x.classList.toggle("pg-on", ids.has(x.id)));
  function weight(w) {
    const lit = new Map();  // line id -> colours of the paths through it
    const add = (id, c) => { const cs = lit.get(id) || []; if (!cs.includes(c)) lit.set(id, [...cs, c]); };
    table.textContent = "";
    row("th", ["", "path", "rate factors", "rate"]);
    let total = 0;
    const pc = pathColours(w.paths.map((p) => p.neurons.map(([l, j]) => `${l}_${j}`)), palette);
    w.paths.forEach((p, i) => {
      const c = pc[i];
      add(w.id, c);
      for (let s = 1; s < p.neurons.length; s++) add(`w${p.neurons[s][0]}_${p.neurons[s][1]}_${p.neurons[s - 1][1]}`, c);
      const names = [w.name, ...p.neurons.map(([l, j]) => byId[`n${l}_${j}`].name), "C"];
      total += float(p.rate);
      row("td", ["", names.join(" → "), p.factors.map((f) => num(float(f))).join(" × "), num(float(p.rate))], c).className = "pg-path";
    });
    head.textContent = `dC/d${w.name}: ${w.count} path${w.count === 1 ? "" : "s"} (eq. 53: the sum of their rates)`;
    sums(`sum of rates = ${num(total)}`, total, `backward dC/d${w.name} = ${num(float(w.grad))}`, float(w.grad));
    light(new Set([...lit.keys(), ...w.paths.flatMap((p) => p.neurons.map(([l, j]) => `n${l}_${j}`))]));
    overlay.textContent = "";
    for (const [id, cs] of lit) stripes(overlay, svg.querySelector(`#${id} .ink`), cs, 4);
  }
  function neuron(n) {
    table.textContent = "";
    overlay.textContent = "";
    let total;
    if (n.eq === "BP1") {
      head.textContent = `BP1: δ^${n.l}_${n.j} = ∂C/∂a^${n.l}_${n.j} · σ'(z^${n.l}_${n.j})`;
      row("th", ["", "∂C/∂a", "σ'(z)", "product"]);
      total = float(n.dcda) * float(n.sp);
      row("td", ["", num(float(n.dcda)), num(float(n.sp)), num(total)]);
      light(new Set([n.id]));
    } else {
      head.textContent = `BP2: δ^${n.l}_${n.j} = (Σ_q w^${n.l + 1}_q${n.j} δ^${n.l + 1}_q) · σ'(z^${n.l}_${n.j})`;
      row("th", ["", "term", "w × δ", "product"]);
      let s = 0;
      n.terms.forEach((t, i) => {
        const c = palette[Math.min(i, palette.length - 1)];
        s += float(t.product);
        row("td", ["", `q = ${t.q}`, `${num(float(t.w))} × ${num(float(t.delta))}`, num(float(t.product))], c).className = "pg-path";
        stripes(overlay, svg.querySelector(`#${t.wid} .ink`), [c], 4);
      });
      total = s * float(n.sp);
      row("td", ["", "× σ'(z)", `${num(s)} × ${num(float(n.sp))}`, num(total)]);
      light(new Set([n.id, ...n.terms.map((t) => t.wid), ...n.terms.map((t) => `n${n.l + 1}_${t.q}`)]));
    }
    sums(`${n.eq} gives δ = ${num(total)}`, total, `backward δ = dC/dz = ${num(float(n.delta))}`, float(n.delta));
  }
  function sums(a, av, b, bv) {
    foot.textContent = "";
    const t = el("span", { class: "pg-total" }, a), g = el("span", { class: "pg-grad" }, b);
    t.setAttribute("data-value", String(av));
    g.setAttribute("data-value", String(bv));
    foot.append(t, g, el("span", { class: "pg-diff" }, `difference = ${num(Math.abs(av - bv) || 0)}`));
  }
  svg.addEventListener("click", (ev) => {
    const t = ev.target.closest(".weight, .neuron");
    if (t) (t.classList.contains("weight") ? weight : neuron)(byId[t.id]);
  });
  weight(d.weights[0]);
}

function render({ model, el: host }) {
  const root = el("div", { class: "pg-explore" });
  host.appendChild(root);
  const draw = () => {
    root.textContent = "";
    const d = model.get("data");
    (d.kind === "network" ? networkView : graphView)(root, d, model);
  };
  draw();
  model.on("change:data", draw);
}

export default { render };
