"""Code written for micrograd runs on pathgrad with only the imports changed.

Ported, each as its source text with the micrograd import lines swapped for pathgrad's: micrograd's
README example, demo.ipynb, trace_graph.ipynb (karpathy/micrograd, commit
c911406), and the engine and training cells of the lecture "The spelled-out intro to neural networks
and backpropagation" (karpathy/nn-zero-to-hero, lectures/micrograd/micrograd_lecture_*_roughly.ipynb).
The oracles are micrograd 0.1.0 itself (installed with the test extras), run side by side on the same
text, PyTorch in float64, and the numbers those notebooks print, each cited where it is used.
micrograd's test/test_engine.py, ported the same way, is at the top of tests/test_engine.py.
"""
import random
import re

import pytest

MICROGRAD_IMPORTS = {  # micrograd's import line -> pathgrad's
    "from micrograd.engine import Value": "from autograd import Value",
    "from micrograd.nn import Neuron, Layer, MLP": "from nn import Neuron, Layer, MLP",
    "from micrograd import nn": "import nn",
}


def run(source, engine="pathgrad", namespace=None):
    """Run source text written for micrograd, on micrograd or (imports swapped) on pathgrad."""
    if engine == "pathgrad":
        for theirs, ours in MICROGRAD_IMPORTS.items():
            source = source.replace(theirs, ours)
        assert "micrograd" not in source.replace("# micrograd", "")
    ns = {} if namespace is None else namespace
    exec(compile(source, f"<{engine} cell>", "exec"), ns)
    return ns


# --- micrograd's README: "Example usage" ----------------------------------------------------------

README_EXAMPLE = """
from micrograd.engine import Value

a = Value(-4.0)
b = Value(2.0)
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + (b + a).relu()
d += 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
print(f'{g.data:.4f}') # prints 24.7041, the outcome of this forward pass
g.backward()
print(f'{a.grad:.4f}') # prints 138.8338, i.e. the numerical value of dg/da
print(f'{b.grad:.4f}') # prints 645.5773, i.e. the numerical value of dg/db
"""


def test_micrograd_readme_example_prints_what_micrograd_prints(capsys):
    ours = run(README_EXAMPLE)
    assert capsys.readouterr().out.split() == ["24.7041", "138.8338", "645.5773"]  # micrograd's README
    theirs = run(README_EXAMPLE, "micrograd")
    capsys.readouterr()
    for name in "abg":  # micrograd's / is x * y**-1, so the last bits may differ
        assert ours[name].data == pytest.approx(theirs[name].data, rel=1e-14)
        assert ours[name].grad == pytest.approx(theirs[name].grad, rel=1e-14)


# micrograd's test/test_engine.py, with only the import changed, is in tests/test_engine.py.


DEMO_LOSSES = [  # demo.ipynb, cell 7's saved output: 'step k loss ...' for k = 0..99
    0.8958441028683222, 1.7235905336972022, 0.7429006313851131, 0.7705641260584198,
    0.3692793385976538, 0.313545481918522, 0.2814234349772435, 0.26888733313983904,
    0.2567147286057417, 0.2704862551637922, 0.24507023853658053, 0.2509905529791503,
    0.21560951851922952, 0.23090378446402726, 0.20152151227899445, 0.22574506279282217,
    0.19447987596204114, 0.21089496199246363, 0.159830773563036, 0.1845374874688392,
    0.18977522856087634, 0.19072704042579647, 0.11733695088756485, 0.12173524408232454,
    0.1261571261277045, 0.16049097780801674, 0.18747197705245805, 0.16741837891059408,
    0.09586583491455399, 0.0877878370742091, 0.11731297569011848, 0.09340146460619836,
    0.12454454903103446, 0.07984002652777272, 0.07727519232921673, 0.07661250143094483,
    0.10610492379198365, 0.09062808429265976, 0.10671887043036932, 0.05225659921975849,
    0.06016009895234464, 0.08596724533333942, 0.051121079431796, 0.052401424016428284,
    0.045306841790015734, 0.07211073370655095, 0.03334238651310234, 0.03143222795751122,
    0.03658536747111507, 0.04829139382390309, 0.09875114765619622, 0.05449063965875453,
    0.03392679435708309, 0.05261517263568441, 0.03250295251424923, 0.02888327387207822,
    0.04139151104027239, 0.018987407426128502, 0.0252383352388374, 0.02079656521341895,
    0.0325971115781023, 0.017863351693480307, 0.023008717832211683, 0.022079325463581503,
    0.029432917853529684, 0.01625151464409193, 0.02846853448326446, 0.013994365546208731,
    0.015552344843651405, 0.0338911994616017, 0.014229870065926908, 0.013255281583285504,
    0.012300277590022063, 0.012676052498355976, 0.020593811955954763, 0.011845398205364453,
    0.016012697472883086, 0.025458360239222128, 0.014382930289661911, 0.011698962425817985,
    0.012318500800515763, 0.014121117031464233, 0.011664591962446225, 0.011589314549188726,
    0.010990299347735226, 0.01098922672069161, 0.010988193757655071, 0.010987200447388707,
    0.010986246779084925, 0.010985332742365272, 0.010984458327280174, 0.010983623524308862,
    0.010982828324359073, 0.010982072718767003, 0.010981356699297042, 0.010980680258141723,
    0.010980043387921506, 0.010979446081684675, 0.010978888332907229, 0.010978370135492717,
]
DEMO_ACCURACY = [  # the same output's 'accuracy ...%'
    50, 81, 77, 82, 84, 86, 89, 91, 91, 91, 91, 92, 91, 93, 92, 93, 92, 93, 94, 93, 91, 93, 97, 95, 95,
    95, 92, 95, 97, 96, 95, 97, 95, 97, 97, 98, 96, 99, 95, 98, 100, 96, 99, 97, 100, 97, 99, 100, 99, 99,
    96, 99, 100, 97, 99, 100, 98, 100, 100, 100, 99, 100, 100, 100, 99, 100, 99, 100, 100, 99, 100, 100,
] + [100] * 28

