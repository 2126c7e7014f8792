"""SGD and Adam stepping the flat buffers of a vectorised tape: nn.optim's rules, one numpy expression each.

    vec = Tape(cost).vectorize(x + y, params=model.parameters())
    with vec.buffered() as buf:
        opt = BufferSGD(buf, model.parameters(), lr=3.0, momentum=0.9)
        ... vec.forward(X); vec.backward(); opt.step(); opt.zero_grad()

The update of every parameter is the formula of `nn.optim.SGD` / `nn.optim.Adam` (see there), with
the same operations in the same order, so from the same gradients both give the same floats. The
hyperparameter checks, the learning-rate schedule and `state_dict()` are nn.optim's own: a state
saved from one loads into the other, so training can move between eager and vectorised mode.
"""
from .optim import SGD, Adam

__all__ = ["BufferSGD", "BufferAdam"]


class _Buffered:
    def _attach(self, buffers):
        self.buffers = buffers
        self._at, self._order = buffers.index(self.params, type(self).__name__)

    def zero_grad(self):
        """Set the parameters' entries of the grad buffer to 0 (grads accumulate, as on Values)."""
        self.buffers.grad[self._at] = 0.0

    def state_dict(self):
        """nn.optim's state, with the buffer arrays as lists in the order of `params`."""
        return {"steps": self.steps, **self._lists(self._state_fields)}

    def load_state_dict(self, state, where="optimizer state"):
        super().load_state_dict(state, where)
        self._arrays(self._state_fields)

    def _lists(self, names):
        # Kept in buffer order; a state lists them in the order of `params`, as nn.optim does.
        return {f: None if getattr(self, f) is None else getattr(self, f)[self._order].tolist() for f in names}

    def _arrays(self, names):
        import numpy as np
        for f in names:
            if getattr(self, f) is not None:
                a = np.empty(len(self.params))
                a[self._order] = getattr(self, f)
                setattr(self, f, a)


class BufferSGD(_Buffered, SGD):
    """`nn.optim.SGD` (momentum, weight decay) on `buffers.data`, reading `buffers.grad`."""

    def __init__(self, buffers, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr, momentum, weight_decay)
        self._attach(buffers)

    def step(self):
        """p <- p - lr * u with g = grad + weight_decay * p and u = g, then momentum * u + g."""
        lr = self.current_lr()  # first: a bad schedule raises before anything moves
        data, at = self.buffers.data, self._at
        g = self.buffers.grad[at]
        if self.weight_decay:
            g = g + self.weight_decay * data[at]
        if self.momentum:
            g = g.copy() if self.velocity is None else self.momentum * self.velocity + g
            self.velocity = g
        data[at] -= lr * g
        self.steps += 1


class BufferAdam(_Buffered, Adam):
    """`nn.optim.Adam` on `buffers.data`, reading `buffers.grad`; m and v are numpy arrays."""

    def __init__(self, buffers, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        import numpy as np
        super().__init__(params, lr, betas, eps)
        self._attach(buffers)
        self.m, self.v = np.zeros(len(self.params)), np.zeros(len(self.params))

    def step(self):
        """m, v <- running moments of g; p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)."""
        import numpy as np
        lr = self.current_lr()
        b1, b2 = self.betas
        t = self.steps + 1
        c1, c2 = 1.0 - b1 ** t, 1.0 - b2 ** t
        g = self.buffers.grad[self._at]
        self.m = m = b1 * self.m + (1.0 - b1) * g
        self.v = v = b2 * self.v + (1.0 - b2) * g * g
        self.buffers.data[self._at] -= lr * (m / c1) / (np.sqrt(v / c2) + self.eps)
        self.steps += 1
