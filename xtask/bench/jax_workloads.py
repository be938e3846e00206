"""W1 and W3 in JAX, written as an expert would, for `cargo xtask bench --vs-numpy`, on XLA's CPU
backend:

- W1: the whole of the book's training (300 epochs of 10 steps, batch 30, SGD lr 1.0, a shuffle
  per epoch) as one jitted `lax.scan` over the 3000 batches' indices, drawn up front; µs per step
  of the scan, after a warm-up that compiles it.
- W3: the whole SGD step (forward, autodiff backward, update) as one jitted function, parameters
  donated so that XLA updates them in place. Same network, batch, initialisation scale, loss and
  learning rate as the Rust W3; ms per step, 5 steps a sample.

usage: python3 jax_workloads.py (w1|w3) (f64|f32) RUNS
prints one JSON line: {"workload", "precision", "unit", "samples", "jax", "cpuid_masked"}
"""

import json
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402  (after the x64 switch)
import numpy as np  # noqa: E402
from cpuid_mask import cpuid_masked  # noqa: E402


def w3(dtype, runs):
    sizes = [256, 1024, 1024, 10]
    rng = np.random.default_rng(3)
    x = jnp.asarray(rng.standard_normal((512, 256)).astype(dtype))
    t = jnp.asarray((np.arange(512) * 7) % 10)
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        params.append((jnp.asarray((0.01 * rng.standard_normal((a, b))).astype(dtype)),
                       jnp.zeros(b, dtype=dtype)))

    def loss(params, x, t):
        h = x
        for w, b in params[:-1]:
            h = jax.nn.sigmoid(h @ w + b)
        w, b = params[-1]
        s = h @ w + b
        y = jax.nn.softmax(s, axis=1)
        return -jnp.mean(jnp.log(y[jnp.arange(t.shape[0]), t] + 1e-7))

    @jax.jit
    def step(params, x, t):
        g = jax.grad(loss)(params, x, t)
        return jax.tree_util.tree_map(lambda p, d: p - 0.1 * d, params, g)

    step = jax.jit(step, donate_argnums=0)
    params = step(params, x, t)
    jax.block_until_ready(params)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(5):
            params = step(params, x, t)
        jax.block_until_ready(params)
        samples.append((time.perf_counter() - start) / 5 * 1e3)
    return "ms/step", samples


def w1(dtype, runs):
    rng = np.random.default_rng(1984)
    n, cls = 100, 3
    r = np.repeat(np.arange(n) / n, cls).reshape(n, cls).T.ravel()
    theta = np.repeat(np.arange(cls) * 4.0, n) + 4.0 * r + rng.standard_normal(n * cls) * 0.2
    x = jnp.asarray(np.c_[r * np.sin(theta), r * np.cos(theta)].astype(dtype))
    t = jnp.asarray(np.repeat(np.arange(cls), n))
    params0 = [(jnp.asarray((0.01 * rng.standard_normal((2, 10))).astype(dtype)), jnp.zeros(10, dtype)),
               (jnp.asarray((0.01 * rng.standard_normal((10, 3))).astype(dtype)), jnp.zeros(3, dtype))]
    # The book's data order: a permutation per epoch, 10 batches of 30.
    batches = jnp.asarray(np.concatenate([rng.permutation(300) for _ in range(300)]).reshape(3000, 30))

    def loss(params, xb, tb):
        (w1, b1), (w2, b2) = params
        s = jax.nn.sigmoid(xb @ w1 + b1) @ w2 + b2
        y = jax.nn.softmax(s, axis=1)
        return -jnp.mean(jnp.log(y[jnp.arange(tb.shape[0]), tb] + 1e-7))

    @jax.jit
    def fit(params, batches):
        def step(params, idx):
            l, g = jax.value_and_grad(loss)(params, x[idx], t[idx])
            return jax.tree_util.tree_map(lambda p, d: p - 1.0 * d, params, g), l
        return jax.lax.scan(step, params, batches)

    jax.block_until_ready(fit(params0, batches))
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        jax.block_until_ready(fit(params0, batches))
        samples.append((time.perf_counter() - start) / 3000 * 1e6)
    return "µs/step", samples


def main():
    workload, precision, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if workload not in ("w1", "w3"):
        raise SystemExit(f"jax_workloads.py runs w1 and w3, not {workload}")
    dtype = {"f64": np.float64, "f32": np.float32}[precision]
    unit, samples = {"w1": w1, "w3": w3}[workload](dtype, runs)
    print(json.dumps({"workload": workload, "precision": precision, "unit": unit,
                      "samples": samples, "jax": jax.__version__,
                      "cpuid_masked": cpuid_masked()}))


if __name__ == "__main__":
    main()
