"""``RNN`` and ``LSTM``: one recurrent layer, forward over a sequence and backward through time.

Both have torch's parameter names, layouts and default init (``weight_ih_l0`` (G*H, I),
``weight_hh_l0`` (G*H, H), ``bias_ih_l0`` and ``bias_hh_l0`` (G*H,), all drawn from
U(-1/sqrt(H), 1/sqrt(H)); G = 1 for the RNN, 4 for the LSTM, whose gates come in torch's order
i, f, g, o), and torch's calling convention:

    output, h_n = rnn(x, h0)                  # x: (L, N, I), or (N, L, I) with batch_first
    output, (h_n, c_n) = lstm(x, (h0, c0))    # h0, c0, h_n, c_n: (1, N, H) whatever batch_first

``output`` holds h_t for every step t: (L, N, H) (or (N, L, H) with batch_first). Missing
initial states are zeros. The backward pass mirrors the call:

    dx, dh0 = rnn.backward(grad_output, grad_h_n)              # grad_h_n may be None (zeros)
    dx, (dh0, dc0) = lstm.backward(grad_output, grad_h_n, grad_c_n)

It returns dL/dx (the shape of x) and the initial states' gradients, and accumulates every
weight's gradient with ``+=``: the weights are shared by all steps, so their gradient is a sum
over time, one term per step, added in the loop. ``truncate=k`` cuts the gradient carried back
through the state every k steps (at t = k, 2k, ...): truncated backpropagation through time,
the same as torch with ``h = h.detach()`` (and ``c = c.detach()``) before those steps. Processing
a long sequence in chunks, the last state of a chunk passed as the next chunk's initial state
(a constant for the next backward), gives the same gradients as detaching at the chunk borders.
"""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from .._validate import as_float_array, check_dtype, check_flag, check_int, check_shape, numpy_rng
from .module import Module, Parameter

__all__ = ["RNN", "LSTM"]


class _Recurrent(Module):
    """What RNN and LSTM share: the parameters, the layout switch and the input checks."""

    _gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        bias: bool = True,
        batch_first: bool = False,
        dtype: type | np.dtype = np.float64,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        self.input_size = check_int(input_size, "input_size", low=1, below="at least 1")
        self.hidden_size = check_int(hidden_size, "hidden_size", low=1, below="at least 1")
        self.batch_first = check_flag(batch_first, "batch_first")
        has_bias = check_flag(bias, "bias")
        dt = check_dtype(dtype)
        gen = numpy_rng(rng, typed=True)
        H, I, G = self.hidden_size, self.input_size, self._gates
        k = 1 / math.sqrt(H)

        def draw(*shape: int) -> np.ndarray:  # drawn in float64, then cast, as Linear does
            return np.asarray(gen.uniform(-k, k, size=shape)).astype(dt)

        self.weight_ih_l0 = Parameter(draw(G * H, I))
        self.weight_hh_l0 = Parameter(draw(G * H, H))
        self.bias_ih_l0: Parameter | None = None
        self.bias_hh_l0: Parameter | None = None
        if has_bias:
            self.bias_ih_l0 = Parameter(draw(G * H))
            self.bias_hh_l0 = Parameter(draw(G * H))

    @property
    def dtype(self) -> np.dtype:
        return self.weight_ih_l0.dtype

    def _preactivation(self, x_t: np.ndarray, h_prev: np.ndarray) -> np.ndarray:
        """x_t: (N, I), h_prev: (N, H) -> x_t W_ih^T + b_ih + h_prev W_hh^T + b_hh: (N, G*H)."""
        a = x_t @ self.weight_ih_l0.data.T + h_prev @ self.weight_hh_l0.data.T
        if self.bias_ih_l0 is not None and self.bias_hh_l0 is not None:
            a += self.bias_ih_l0.data + self.bias_hh_l0.data
        return a

    def _accumulate(self, da: np.ndarray, x_t: np.ndarray, h_prev: np.ndarray) -> None:
        """One step's share of the shared weights' gradients (the sum over time, term by term)."""
        self.weight_ih_l0.grad += da.T @ x_t
        self.weight_hh_l0.grad += da.T @ h_prev
        if self.bias_ih_l0 is not None and self.bias_hh_l0 is not None:
            self.bias_ih_l0.grad += da.sum(axis=0)
            self.bias_hh_l0.grad += da.sum(axis=0)

    # --- checks and layout -----------------------------------------------------------------
    def _input(self, x: object) -> np.ndarray:
        """x as (L, N, I) in the layer's dtype (transposed from (N, L, I) with batch_first)."""
        arr = as_float_array(x, "x", dtype=self.dtype, ndim=3)
        labels = ("N", "L", "input_size") if self.batch_first else ("L", "N", "input_size")
        check_shape(arr, "x", (None, None, self.input_size), labels)
        return arr.transpose(1, 0, 2) if self.batch_first else arr

    def _state(self, s: object, name: str, N: int) -> np.ndarray:
        """An initial state (or a state's gradient): None -> zeros, else (1, N, H) -> (N, H)."""
        if s is None:
            return np.zeros((N, self.hidden_size), dtype=self.dtype)
        arr = as_float_array(s, name, dtype=self.dtype)
        check_shape(arr, name, (1, N, self.hidden_size), ("num_layers", "N", "hidden_size"))
        return arr[0]

    def _grad_output(self, grad_output: object, L: int, N: int) -> np.ndarray:
        """grad_output in the output's layout -> (L, N, H)."""
        shape = (N, L, self.hidden_size) if self.batch_first else (L, N, self.hidden_size)
        labels = ("N", "L", "hidden_size") if self.batch_first else ("L", "N", "hidden_size")
        g = as_float_array(grad_output, "grad_output", dtype=self.dtype)
        check_shape(g, "grad_output", shape, labels)
        return g.transpose(1, 0, 2) if self.batch_first else g

    def _layout(self, seq: np.ndarray) -> np.ndarray:
        """(L, N, D) -> the caller's layout."""
        return np.ascontiguousarray(seq.transpose(1, 0, 2)) if self.batch_first else seq

    @staticmethod
    def _truncate(truncate: object, L: int) -> int:
        if truncate is None:
            return L + 1  # never reached: the full backward through time
        return check_int(truncate, "truncate", low=1, below="at least 1 (or None)")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.input_size}, {self.hidden_size}, "
            f"bias={self.bias_ih_l0 is not None}, batch_first={self.batch_first})"
        )


