"""Writes numpy_f32_math.json: numpy's float32 `exp` and `log` (its own SIMD loops, not the C
library's) on inputs chosen to reach every branch of them, for dlfs2's ports
(tensor/src/numpy_math.rs, tested in tensor/tests/numpy_math.rs). Each input and output is its
bit pattern in hex.

Run with numpy 2.4.6 (its AVX2 and AVX-512F loops give the same bits):
    python3 numpy_f32_math.py > numpy_f32_math.json"""
import json
import warnings

import numpy as np

warnings.simplefilter("ignore")
rng = np.random.default_rng(2026)
f32 = np.float32


def bits(values):
    return np.asarray(values, dtype=f32).view(np.uint32)


def around(x, ulps):
    """x and its neighbours, `ulps` float32 steps either way."""
    b = int(bits([x])[0])
    return np.arange(b - ulps, b + ulps + 1, dtype=np.int64).astype(np.uint32).view(f32)


specials = bits([0.0, -0.0, np.inf, -np.inf, np.finfo(f32).max, -np.finfo(f32).max,
                 np.finfo(f32).tiny, np.finfo(f32).smallest_subnormal, 1.0, -1.0]).tolist()
specials += [0x7FC00000, 0xFFC00000, 0x7F800001, 0xFFC00001, 0x7FBFFFFF]

exp_x = [np.array(specials, dtype=np.uint32).view(f32)]
exp_x += [around(88.72283935546875, 8), around(-103.97208404541015625, 8)]
# Where the rounding of x·log2(e) to an integer changes: every k from -150 to 128.
exp_x += [around(np.float32((k + 0.5) * np.log(2)), 2) for k in range(-150, 129, 3)]
# Results below the smallest normal (the subnormal scaling), and near zero.
exp_x += [rng.uniform(-104, -86, 600).astype(f32), (rng.standard_normal(300) * 1e-6).astype(f32)]
exp_x += [rng.uniform(-110, 100, 1200).astype(f32),
          rng.integers(0, 2**32, 1200, dtype=np.uint64).astype(np.uint32).view(f32)]
exp_x = np.concatenate(exp_x)

log_x = [np.array(specials, dtype=np.uint32).view(f32)]
# Mantissas on both sides of sqrt(1/2), at several exponents; 1 and its neighbours.
log_x += [around(np.float32(np.sqrt(0.5)) * np.float32(2.0**e), 3) for e in range(-20, 21, 4)]
log_x += [around(1.0, 40), around(np.finfo(f32).tiny, 4)]
log_x += [np.float32(2.0) ** np.arange(-149, 128, 5, dtype=np.float32)]
log_x += [rng.integers(1, 0x800000, 400, dtype=np.uint64).astype(np.uint32).view(f32),
          rng.integers(0, 0x7F800000, 2400, dtype=np.uint64).astype(np.uint32).view(f32),
          -rng.uniform(0, 10, 100).astype(f32), rng.uniform(0, 2, 600).astype(f32)]
log_x = np.concatenate(log_x)


def table(f, x):
    return {"x": [f"{v:08x}" for v in x.view(np.uint32)],
            "y": [f"{v:08x}" for v in f(x).view(np.uint32)]}


print(json.dumps({"numpy": np.__version__, "exp": table(np.exp, exp_x),
                  "log": table(np.log, log_x)}))