# demo.ipynb cells 1-7 (IPython's `%matplotlib inline` left out). The one change besides the imports:
# MLP(..., init="uniform"), micrograd's package init (pathgrad's default scales the weights to the fan-in).
DEMO = """
import random
import numpy as np
import matplotlib.pyplot as plt

from micrograd.engine import Value
from micrograd.nn import Neuron, Layer, MLP

np.random.seed(1337)
random.seed(1337)

# make up a dataset

from sklearn.datasets import make_moons, make_blobs
X, y = make_moons(n_samples=100, noise=0.1)

y = y*2 - 1 # make y be -1 or 1
# visualize in 2D
plt.figure(figsize=(5,5))
plt.scatter(X[:,0], X[:,1], c=y, s=20, cmap='jet')

# initialize a model 
model = MLP(2, [16, 16, 1]) # 2-layer neural network
print(model)
print("number of parameters", len(model.parameters()))
"""

DEMO_TRAIN = """
# loss function
def loss(batch_size=None):
    
    # inline DataLoader :)
    if batch_size is None:
        Xb, yb = X, y
    else:
        ri = np.random.permutation(X.shape[0])[:batch_size]
        Xb, yb = X[ri], y[ri]
    inputs = [list(map(Value, xrow)) for xrow in Xb]
    
    # forward the model to get scores
    scores = list(map(model, inputs))
    
    # svm "max-margin" loss
    losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    # L2 regularization
    alpha = 1e-4
    reg_loss = alpha * sum((p*p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    
    # also get accuracy
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
    return total_loss, sum(accuracy) / len(accuracy)

total_loss, acc = loss()
print(total_loss, acc)

# optimization
for k in range(100):
    
    # forward
    total_loss, acc = loss()
    
    # backward
    model.zero_grad()
    total_loss.backward()
    
    # update (sgd)
    learning_rate = 1.0 - 0.9*k/100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    
    if k % 1 == 0:
        print(f"step {k} loss {total_loss.data}, accuracy {acc*100}%")
"""


