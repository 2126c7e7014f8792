"""Optimisers: move each parameter p against its gradient g = dC/dp, which backward() left in p.grad.

    SGD:   p <- p - lr * g                                   (plain gradient descent)
    Adam:  p <- p - lr * m_hat / (sqrt(v_hat) + eps)         (per-parameter step sizes)

The learning rate `lr` is a float or a schedule: any callable taking the step number k (0 for the
first step) and returning the rate, e.g. micrograd's `lambda k: 1.0 - 0.9 * k / 100`.
The update formulas are those of PyTorch's torch.optim.SGD and torch.optim.Adam.
"""
import math
import numbers

from autograd import Value

__all__ = ["Optimizer", "SGD", "Adam"]


MAX_STEPS = 2 ** 53  # beyond it b ** t overflows for a huge t and step counts stop being exact floats


def _number(name, x, low=0.0, high=math.inf, low_open=False, high_open=False):
    """x as a float, or an error naming the setting (`name` starts with the optimiser's class)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}: {x!r:.60}")
    try:
        x = float(x)
    except OverflowError:  # an int past 1e308
        x = math.inf if x > 0 else -math.inf
    ok = (x > low if low_open else x >= low) and (x < high if high_open else x <= high)
    if not ok or not math.isfinite(x):
        lo, hi = "(" if low_open else "[", ")" if high_open or high == math.inf else "]"
        raise ValueError(f"{name} must lie in {lo}{low:g}, {high:g}{hi} (finite), got {x!r}")
    return x


class Optimizer:
    """Holds the parameters (leaf Values) and the step count; `zero_grad()` resets their grads."""

    def __init__(self, params, lr):
        if type(params) is Value or not hasattr(params, "__iter__"):  # e.g. the model itself
            raise TypeError(f"{type(self).__name__}: expected a list of parameter Values such as "
                            f"model.parameters(), got {type(params).__name__}: {params!r:.60}")
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty list of parameters")
        for i, p in enumerate(params):
            if type(p) is not Value:
                raise TypeError(f"{type(self).__name__}: parameter {i} must be a Value, "
                                f"got {type(p).__name__}: {p!r:.60}")
        if not callable(lr):
            lr = _number(f"{type(self).__name__}: lr", lr)
        self.params = params
        self.lr = lr
        self.steps = 0  # how many step() calls so far: the k passed to a schedule

    def current_lr(self):
        """The learning rate for the next step: `lr`, or `lr(k)` when lr is a schedule."""
        lr = self.lr
        if callable(lr):
            return _number(f"{type(self).__name__}: lr schedule at step {self.steps}", lr(self.steps))
        return lr

    def zero_grad(self):
        """Set every parameter's grad to 0 before the next backward() (grads accumulate)."""
        for p in self.params:
            p.grad = 0.0

    _state_fields = ()  # per-parameter lists that, with `steps`, are the optimiser's whole memory
    _optional = ()  # those of them that may be None (not created yet)
    _non_negative = ()  # those that hold squares (their square root is taken)

    def state_dict(self):
        """{"steps": k, field: [float per parameter] or None, ...}: enough to resume training exactly."""
        out = {"steps": self.steps}
        for f in self._state_fields:
            v = getattr(self, f)
            out[f] = None if v is None else list(v)
        return out

    def load_state_dict(self, state, where="optimizer state"):
        """Restore `state_dict()`; everything is checked first, so a bad state raises ValueError and changes nothing."""
        if not isinstance(state, dict) or set(state) != {"steps", *self._state_fields}:
            raise ValueError(f"{where}: expected an object with exactly {sorted(['steps', *self._state_fields])}, "
                             f"got {sorted(state) if isinstance(state, dict) else type(state).__name__}")
        steps = state["steps"]
        if type(steps) is not int or not 0 <= steps <= MAX_STEPS:
            big = type(steps) is int and steps.bit_length() > 64  # str() of 10**5000 itself fails
            shown = f"an int of {steps.bit_length()} bits" if big else f"{steps!r:.60}"
            raise ValueError(f"{where}: steps must be an int in 0..2**53, got {shown}")
        n = len(self.params)
        new = {}
        for f in self._state_fields:
            v = state[f]
            if v is None and f in self._optional:
                new[f] = None
                continue
            if not isinstance(v, list) or len(v) != n:
                raise ValueError(f"{where}: {f} must be a list of {n} numbers (one per parameter), got {v!r:.60}")
            low = 0.0 if f in self._non_negative else -math.inf
            for i, x in enumerate(v):
                if isinstance(x, bool) or not isinstance(x, (int, float)) or not low <= x < math.inf:
                    raise ValueError(f"{where}: {f}[{i}] must be a finite number"
                                     f"{' >= 0' if low == 0 else ''}, got {x!r:.60}")
            new[f] = [float(x) for x in v]
        self.steps = steps
        for f, v in new.items():
            setattr(self, f, v)

    def _grads(self):
        # After backward(create_graph=True) grads are Values; an update uses their numbers.
        return [g if type(g) is float else _number_of(g) for g in (p.grad for p in self.params)]

    def __repr__(self):
        lr = getattr(self.lr, "__name__", "schedule") if callable(self.lr) else self.lr
        return f"{type(self).__name__}({len(self.params)} parameters, lr={lr}, steps={self.steps})"


