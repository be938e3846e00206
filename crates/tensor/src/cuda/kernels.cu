// The CUDA kernels of dlfs2's tensor crate: one per CPU op that is not a matrix product (those go
// to cuBLAS), named like the CPU functions in src/cpu/, each instantiated for float (_f32) and
// double (_f64). Compiled by NVRTC at first use with --fmad=false, so that `a * b + c` rounds twice
// as on the CPU and the elementwise ops (optimizer updates, sigmoid backward, ...) match it bit for
// bit; exp and log come from CUDA's libdevice and may differ from glibc in the last bit.
//
// The tests also compile this file as C++ and run it on the CPU (tests/kernels_on_cpu.rs, with
// tests/kernels_on_cpu/shim.h): use only what that shim provides (blockIdx/threadIdx/blockDim/
// gridDim .x, __syncthreads, one dynamic shared array, math from <cmath>).
//
// Shapes: matrices are row-major, `rows x cols`; `n` is a number of elements.
//
// The `*_multi` kernels do one op over all of a model's params in one launch. Their `table` holds
// one row per tensor: TABLE_COLS 64-bit words, device pointers and then the element count (see
// src/cuda/multi.rs, which builds it). Every thread walks the rows; the grid-stride loop splits
// each tensor's elements among the threads.

template <typename T> __device__ __forceinline__ T exp_t(T x);
template <> __device__ __forceinline__ float exp_t<float>(float x) { return expf(x); }
template <> __device__ __forceinline__ double exp_t<double>(double x) { return exp(x); }
template <typename T> __device__ __forceinline__ T log_t(T x);
template <> __device__ __forceinline__ float log_t<float>(float x) { return logf(x); }
template <> __device__ __forceinline__ double log_t<double>(double x) { return log(x); }
template <typename T> __device__ __forceinline__ T sqrt_t(T x);
template <> __device__ __forceinline__ float sqrt_t<float>(float x) { return sqrtf(x); }
template <> __device__ __forceinline__ double sqrt_t<double>(double x) { return sqrt(x); }
template <typename T> __device__ __forceinline__ bool finite_t(T x) { return isfinite(x); }

#define TABLE_COLS 5

// Row j of a multi-tensor table: up to four pointers (unused ones are 0) and the element count.
struct TableRow { unsigned long long ptr[4]; long long n; };
__device__ __forceinline__ TableRow table_row(const unsigned long long* table, int j) {
    const unsigned long long* r = table + (long long)j * TABLE_COLS;
    TableRow row;
    for (int k = 0; k < 4; ++k) row.ptr[k] = r[k];
    row.n = (long long)r[4];
    return row;
}

#define GRID_LOOP(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)

// out[r, :] = src[idx[r], :]  (a mini-batch)
template <typename T> __device__ void gather_rows(const T* src, const unsigned int* idx, T* out, int rows, int cols) {
    GRID_LOOP(i, (long long)rows * cols) { int r = i / cols, c = i % cols; out[i] = src[(long long)idx[r] * cols + c]; }
}

// x[r, c] += b[c]
template <typename T> __device__ void add_row(T* x, const T* b, int rows, int cols) {
    GRID_LOOP(i, (long long)rows * cols) { x[i] = x[i] + b[i % cols]; }
}

// out = 1 / (1 + exp(-x))
template <typename T> __device__ void sigmoid(const T* x, T* out, long long n) {
    GRID_LOOP(i, n) { out[i] = (T)1 / ((T)1 + exp_t(-x[i])); }
}

// out = 1 / (1 + exp(-(x + b[c]))): Affine's bias add fused into the following Sigmoid.
// x + b is rounded to T first, as the two separate ops do.
template <typename T> __device__ void add_row_sigmoid(const T* x, const T* b, T* out, int rows, int cols) {
    GRID_LOOP(i, (long long)rows * cols) { T z = x[i] + b[i % cols]; out[i] = (T)1 / ((T)1 + exp_t(-z)); }
}

// dx = dout * (1 - y) * y
template <typename T> __device__ void sigmoid_backward(const T* dout, const T* y, T* dx, long long n) {
    GRID_LOOP(i, n) { dx[i] = dout[i] * ((T)1 - y[i]) * y[i]; }
}

// Softmax of one row: o = exp(x - max(x)) / sum.
template <typename T> __device__ __forceinline__ void softmax_row(const T* xr, T* o, int cols) {
    T m = xr[0];
    for (int j = 1; j < cols; ++j) m = xr[j] > m ? xr[j] : m;
    T s = 0;
    for (int j = 0; j < cols; ++j) { o[j] = exp_t(xr[j] - m); s += o[j]; }
    for (int j = 0; j < cols; ++j) o[j] = o[j] / s;
}