@pytest.fixture
def no_windows(monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


def demo_model(engine):
    source = DEMO if engine == "micrograd" else DEMO.replace("MLP(2, [16, 16, 1])", 'MLP(2, [16, 16, 1], init="uniform")')
    return run(source, engine)


def test_seed_1337_and_init_uniform_give_micrograds_exact_weights(no_windows, capsys):
    ours, theirs = demo_model("pathgrad"), demo_model("micrograd")
    assert [p.data for p in ours["model"].parameters()] == [p.data for p in theirs["model"].parameters()]
    assert (ours["X"] == theirs["X"]).all()
    out = capsys.readouterr().out
    assert out.count("number of parameters 337") == 2


def test_demo_notebook_trains_to_micrograds_losses(no_windows, capsys):
    ns = demo_model("pathgrad")
    capsys.readouterr()
    run(DEMO_TRAIN, namespace=ns)
    steps = re.findall(r"step (\d+) loss (\S+), accuracy (\S+)%", capsys.readouterr().out)
    assert [int(k) for k, _, _ in steps] == list(range(100))
    losses = [float(loss) for _, loss, _ in steps]
    # micrograd's own printout: every step's loss to 1e-12 (measured: within a few ulps)
    assert max(abs(a - b) for a, b in zip(losses, DEMO_LOSSES)) < 1e-12
    assert [float(a) for _, _, a in steps] == DEMO_ACCURACY


def test_demo_notebook_runs_with_only_the_imports_changed(no_windows, capsys):
    # pathgrad's default init (scaled to the fan-in): other starting weights, the same notebook text.
    ns = run(DEMO)
    run(DEMO_TRAIN.replace("range(100)", "range(8)"), namespace=ns)
    losses = [float(v) for v in re.findall(r"step \d+ loss (\S+),", capsys.readouterr().out)]
    assert len(losses) == 8 and losses[-1] < losses[0]


# --- trace_graph.ipynb: micrograd's draw_dot walks _prev and prints _op ------------------------------

TRACE_GRAPH = """
# brew install graphviz
# pip install graphviz
from graphviz import Digraph

from micrograd.engine import Value

def trace(root):
    nodes, edges = set(), set()
    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)
    build(root)
    return nodes, edges

def draw_dot(root, format='svg', rankdir='LR'):
    \"\"\"
    format: png | svg | ...
    rankdir: TB (top to bottom graph) | LR (left to right)
    \"\"\"
    assert rankdir in ['LR', 'TB']
    nodes, edges = trace(root)
    dot = Digraph(format=format, graph_attr={'rankdir': rankdir}) #, node_attr={'rankdir': 'TB'})
    
    for n in nodes:
        dot.node(name=str(id(n)), label = "{ data %.4f | grad %.4f }" % (n.data, n.grad), shape='record')
        if n._op:
            dot.node(name=str(id(n)) + n._op, label=n._op)
            dot.edge(str(id(n)) + n._op, str(id(n)))
    
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    
    return dot

# a very simple example
x = Value(1.0)
y = (x * 2 + 1).relu()
y.backward()
simple = draw_dot(y)

# a simple 2D neuron
import random
from micrograd import nn

random.seed(1337)
n = nn.Neuron(2)
x = [Value(1.0), Value(-2.0)]
y = n(x)
y.backward()

dot = draw_dot(y)
dot

dot.render('gout')
"""


def labels(dot):
    """The drawn boxes' texts (data and grad) and the op nodes' texts, as sorted lists."""
    found = [t.strip('"') for t in re.findall(r'\[label=("[^"]*"|[^\s\]]+)', "\n".join(dot.body))]
    return sorted(t for t in found if t.startswith("{")), sorted(t for t in found if not t.startswith("{"))


@pytest.mark.parametrize("init", [None, "uniform"])
def test_trace_graph_notebook_draws_what_micrograd_draws(tmp_path, monkeypatch, init):
    monkeypatch.chdir(tmp_path)
    source = TRACE_GRAPH if init is None else TRACE_GRAPH.replace("nn.Neuron(2)", f"nn.Neuron(2, init={init!r})")
    ours = run(source)
    assert (tmp_path / "gout.svg").stat().st_size > 1000  # dot.render wrote the picture
    theirs = run(TRACE_GRAPH, "micrograd")
    # x*2+1: micrograd makes the constants 2 and 1 Values (boxes of their own); pathgrad keeps them
    # out of the graph, so its boxes are micrograd's less those two, and the ops are the same.
    ours_boxes, ours_ops = labels(ours["simple"])
    theirs_boxes, theirs_ops = labels(theirs["simple"])
    assert ours_ops == theirs_ops == ["*", "+", "ReLU"]
    assert ours_boxes == ["{ data 1.0000 | grad 2.0000 }", "{ data 2.0000 | grad 1.0000 }",
                          "{ data 3.0000 | grad 1.0000 }", "{ data 3.0000 | grad 1.0000 }"]
    assert set(ours_boxes) <= set(theirs_boxes)
    # the neuron: every node is a Value in both engines; with micrograd's init, the same picture
    if init == "uniform":
        assert labels(ours["dot"]) == labels(theirs["dot"])
        # and the numbers of micrograd's own gout.svg (the README's picture, committed beside the notebook)
        texts = [t for box in labels(ours["dot"])[0] for t in box.strip("{} ").split(" | ")]
        assert sorted(t for t in texts if t.startswith("data")) == sorted(
            ["data -0.1331", "data -2.0000", "data 0.0000", "data 0.0665", "data 0.1024", "data 0.1024",
             "data 0.2355", "data 0.2355", "data 0.2355", "data 1.0000"])
        assert sorted(t for t in texts if t.startswith("grad")) == sorted(
            ["grad -2.0000", "grad 0.0665", "grad 0.2355"] + ["grad 1.0000"] * 7)
    else:
        assert labels(ours["dot"])[1] == labels(theirs["dot"])[1]


def test_pathgrads_draw_dot_takes_draw_dots_arguments():
    from autograd import Value, draw_dot
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    dot = draw_dot(y, format="png", rankdir="TB")
    assert dot.format == "png" and dot.graph_attr["rankdir"] == "TB"
    assert draw_dot(y).graph_attr["rankdir"] == "LR"  # trace_graph's defaults: svg, left to right
    assert draw_dot(y).format == "svg"


# --- the lecture, first half: the engine built by hand, then replaced by pathgrad's Value -----------
# Cell 7 defines the lecture's own Value class; `from autograd import Value` takes its place, and the
# cells that use it follow unchanged. Printed numbers quoted are the notebook's saved outputs.

LECTURE_DRAW_DOT = """
from graphviz import Digraph

def trace(root):
  # builds a set of all nodes and edges in a graph
  nodes, edges = set(), set()
  def build(v):
    if v not in nodes:
      nodes.add(v)
      for child in v._prev:
        edges.add((child, v))
        build(child)
  build(root)
  return nodes, edges

def draw_dot(root):
  dot = Digraph(format='svg', graph_attr={'rankdir': 'LR'}) # LR = left to right
  
  nodes, edges = trace(root)
  for n in nodes:
    uid = str(id(n))
    # for any value in the graph, create a rectangular ('record') node for it
    dot.node(name = uid, label = "{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape='record')
    if n._op:
      # if this value is a result of some operation, create an op node for it
      dot.node(name = uid + n._op, label = n._op)
      # and connect this node to it
      dot.edge(uid + n._op, uid)

  for n1, n2 in edges:
    # connect n1 to the op node of n2
    dot.edge(str(id(n1)), str(id(n2)) + n2._op)

  return dot
"""

LECTURE_L = """
from autograd import Value

a = Value(2.0, label='a')
b = Value(-3.0, label='b')
c = Value(10.0, label='c')
e = a*b; e.label = 'e'
d = e + c; d.label = 'd'
f = Value(-2.0, label='f')
L = d * f; L.label = 'L'
L
"""

LECTURE_NUDGE = """
a.data += 0.01 * a.grad
b.data += 0.01 * b.grad
c.data += 0.01 * c.grad
f.data += 0.01 * f.grad

e = a * b
d = e + c
L = d * f

print(L.data)
"""

LECTURE_LOL = """
def lol():
  
  h = 0.001
  
  a = Value(2.0, label='a')
  b = Value(-3.0, label='b')
  c = Value(10.0, label='c')
  e = a*b; e.label = 'e'
  d = e + c; d.label = 'd'
  f = Value(-2.0, label='f')
  L = d * f; L.label = 'L'
  L1 = L.data
  
  a = Value(2.0, label='a')
  b = Value(-3.0, label='b')
  b.data += h
  c = Value(10.0, label='c')
  e = a*b; e.label = 'e'
  d = e + c; d.label = 'd'
  f = Value(-2.0, label='f')
  L = d * f; L.label = 'L'
  L2 = L.data
  
  print((L2 - L1)/h)
  
lol()
"""


def test_lecture_expression_L_backward_draw_and_nudge(capsys):
    ns = run(LECTURE_L + LECTURE_DRAW_DOT)
    ns["L"].backward()  # the lecture fills these grads in by hand, cell by cell, before writing backward
    boxes, ops = labels(run("dot = draw_dot(L)", namespace=ns)["dot"])
    # by hand: L = d*f, d = e + c, e = a*b: dL/dd = f = -2, dL/df = d = 4, dL/da = f*b = 6, dL/db = f*a = -4
    assert boxes == sorted(["{ a | data 2.0000 | grad 6.0000 }", "{ b | data -3.0000 | grad -4.0000 }",
                            "{ c | data 10.0000 | grad -2.0000 }", "{ e | data -6.0000 | grad -2.0000 }",
                            "{ d | data 4.0000 | grad -2.0000 }", "{ f | data -2.0000 | grad 4.0000 }",
                            "{ L | data -8.0000 | grad 1.0000 }"])
    assert ops == ["*", "*", "+"]
    run(LECTURE_NUDGE + LECTURE_LOL, namespace=ns)
    assert capsys.readouterr().out.split() == ["-7.286496", "-3.9999999999995595"]  # cells 10 and 11's output


LECTURE_NEURON = """
# inputs x1,x2
x1 = Value(2.0, label='x1')
x2 = Value(0.0, label='x2')
# weights w1,w2
w1 = Value(-3.0, label='w1')
w2 = Value(1.0, label='w2')
# bias of the neuron
b = Value(6.8813735870195432, label='b')
# x1*w1 + x2*w2 + b
x1w1 = x1*w1; x1w1.label = 'x1*w1'
x2w2 = x2*w2; x2w2.label = 'x2*w2'
x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
n = x1w1x2w2 + b; n.label = 'n'
o = n.tanh(); o.label = 'o'
"""

LECTURE_TOPO = """
topo = []
visited = set()
def build_topo(v):
  if v not in visited:
    visited.add(v)
    for child in v._prev:
      build_topo(child)
    topo.append(v)
build_topo(o)
topo
"""

LECTURE_BY_HAND = """
o.grad = 1.0
o._backward()
n._backward()
b._backward()
x1w1x2w2._backward()
x2w2._backward()
x1w1._backward()
"""


def torch_neuron(b=6.8813735870195432, form="tanh"):
    """The lecture's neuron in PyTorch float64: o and d(o)/d(x1, x2, w1, w2, b)."""
    torch = pytest.importorskip("torch")
    x1, x2, w1, w2, bt = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (2.0, 0.0, -3.0, 1.0, b))
    n = x1 * w1 + x2 * w2 + bt
    if form == "tanh":
        o = torch.tanh(n)
    else:
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
    o.backward()
    return o.item(), [t.grad.item() for t in (x1, x2, w1, w2, bt)]