class RNN(_Recurrent):
    """Elman RNN with tanh, one layer, like ``torch.nn.RNN(I, H)``:

        h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)

    ``forward(x, h0=None) -> (output, h_n)``; ``backward(grad_output, grad_h_n=None,
    truncate=None) -> (dx, dh0)``. Shapes in the module's docstring.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        bias: bool = True,
        batch_first: bool = False,
        dtype: type | np.dtype = np.float64,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        super().__init__(
            input_size, hidden_size, bias=bias, batch_first=batch_first, dtype=dtype, rng=rng
        )
        self._x: np.ndarray | None = None  # (L, N, I)
        self._h: np.ndarray | None = None  # (L + 1, N, H): h_0 (the initial state) ... h_L

    def forward(self, x: object, h0: object = None) -> tuple[np.ndarray, np.ndarray]:
        """x: (L, N, I) [(N, L, I) batch_first], h0: (1, N, H) or None
        -> output: (L, N, H) [(N, L, H)], h_n: (1, N, H)."""
        x = self._input(x)
        L, N, _ = x.shape
        h = np.empty((L + 1, N, self.hidden_size), dtype=self.dtype)
        h[0] = self._state(h0, "h0", N)
        for t in range(L):
            h[t + 1] = np.tanh(self._preactivation(x[t], h[t]))
        self._x, self._h = x, h
        return self._layout(h[1:].copy()), h[L][None].copy()

    def backward(
        self, grad_output: object, grad_h_n: object = None, truncate: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """grad_output: dL/doutput, grad_h_n: dL/dh_n (1, N, H) or None
        -> (dL/dx in x's shape, dL/dh0 (1, N, H)).

        Going back from t = L-1 to 0, dh is the gradient reaching h_{t+1}: the loss's own
        share at that step plus what step t+1 carried back. Then
            da = dh * (1 - h_{t+1}^2)                  (tanh')
            dW_ih += da^T x_t,  dW_hh += da^T h_t,  db_ih += sum_n da,  db_hh += sum_n da
            dx_t = da W_ih,     dh (carried to h_t) = da W_hh
        """
        x, h = self._cached(self._x), self._cached(self._h)
        L, N, _ = x.shape
        g = self._grad_output(grad_output, L, N)
        k = self._truncate(truncate, L)
        dx = np.empty_like(x)
        carry = self._state(grad_h_n, "grad_h_n", N)  # dL/dh_L from outside the sequence
        for t in reversed(range(L)):
            dh = g[t] + carry
            da = dh * (1 - h[t + 1] ** 2)
            self._accumulate(da, x[t], h[t])
            dx[t] = da @ self.weight_ih_l0.data
            carry = da @ self.weight_hh_l0.data
            if t % k == 0 and t > 0:
                carry = np.zeros_like(carry)  # truncated: h_t treated as a constant
        return self._layout(dx), carry[None]


class LSTM(_Recurrent):
    """Long short-term memory, one layer, like ``torch.nn.LSTM(I, H)``, gates in torch's order:

        a = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh         (N, 4H) = [a_i, a_f, a_g, a_o]
        i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o)
        c_t = f * c_{t-1} + i * g,    h_t = o * tanh(c_t)

    ``forward(x, (h0, c0)=None) -> (output, (h_n, c_n))``; ``backward(grad_output,
    grad_h_n=None, grad_c_n=None, truncate=None) -> (dx, (dh0, dc0))``.
    """

    _gates = 4

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        bias: bool = True,
        batch_first: bool = False,
        dtype: type | np.dtype = np.float64,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        super().__init__(
            input_size, hidden_size, bias=bias, batch_first=batch_first, dtype=dtype, rng=rng
        )
        self._x: np.ndarray | None = None  # (L, N, I)
        self._h: np.ndarray | None = None  # (L + 1, N, H): h_0 ... h_L
        self._c: np.ndarray | None = None  # (L + 1, N, H): c_0 ... c_L
        self._gate_values: np.ndarray | None = None  # (L, 4, N, H): i, f, g, o at every step

    def forward(
        self, x: object, hx: tuple[object, object] | None = None
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """x: (L, N, I) [(N, L, I) batch_first], hx: (h0, c0), each (1, N, H), or None
        -> output: (L, N, H) [(N, L, H)], (h_n, c_n): each (1, N, H)."""
        x = self._input(x)
        L, N, _ = x.shape
        if hx is not None and not (isinstance(hx, tuple) and len(hx) == 2):
            got = f"a tuple of {len(hx)}" if isinstance(hx, tuple) else type(hx).__name__
            raise TypeError(f"hx must be a tuple (h0, c0) or None, got {got}")
        h0, c0 = (None, None) if hx is None else hx
        H = self.hidden_size
        h = np.empty((L + 1, N, H), dtype=self.dtype)
        c = np.empty((L + 1, N, H), dtype=self.dtype)
        gates = np.empty((L, 4, N, H), dtype=self.dtype)
        h[0], c[0] = self._state(h0, "h0", N), self._state(c0, "c0", N)
        for t in range(L):
            a = self._preactivation(x[t], h[t])
            i, f = F.sigmoid(a[:, :H]), F.sigmoid(a[:, H : 2 * H])
            g, o = np.tanh(a[:, 2 * H : 3 * H]), F.sigmoid(a[:, 3 * H :])
            c[t + 1] = f * c[t] + i * g
            h[t + 1] = o * np.tanh(c[t + 1])
            gates[t] = i, f, g, o
        self._x, self._h, self._c, self._gate_values = x, h, c, gates
        return self._layout(h[1:].copy()), (h[L][None].copy(), c[L][None].copy())

    def backward(
        self,
        grad_output: object,
        grad_h_n: object = None,
        grad_c_n: object = None,
        truncate: int | None = None,
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """grad_output: dL/doutput, grad_h_n, grad_c_n: (1, N, H) or None
        -> (dL/dx in x's shape, (dL/dh0, dL/dc0) each (1, N, H)).

        Going back from t = L-1 to 0 with dh (reaching h_{t+1}) and dc (reaching c_{t+1}):
            dc += dh * o * (1 - tanh(c_{t+1})^2)       (through h = o tanh(c))
            do = dh * tanh(c_{t+1})
            di = dc * g,  dg = dc * i,  df = dc * c_t,  dc (carried to c_t) = dc * f
            da = [di i(1-i), df f(1-f), dg (1-g^2), do o(1-o)]        (N, 4H)
            dW_ih += da^T x_t,  dW_hh += da^T h_t,  db += sum_n da
            dx_t = da W_ih,     dh (carried to h_t) = da W_hh
        The cell's path carries dc back through ``* f`` alone: no weight matrix, no squashing.
        """
        x, h = self._cached(self._x), self._cached(self._h)
        c, gates = self._cached(self._c), self._cached(self._gate_values)
        L, N, _ = x.shape
        gy = self._grad_output(grad_output, L, N)
        k = self._truncate(truncate, L)
        dx = np.empty_like(x)
        dh_carry = self._state(grad_h_n, "grad_h_n", N)
        dc = self._state(grad_c_n, "grad_c_n", N)
        for t in reversed(range(L)):
            i, f, g, o = gates[t]
            dh = gy[t] + dh_carry
            tc = np.tanh(c[t + 1])
            dc = dc + dh * o * (1 - tc**2)
            do = dh * tc
            di, dg, df = dc * g, dc * i, dc * c[t]
            dc = dc * f
            da = np.concatenate(
                [di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1
            )
            self._accumulate(da, x[t], h[t])
            dx[t] = da @ self.weight_ih_l0.data
            dh_carry = da @ self.weight_hh_l0.data
            if t % k == 0 and t > 0:  # truncated: h_t and c_t treated as constants
                dh_carry, dc = np.zeros_like(dh_carry), np.zeros_like(dc)
        return self._layout(dx), (dh_carry[None], dc[None])