// Row-wise softmax, one thread per row (the chapter's rows are a few classes wide).
template <typename T> __device__ void softmax(const T* x, T* out, int rows, int cols) {
    GRID_LOOP(r, rows) { softmax_row(x + r * cols, out + r * cols, cols); }
}

// Softmax of the scores into y and the book's loss -sum(log(y[n, t_n] + 1e-7)) / N into loss[0];
// when dx is not null, also the gradient for dout = 1, dx = (y - onehot(t)) / N (the backward
// fused into the forward: `v * 1` is exact, so this equals the backward kernel with dout = 1).
// One block: threads take rows, then thread 0 adds the per-row terms in row order.
template <typename T> __device__ void softmax_cross_entropy(const T* x, const unsigned int* t, T* y, T* dx, T* row_loss, T* loss, int rows, int cols) {
    for (int r = threadIdx.x; r < rows; r += blockDim.x) {
        softmax_row(x + (long long)r * cols, y + (long long)r * cols, cols);
        row_loss[r] = log_t(y[(long long)r * cols + t[r]] + (T)1e-7);
        if (dx != nullptr) {
            for (int c = 0; c < cols; ++c) {
                long long i = (long long)r * cols + c;
                T v = y[i];
                if ((unsigned int)c == t[r]) v = v - (T)1;
                dx[i] = v / (T)rows;
            }
        }
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        T s = 0;
        for (int r = 0; r < rows; ++r) s += row_loss[r];
        loss[0] = -s / (T)rows;
    }
}

// dx = (y - onehot(t)) * dout / N
template <typename T> __device__ void softmax_cross_entropy_backward(const T* y, const unsigned int* t, T dout, T* dx, int rows, int cols) {
    GRID_LOOP(i, (long long)rows * cols) {
        int r = i / cols, c = i % cols;
        T v = y[i];
        if ((unsigned int)c == t[r]) v = v - (T)1;
        dx[i] = v * dout / (T)rows;
    }
}

// dx = y * dout - y * sum(y * dout, axis=1), one thread per row
template <typename T> __device__ void softmax_backward(const T* y, const T* dout, T* dx, int rows, int cols) {
    GRID_LOOP(r, rows) {
        const T* yr = y + r * cols; const T* g = dout + r * cols; T* d = dx + r * cols;
        T s = 0;
        for (int j = 0; j < cols; ++j) { d[j] = yr[j] * g[j]; s += d[j]; }
        for (int j = 0; j < cols; ++j) d[j] = d[j] - yr[j] * s;
    }
}

// out[c] = sum over rows of x[r, c], rows added in order (the CPU's order: bit-identical)
template <typename T> __device__ void sum_rows(const T* x, T* out, int rows, int cols) {
    GRID_LOOP(c, cols) { T s = 0; for (int r = 0; r < rows; ++r) s += x[(long long)r * cols + c]; out[c] = s; }
}

// out[r, :] = x[0, :]
template <typename T> __device__ void repeat_rows(const T* x, T* out, int rows, int cols) {
    GRID_LOOP(i, (long long)rows * cols) { out[i] = x[i % cols]; }
}

// *out = sum(x * x) over one block: strided per-thread sums, then a shared-memory tree.
// blockDim.x must be a power of two; the caller gives blockDim.x * sizeof(T) bytes of shared memory.
template <typename T> __device__ void sum_squares_block(const T* x, long long n, T* out) {
    extern __shared__ __align__(16) unsigned char smem[];
    T* part = (T*)smem;
    T s = 0;
    for (long long i = threadIdx.x; i < n; i += blockDim.x) s += x[i] * x[i];
    part[threadIdx.x] = s;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w /= 2) {
        if (threadIdx.x < w) part[threadIdx.x] += part[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0) *out = part[0];
}

// out[0] = sum(x * x), one block
template <typename T> __device__ void sum_squares(const T* x, T* out, long long n) { sum_squares_block(x, n, out); }

// out[j] = sum(x_j * x_j) for every tensor of the table (ptr[0]), one block per tensor
template <typename T> __device__ void sum_squares_multi(const unsigned long long* table, int count, T* out) {
    for (int j = blockIdx.x; j < count; j += gridDim.x) {
        TableRow row = table_row(table, j);
        sum_squares_block((const T*)row.ptr[0], row.n, out + j);
        __syncthreads();
    }
}

// x *= s
template <typename T> __device__ void scale(T* x, T s, long long n) { GRID_LOOP(i, n) { x[i] = x[i] * s; } }