def neuron_grads(ns):
    return [ns[k].grad for k in ("x1", "x2", "w1", "w2", "b")]


def test_lecture_neuron_backward_by_hand_one_node_at_a_time():
    ns = run("from autograd import Value\n" + LECTURE_NEURON + LECTURE_DRAW_DOT + "draw_dot(o)\n" + LECTURE_TOPO)
    # cell 16's output, the topological order's data (its order among siblings follows a set's)
    printed = [6.881373587019543, 2.0, -3.0, -6.0, 0.0, 1.0, 0.0, -6.0, 0.8813735870195432, 0.7071067811865476]
    topo = ns["topo"]
    assert sorted(v.data for v in topo) == pytest.approx(sorted(printed), rel=1e-15, abs=0)
    assert topo[-1] is ns["o"] and all(topo.index(p) < topo.index(v) for v in topo for p in v._prev)
    run(LECTURE_BY_HAND, namespace=ns)
    o, grads = torch_neuron()
    assert ns["o"].data == pytest.approx(o, rel=1e-15)
    assert neuron_grads(ns) == pytest.approx(grads, rel=1e-15, abs=1e-15)
    assert neuron_grads(ns)[2] == pytest.approx(1.0) and ns["n"].grad == pytest.approx(0.5)  # cells 23-27
    assert run("r = 1 - o.data**2", namespace=ns)["r"] == pytest.approx(0.4999999999999999, rel=1e-15)  # cell 29


