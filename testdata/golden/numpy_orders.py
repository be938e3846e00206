"""Writes numpy_orders.json: products and column sums computed by numpy, for the shapes where
numpy sums in other orders than one chain per element (dlfs2's tensor/src/cpu/blas_order.rs).

Run with numpy 2.4.6 on OpenBLAS's Haswell kernels, the build the book's golden files come from:
    OPENBLAS_CORETYPE=Haswell python3 numpy_orders.py > numpy_orders.json
Every float is written as repr() (shortest round trip)."""
import json
import numpy as np

rng = np.random.default_rng(2026)
cases = []

def mat(rows, cols, dtype):
    return rng.standard_normal((rows, cols)).astype(dtype)

def dot(what, a, ta, b, tb, dtype):
    A = a.T if ta else a
    B = b.T if tb else b
    out = np.dot(A, B)
    cases.append({
        "what": what, "dtype": dtype,
        "a": [repr(float(v)) for v in a.ravel()], "a_shape": list(a.shape), "ta": ta,
        "b": [repr(float(v)) for v in b.ravel()], "b_shape": list(b.shape), "tb": tb,
        "out": [repr(float(v)) for v in out.ravel()], "out_shape": list(out.shape),
    })

# gemm: k on both sides of each panel boundary (f64: 256; f32: 320), plain and transposed.
for k in (256, 257, 512, 513, 769):
    dot(f"gemm k={k}", mat(2, k, "d"), False, mat(k, 2, "d"), False, "f64")
dot("gemm xT.dout k=300", mat(300, 2, "d"), True, mat(300, 3, "d"), False, "f64")
dot("gemm h.W2T k=400", mat(3, 400, "d"), False, mat(3, 400, "d"), True, "f64")
for k in (320, 321, 641):
    dot(f"sgemm k={k}", mat(2, k, "f"), False, mat(k, 2, "f"), False, "f32")
# gemv: a row times a matrix (dgemv_n, or dgemv_t when the matrix is transposed) ...
for m in (2, 3, 4, 5, 10, 13):
    for k in (2, 3, 4, 5, 10, 17):
        dot(f"row.matrix m={m} k={k}", mat(1, k, "d"), False, mat(k, m, "d"), False, "f64")
dot("row.matrixT (dout.W2T) k=3", mat(1, 3, "d"), False, mat(10, 3, "d"), True, "f64")
dot("row.matrixT k=9 n=6", mat(1, 9, "d"), False, mat(6, 9, "d"), True, "f64")
# ... and a matrix times a column (dgemv_t, or dgemv_n when the matrix is transposed).
dot("x.W1 hidden 1", mat(30, 2, "d"), False, mat(2, 1, "d"), False, "f64")
dot("dout.W2T hidden 1", mat(30, 3, "d"), False, mat(1, 3, "d"), True, "f64")
for n in (2, 3, 5, 6, 7, 10):
    for k in (2, 3, 4, 7, 8, 13, 30):
        dot(f"matrix.col n={n} k={k}", mat(n, k, "d"), False, mat(k, 1, "d"), False, "f64")
dot("matrixT.col (xT.dh) k=30", mat(30, 2, "d"), True, mat(30, 1, "d"), False, "f64")
dot("matrixT.col k=30 m=5", mat(30, 5, "d"), True, mat(30, 1, "d"), False, "f64")
# Column sums: one column pairwise, several row by row.
for rows, cols in ((5, 1), (30, 1), (129, 1), (300, 1), (30, 3)):
    x = mat(rows, cols, "d")
    cases.append({
        "what": f"sum axis 0 of {rows}x{cols}", "dtype": "f64",
        "a": [repr(float(v)) for v in x.ravel()], "a_shape": [rows, cols],
        "out": [repr(float(v)) for v in np.sum(x, axis=0)],
    })
print(json.dumps({"numpy": np.__version__, "cases": cases}, separators=(",", ":")))
