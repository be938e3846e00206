"""The benchmark workloads in numpy, written for `cargo xtask bench --vs-numpy`: the same math as
the book's code (`dataset/spiral.py`, `common/layers.py`, `common/trainer.py`, `ch01/train.py`),
the same configurations as the Rust workloads, timed the same way. Not the book's files: a small
self-contained script, so that the comparison needs only numpy.

usage: python3 numpy_workloads.py (w1|w2|w3) (f64|f32) RUNS
       python3 numpy_workloads.py w1x (f64|f32) RUNS HIDDEN BATCH
       python3 numpy_workloads.py w2at (f64|f32) RUNS STEP
prints one JSON line: {"workload", "precision", "unit", "samples", "blas", "numpy", "peak_rss_mb",
"cpuid_masked"}
"""

import json
import resource
import sys
import time

import numpy as np

from cpuid_mask import cpuid_masked

# w3gemm's best time of each product (ms), reported beside the totals.
PRODUCTS_MS = []


def spiral(seed=1984, n=100):
    """dataset/spiral.py: load_data(seed), with `n` points per class (the book's 100)."""
    np.random.seed(seed)
    dim, cls = 2, 3
    x = np.zeros((n * cls, dim))
    t = np.zeros((n * cls, cls), dtype=np.int64)
    for j in range(cls):
        for i in range(n):
            rate = i / n
            radius = 1.0 * rate
            theta = j * 4.0 + 4.0 * rate + np.random.randn() * 0.2
            ix = n * j + i
            x[ix] = np.array([radius * np.sin(theta), radius * np.cos(theta)]).flatten()
            t[ix, j] = 1
    return x, t


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    x = np.exp(x)
    return x / x.sum(axis=1, keepdims=True)


class Net:
    """ch01/two_layer_net.py with common/layers.py's Affine, Sigmoid and SoftmaxWithLoss."""

    def __init__(self, sizes, dtype, rng, input_grad=True):
        # input_grad=False skips the first layer's dx (the data's gradient, never used), as
        # dlfs2's W3 and JAX's grad do; the book's TwoLayerNet computes it.
        self.input_grad = input_grad
        self.params = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            self.params += [(0.01 * rng(a, b)).astype(dtype), np.zeros(b, dtype=dtype)]
        self.grads = [np.zeros_like(p) for p in self.params]

    def forward(self, x, t):
        self.xs, self.hs = [], []
        h = x
        layers = len(self.params) // 2
        for k in range(layers):
            w, b = self.params[2 * k], self.params[2 * k + 1]
            self.xs.append(h)
            h = h @ w + b
            if k < layers - 1:
                h = sigmoid(h)
                self.hs.append(h)
        self.y = softmax(h)
        self.t = t
        n = t.shape[0]
        return -np.sum(np.log(self.y[np.arange(n), t] + 1e-7)) / n

    def backward(self):
        n = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        dx /= n
        layers = len(self.params) // 2
        for k in reversed(range(layers)):
            w = self.params[2 * k]
            self.grads[2 * k][...] = self.xs[k].T @ dx
            self.grads[2 * k + 1][...] = np.sum(dx, axis=0)
            if k > 0 or self.input_grad:
                dx = dx @ w.T
            if k > 0:
                y = self.hs[k - 1]
                dx = dx * (1.0 - y) * y

    def step(self, lr):
        for p, g in zip(self.params, self.grads):
            p -= lr * g

    def predict(self, x):
        h = x
        layers = len(self.params) // 2
        for k in range(layers):
            h = h @ self.params[2 * k] + self.params[2 * k + 1]
            if k < layers - 1:
                h = sigmoid(h)
        return h


def book_net(dtype):
    x, t = spiral()
    net = Net([2, 10, 3], dtype, np.random.randn)
    return x.astype(dtype), t.argmax(axis=1), net


