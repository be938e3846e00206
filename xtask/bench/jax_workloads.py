"""W3 in JAX, written as an expert would, for `cargo xtask bench --vs-numpy`: the whole SGD step
(forward, autodiff backward, update) as one jitted function on XLA's CPU backend, parameters
donated so that XLA updates them in place. Same network, batch, initialisation scale, loss and
learning rate as the Rust W3; timed the same way (ms per step, 5 steps a sample, after a warm-up
that compiles).

usage: python3 jax_workloads.py w3 (f64|f32) RUNS
prints one JSON line: {"workload", "precision", "unit", "samples", "jax"}
"""

import json
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402  (after the x64 switch)
import numpy as np  # noqa: E402


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


def main():
    workload, precision, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if workload != "w3":
        raise SystemExit(f"jax_workloads.py runs w3 only, not {workload}")
    dtype = {"f64": np.float64, "f32": np.float32}[precision]
    unit, samples = w3(dtype, runs)
    print(json.dumps({"workload": workload, "precision": precision, "unit": unit,
                      "samples": samples, "jax": jax.__version__}))


if __name__ == "__main__":
    main()