// x_j *= s for every tensor of the table (ptr[0])
template <typename T> __device__ void scale_multi(const unsigned long long* table, int count, T s) {
    for (int j = 0; j < count; ++j) { TableRow row = table_row(table, j); scale((T*)row.ptr[0], s, row.n); }
}

// flag[0] = 1 when some x is NaN or infinite (flag starts at 0)
template <typename T> __device__ void all_finite(const T* x, int* flag, long long n) {
    GRID_LOOP(i, n) { if (!finite_t(x[i])) flag[0] = 1; }
}

// flags[j] = 1 when tensor j of the table (ptr[0]) holds a NaN or an infinity (flags start at 0)
template <typename T> __device__ void all_finite_multi(const unsigned long long* table, int count, int* flags) {
    for (int j = 0; j < count; ++j) { TableRow row = table_row(table, j); all_finite((const T*)row.ptr[0], flags + j, row.n); }
}

// out[r] = first index of the largest value of row r (NaN counts as largest)
template <typename T> __device__ void argmax_rows(const T* x, unsigned int* out, int rows, int cols) {
    GRID_LOOP(r, rows) {
        const T* xr = x + r * cols; int best = 0;
        if (!isnan(xr[0])) {
            for (int j = 1; j < cols; ++j) {
                if (isnan(xr[j])) { best = j; break; }
                if (xr[j] > xr[best]) best = j;
            }
        }
        out[r] = best;
    }
}

// The fused class prediction of the chapter's network, one thread per point.
template <typename T> __device__ void classify_two_layer(const T* x, const T* w1, const T* b1, const T* w2, const T* b2, unsigned int* out, int n, int inputs, int hidden, int classes) {
    GRID_LOOP(p, n) {
        T best = 0; int besti = 0;
        for (int c = 0; c < classes; ++c) {
            T s = b2[c];
            for (int j = 0; j < hidden; ++j) {
                T z = b1[j];
                for (int i = 0; i < inputs; ++i) z += x[p * inputs + i] * w1[i * hidden + j];
                s += ((T)1 / ((T)1 + exp_t(-z))) * w2[j * classes + c];
            }
            if (c == 0 || s > best) { best = s; besti = c; }
        }
        out[p] = besti;
    }
}

// Optimizer updates, in the book's order of operations (see src/cpu/update.rs): one function per
// rule for element i, run by a kernel over one param and by a `*_multi` kernel over a table whose
// rows are (p, state 1, state 2, g, n).
template <typename T> __device__ __forceinline__ void sgd_at(long long i, T* p, T*, T*, const T* g, T lr) { p[i] = p[i] - lr * g[i]; }
template <typename T> __device__ __forceinline__ void momentum_at(long long i, T* p, T* v, T*, const T* g, T lr, T m) {
    v[i] = m * v[i] - lr * g[i]; p[i] = p[i] + v[i];
}
template <typename T> __device__ __forceinline__ void nesterov_at(long long i, T* p, T* v, T*, const T* g, T lr, T m, T mm, T one_plus_m_lr) {
    v[i] = v[i] * m; v[i] = v[i] - lr * g[i]; p[i] = p[i] + mm * v[i]; p[i] = p[i] - one_plus_m_lr * g[i];
}
template <typename T> __device__ __forceinline__ void adagrad_at(long long i, T* p, T* h, T*, const T* g, T lr) {
    h[i] = h[i] + g[i] * g[i]; p[i] = p[i] - lr * g[i] / (sqrt_t(h[i]) + (T)1e-7);
}
template <typename T> __device__ __forceinline__ void rmsprop_at(long long i, T* p, T* h, T*, const T* g, T lr, T d, T one_minus_d) {
    h[i] = h[i] * d; h[i] = h[i] + one_minus_d * g[i] * g[i]; p[i] = p[i] - lr * g[i] / (sqrt_t(h[i]) + (T)1e-7);
}
template <typename T> __device__ __forceinline__ void adam_at(long long i, T* p, T* m, T* v, const T* g, T lr_t, T one_minus_b1, T one_minus_b2) {
    m[i] = m[i] + one_minus_b1 * (g[i] - m[i]);
    v[i] = v[i] + one_minus_b2 * (g[i] * g[i] - v[i]);
    p[i] = p[i] - lr_t * m[i] / (sqrt_t(v[i]) + (T)1e-7);
}