def train(net, x, t, epochs, batch=30):
    """common/trainer.py's fit: a permutation per epoch, x = x[idx]."""
    steps = 0
    for _ in range(epochs):
        idx = np.random.permutation(len(x))
        x, t = x[idx], t[idx]
        for i in range(len(x) // batch):
            net.forward(x[i * batch:(i + 1) * batch], t[i * batch:(i + 1) * batch])
            net.backward()
            net.step(1.0)
            steps += 1
    return steps


def w1(dtype, runs):
    """µs per training step of ch01/train.py (300 epochs, batch 30)."""
    samples = []
    for _ in range(runs):
        x, t, net = book_net(dtype)
        start = time.perf_counter()
        steps = train(net, x, t, 300)
        samples.append((time.perf_counter() - start) / steps * 1e6)
    return "µs/step", samples


def w1x(dtype, runs, hidden, batch):
    """`cargo xtask bench --scaling`: µs per step of TwoLayerNet(2, hidden, 3) with SGD lr 1.0 on
    a spiral of 10 * batch points (10 steps an epoch, as in the book), 30 epochs."""
    samples = []
    for _ in range(runs):
        x, t = spiral(n=10 * batch // 3)
        net = Net([2, hidden, 3], dtype, np.random.randn)
        x, t = x.astype(dtype), t.argmax(axis=1)
        start = time.perf_counter()
        steps = train(net, x, t, 30, batch)
        samples.append((time.perf_counter() - start) / steps * 1e6)
    return "µs/step", samples


def w2at(dtype, runs, step):
    """`cargo xtask bench --scaling`: the book's decision boundary at grid step `step`."""
    return boundary(dtype, runs, step)


def w2(dtype, runs):
    """ms for the book's decision boundary (h = 0.001) of the trained network, as the book
    predicts it: every grid point at once."""
    return boundary(dtype, runs, 0.001)


def boundary(dtype, runs, h):
    x, t, net = book_net(dtype)
    train(net, x, t, 300)
    x_min, x_max = x[:, 0].min() - 0.1, x[:, 0].max() + 0.1
    y_min, y_max = x[:, 1].min() - 0.1, x[:, 1].max() + 0.1
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
        grid = np.c_[xx.ravel(), yy.ravel()].astype(dtype)
        np.argmax(net.predict(grid), axis=1)
        samples.append((time.perf_counter() - start) * 1e3)
    return "ms", samples


def w3(dtype, runs):
    """ms per SGD step of the wide MLP: batch 512 through 256-1024-1024-10 with sigmoids."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((512, 256)).astype(dtype)
    t = (np.arange(512) * 7) % 10
    net = Net([256, 1024, 1024, 10], dtype, lambda a, b: rng.standard_normal((a, b)), input_grad=False)
    net.forward(x, t)
    net.backward()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(5):
            net.forward(x, t)
            net.backward()
            net.step(0.1)
        samples.append((time.perf_counter() - start) / 5 * 1e3)
    return "ms/step", samples


def w3gemm(dtype, runs):
    """ms for W3's nine matrix products (forward, dx, dW of each layer), each the best of 20."""
    shapes = [(512, 256, 1024, 0, 0), (512, 1024, 1024, 0, 0), (512, 1024, 10, 0, 0),
              (512, 10, 1024, 0, 1), (1024, 512, 10, 1, 0), (512, 1024, 1024, 0, 1),
              (1024, 512, 1024, 1, 0), (512, 1024, 256, 0, 1), (256, 512, 1024, 1, 0)]
    rng = np.random.default_rng(5)
    ops = []
    for m, k, n, ta, tb in shapes:
        a = rng.standard_normal((k, m)).astype(dtype).T if ta else rng.standard_normal((m, k)).astype(dtype)
        b = rng.standard_normal((n, k)).astype(dtype).T if tb else rng.standard_normal((k, n)).astype(dtype)
        ops.append((a, b))
    samples = []
    products = [float("inf")] * len(ops)
    for _ in range(runs):
        total = 0.0
        for i, (a, b) in enumerate(ops):
            best = float("inf")
            for _ in range(20):
                start = time.perf_counter()
                a @ b
                best = min(best, time.perf_counter() - start)
            total += best
            products[i] = min(products[i], best * 1e3)
        samples.append(total * 1e3)
    PRODUCTS_MS[:] = products
    return "ms", samples


def blas():
    try:
        from threadpoolctl import threadpool_info

        # The kernel OpenBLAS chose for this CPU (as its CPUID shows it) is what is measured.
        libs = [f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads, "
                f"{i.get('architecture')} kernels)"
                for i in threadpool_info() if i.get("user_api") == "blas"]
        return ", ".join(libs) or "unknown"
    except ImportError:
        return "unknown (threadpoolctl not installed)"


def main():
    workload, precision, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    extra = [float(a) if "." in a else int(a) for a in sys.argv[4:]]
    dtype = {"f64": np.float64, "f32": np.float32}[precision]
    workloads = {"w1": w1, "w2": w2, "w3": w3, "w3gemm": w3gemm, "w1x": w1x, "w2at": w2at}
    unit, samples = workloads[workload](dtype, runs, *extra)
    # Peak resident memory of this process (Linux reports ru_maxrss in KiB).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"workload": workload, "precision": precision, "unit": unit,
                      "samples": samples, "blas": blas(), "numpy": np.__version__,
                      "peak_rss_mb": rss, "cpuid_masked": cpuid_masked(), **({"products_ms": PRODUCTS_MS} if PRODUCTS_MS else {})}))


if __name__ == "__main__":
    main()