def _number_of(g):
    # A grad is a float, a numpy float, or (after backward(create_graph=True)) a Value: use its number.
    return g.data if isinstance(g, Value) else float(g)


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay.

        g <- g + weight_decay * p                  (the gradient of (weight_decay/2) * p^2)
        u <- g on the first step, then momentum * u + g
        p <- p - lr * u                            (u = g when momentum == 0)
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum = _number("SGD: momentum", momentum, 0.0, 1.0)
        self.weight_decay = _number("SGD: weight_decay", weight_decay)
        self.velocity = None  # momentum buffers u, created by the first step when momentum > 0

    _state_fields = _optional = ("velocity",)

    def step(self):
        """Apply one update to every parameter, then count the step."""
        lr = self.current_lr()
        if self.momentum == 0.0 and self.weight_decay == 0.0:
            for p in self.params:  # the hot path of micrograd's recipe: nothing but the update
                g = p.grad
                p.data -= lr * (g if type(g) is float else _number_of(g))
            self.steps += 1
            return
        grads = self._grads()
        wd, mu = self.weight_decay, self.momentum
        if wd:
            grads = [g + wd * p.data for g, p in zip(grads, self.params)]
        if mu:
            u = self.velocity
            u = grads if u is None else [mu * ui + g for ui, g in zip(u, grads)]
            self.velocity = grads = u
        for p, g in zip(self.params, grads):
            p.data -= lr * g
        self.steps += 1


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015): a step per parameter scaled by running moments of its gradient.

        m <- b1 m + (1 - b1) g          v <- b2 v + (1 - b2) g^2          (both start at 0)
        m_hat = m / (1 - b1^t)          v_hat = v / (1 - b2^t)            (t = 1 on the first step)
        p <- p - lr * m_hat / (sqrt(v_hat) + eps)
    The first step therefore moves every parameter by about lr * sign(g).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (b1, b2), got {betas!r:.60}")
        self.betas = (_number("Adam: betas[0]", betas[0], 0.0, 1.0, high_open=True),
                      _number("Adam: betas[1]", betas[1], 0.0, 1.0, high_open=True))
        # eps > 0: with eps = 0 a parameter whose gradient has always been 0 divides 0 by 0
        self.eps = _number("Adam: eps", eps, low_open=True)
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    _state_fields = ("m", "v")
    _non_negative = ("v",)

    def step(self):
        """Apply one update to every parameter, then count the step."""
        lr = self.current_lr()
        b1, b2 = self.betas
        t = self.steps + 1
        c1, c2 = 1.0 - b1 ** t, 1.0 - b2 ** t
        m, v, eps = self.m, self.v, self.eps
        for i, (p, g) in enumerate(zip(self.params, self._grads())):
            m[i] = mi = b1 * m[i] + (1.0 - b1) * g
            v[i] = vi = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= lr * (mi / c1) / (math.sqrt(vi / c2) + eps)
        self.steps += 1