def test_lecture_neuron_backward_and_the_exp_form_of_tanh():
    # second half, cell 9 (o.backward()) and cell 11 (tanh written as (e^2n - 1) / (e^2n + 1))
    tanh = run("from autograd import Value\n" + LECTURE_NEURON + "o.backward()\n")
    exp_form = run("from autograd import Value\n" + LECTURE_NEURON.replace(
        "o = n.tanh(); o.label = 'o'", "e = (2*n).exp()\no = (e - 1) / (e + 1)\no.label = 'o'") + "o.backward()\n")
    for ns, form in ((tanh, "tanh"), (exp_form, "exp")):
        o, grads = torch_neuron(form=form)
        assert ns["o"].data == pytest.approx(o, rel=1e-15)
        assert neuron_grads(ns) == pytest.approx(grads, rel=1e-14, abs=1e-15)


def test_lecture_torch_cell_numbers_come_out_of_pathgrad():
    # Cell 13 builds b with torch.Tensor([...]), float32, then .double(): its printout is the neuron at
    # b rounded to float32. pathgrad at that b prints the same numbers (cell 13's saved output).
    import struct
    b32 = struct.unpack("f", struct.pack("f", 6.8813735870195432))[0]
    ns = run("from autograd import Value\n" + LECTURE_NEURON.replace("6.8813735870195432", repr(b32)) + "o.backward()\n")
    assert ns["o"].data == pytest.approx(0.7071066904050358, rel=1e-15)
    assert [ns[k].grad for k in ("x2", "w2", "x1", "w1")] == pytest.approx(
        [0.5000001283844369, 0.0, -1.5000003851533106, 1.0000002567688737], rel=1e-14)