// One kernel over one param (s1, s2: its state, or unused) and one over a table of params.
#define UPDATE_KERNELS(RULE, T, S, PARAMS, ARGS) \
extern "C" __global__ void RULE##_##S(T* p, T* s1, T* s2, const T* g, PARAMS, long long n) { GRID_LOOP(i, n) { RULE##_at<T>(i, p, s1, s2, g, ARGS); } } \
extern "C" __global__ void RULE##_multi_##S(const unsigned long long* table, int count, PARAMS) { \
    for (int j = 0; j < count; ++j) { \
        TableRow r = table_row(table, j); \
        GRID_LOOP(i, r.n) { RULE##_at<T>(i, (T*)r.ptr[0], (T*)r.ptr[1], (T*)r.ptr[2], (const T*)r.ptr[3], ARGS); } \
    } \
}
#define COMMA ,

#define INSTANTIATE(T, S) \
extern "C" __global__ void gather_rows_##S(const T* src, const unsigned int* idx, T* out, int rows, int cols) { gather_rows<T>(src, idx, out, rows, cols); } \
extern "C" __global__ void add_row_##S(T* x, const T* b, int rows, int cols) { add_row<T>(x, b, rows, cols); } \
extern "C" __global__ void sigmoid_##S(const T* x, T* out, long long n) { sigmoid<T>(x, out, n); } \
extern "C" __global__ void add_row_sigmoid_##S(const T* x, const T* b, T* out, int rows, int cols) { add_row_sigmoid<T>(x, b, out, rows, cols); } \
extern "C" __global__ void sigmoid_backward_##S(const T* dout, const T* y, T* dx, long long n) { sigmoid_backward<T>(dout, y, dx, n); } \
extern "C" __global__ void softmax_##S(const T* x, T* out, int rows, int cols) { softmax<T>(x, out, rows, cols); } \
extern "C" __global__ void softmax_cross_entropy_##S(const T* x, const unsigned int* t, T* y, T* dx, T* row_loss, T* loss, int rows, int cols) { softmax_cross_entropy<T>(x, t, y, dx, row_loss, loss, rows, cols); } \
extern "C" __global__ void softmax_cross_entropy_backward_##S(const T* y, const unsigned int* t, T dout, T* dx, int rows, int cols) { softmax_cross_entropy_backward<T>(y, t, dout, dx, rows, cols); } \
extern "C" __global__ void softmax_backward_##S(const T* y, const T* dout, T* dx, int rows, int cols) { softmax_backward<T>(y, dout, dx, rows, cols); } \
extern "C" __global__ void sum_rows_##S(const T* x, T* out, int rows, int cols) { sum_rows<T>(x, out, rows, cols); } \
extern "C" __global__ void repeat_rows_##S(const T* x, T* out, int rows, int cols) { repeat_rows<T>(x, out, rows, cols); } \
extern "C" __global__ void sum_squares_##S(const T* x, T* out, long long n) { sum_squares<T>(x, out, n); } \
extern "C" __global__ void sum_squares_multi_##S(const unsigned long long* table, int count, T* out) { sum_squares_multi<T>(table, count, out); } \
extern "C" __global__ void scale_##S(T* x, T s, long long n) { scale<T>(x, s, n); } \
extern "C" __global__ void scale_multi_##S(const unsigned long long* table, int count, T s) { scale_multi<T>(table, count, s); } \
extern "C" __global__ void all_finite_##S(const T* x, int* flag, long long n) { all_finite<T>(x, flag, n); } \
extern "C" __global__ void all_finite_multi_##S(const unsigned long long* table, int count, int* flags) { all_finite_multi<T>(table, count, flags); } \
extern "C" __global__ void argmax_rows_##S(const T* x, unsigned int* out, int rows, int cols) { argmax_rows<T>(x, out, rows, cols); } \
extern "C" __global__ void classify_two_layer_##S(const T* x, const T* w1, const T* b1, const T* w2, const T* b2, unsigned int* out, int n, int inputs, int hidden, int classes) { classify_two_layer<T>(x, w1, b1, w2, b2, out, n, inputs, hidden, classes); } \
UPDATE_KERNELS(sgd, T, S, T lr, lr) \
UPDATE_KERNELS(momentum, T, S, T lr COMMA T m, lr COMMA m) \
UPDATE_KERNELS(nesterov, T, S, T lr COMMA T m COMMA T mm COMMA T ml, lr COMMA m COMMA mm COMMA ml) \
UPDATE_KERNELS(adagrad, T, S, T lr, lr) \
UPDATE_KERNELS(rmsprop, T, S, T lr COMMA T d COMMA T od, lr COMMA d COMMA od) \
UPDATE_KERNELS(adam, T, S, T lr_t COMMA T ob1 COMMA T ob2, lr_t COMMA ob1 COMMA ob2)

INSTANTIATE(float, f32)
INSTANTIATE(double, f64)