def test_lecture_a_node_used_twice_gets_both_contributions():
    ns = run("""
from autograd import Value
a = Value(3.0, label='a')
b = a + a   ; b.label = 'b'
b.backward()
""" + LECTURE_DRAW_DOT + "draw_dot(b)\n")
    assert ns["a"].grad == 2.0  # the lecture's bug (= instead of +=) would give 1
    ns = run("""
from autograd import Value
a = Value(-2.0, label='a')
b = Value(3.0, label='b')
d = a * b    ; d.label = 'd'
e = a + b    ; e.label = 'e'
f = d * e    ; f.label = 'f'

f.backward()
""" + LECTURE_DRAW_DOT + "draw_dot(f)\n")
    assert (ns["a"].grad, ns["b"].grad) == (-3.0, -8.0)  # df/da = e*b + d = 3 - 6, df/db = e*a + d = -2 - 6


# --- the lecture, second half: training the all-tanh MLP -------------------------------------------
# Cell 14 defines the lecture's Neuron/Layer/MLP (tanh everywhere, weights and biases U(-1, 1));
# pathgrad's MLP with activation="tanh", output_activation="tanh", init="uniform_bias" takes its place.

LECTURE_TRAIN = """
import random
from nn import MLP

random.seed(SEED)
x = [2.0, 3.0, -1.0]
n = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", init="uniform_bias")
n(x)

xs = [
  [2.0, 3.0, -1.0],
  [3.0, -1.0, 0.5],
  [0.5, 1.0, 1.0],
  [1.0, 1.0, -1.0],
]
ys = [1.0, -1.0, -1.0, 1.0] # desired targets

for k in range(20):
  
  # forward pass
  ypred = [n(x) for x in xs]
  loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))
  
  # backward pass
  for p in n.parameters():
    p.grad = 0.0
  loss.backward()
  
  # update
  for p in n.parameters():
    p.data += -0.1 * p.grad
  
  print(k, loss.data)
"""


def torch_lecture_training(seed, steps=20):
    """The lecture's network and loop in PyTorch float64, its weights drawn as cell 14 draws them:
    neuron by neuron, w then b, each random.uniform(-1, 1)."""
    torch = pytest.importorskip("torch")
    rng = random.Random(seed)
    sizes = [3, 4, 4, 1]
    layers = [[([rng.uniform(-1, 1) for _ in range(nin)], rng.uniform(-1, 1)) for _ in range(nout)]
              for nin, nout in zip(sizes, sizes[1:])]
    t = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)
    params = [[([t(wi) for wi in w], t(b)) for w, b in layer] for layer in layers]
    leaves = [p for layer in params for w, b in layer for p in w + [b]]
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    losses = []
    for _ in range(steps):
        ypred = []
        for x in xs:
            a = [torch.tensor(v, dtype=torch.float64) for v in x]
            for layer in params:  # z = b + w0 a0 + w1 a1 + ..., in this order, as the lecture's sum()
                a = [torch.tanh(sum((wi * ai for wi, ai in zip(w, a)), b)) for w, b in layer]
            ypred.append(a[0])
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
        for p in leaves:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in leaves:
                p += -0.1 * p.grad
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("seed", [0, 1337])
def test_lecture_training_loop_matches_pytorch_float64(seed, capsys):
    run(LECTURE_TRAIN.replace("SEED", str(seed)))
    printed = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert [int(k) for k, _ in printed] == list(range(20))
    ours = [float(v) for _, v in printed]
    expected = torch_lecture_training(seed)
    assert ours == pytest.approx(expected, rel=1e-13)
    assert ours[-1] < ours[0]
