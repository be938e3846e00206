//! The op set on a GPU, one function per op of [`crate::ops`] (which checks shapes and devices
//! first and then calls these for CUDA tensors).

use cudarc::cublas::{GemmConfig, sys::cublasOperation_t};
use cudarc::driver::{LaunchConfig, PushKernelArg};

use super::{Backend, CudaStorage, backend_err};
use crate::device::Device;
use crate::error::{Result, TensorError};
use crate::float::Float;
use crate::labels::Labels;
use crate::tensor::{Storage, Tensor};

fn st<'a, T: Float>(op: &'static str, t: &'a Tensor<T>) -> Result<&'a CudaStorage<T>> {
    match &t.storage {
        Storage::Cuda(s) => Ok(s),
        Storage::Cpu(_) => Err(TensorError::DeviceMismatch {
            op,
            lhs: Device::Cpu,
            rhs: Device::Cuda(0),
        }),
    }
}

fn st_mut<'a, T: Float>(op: &'static str, t: &'a mut Tensor<T>) -> Result<&'a mut CudaStorage<T>> {
    match &mut t.storage {
        Storage::Cuda(s) => Ok(s),
        Storage::Cpu(_) => Err(TensorError::DeviceMismatch {
            op,
            lhs: Device::Cpu,
            rhs: Device::Cuda(0),
        }),
    }
}

fn name<T: Float>(kernel: &str) -> String {
    format!("{kernel}_{}", T::NAME)
}

/// Runs `kernel` with the arguments pushed by `push`, over `work` items.
macro_rules! launch {
    ($b:expr, $kernel:expr, $T:ty, $cfg:expr, $($arg:expr),+ $(,)?) => {{
        let f = $b.func(&name::<$T>($kernel))?;
        let mut l = $b.stream.launch_builder(&f);
        $( l.arg($arg); )+
        // SAFETY: the arguments match the kernel's signature in kernels.cu (pointer, pointer, ...,
        // i32/i64 sizes), and every buffer holds at least the elements the sizes announce.
        unsafe { l.launch($cfg) }.map_err(backend_err($b.ordinal, $kernel))?;
    }};
}

/// `out = op(a) · op(b)` with cuBLAS. Row-major `C = A·B` is column-major `Cᵀ = Bᵀ·Aᵀ`, so the
/// operands go in swapped, each transposed when its flag is *not* set relative to that view.
pub(crate) fn matmul<T: Float>(
    a: &Tensor<T>,
    transpose_a: bool,
    b: &Tensor<T>,
    transpose_b: bool,
    out: &mut Tensor<T>,
    (m, k, n): (usize, usize, usize),
) -> Result<()> {
    let (sa, sb) = (st("matmul", a)?, st("matmul", b)?);
    let so = st_mut("matmul", out)?;
    let be = so.backend.clone();
    if m == 0 || n == 0 {
        return Ok(());
    }
    if k == 0 {
        return be
            .stream
            .memset_zeros(&mut so.data)
            .map_err(backend_err(be.ordinal, "memset"));
    }
    let op = |t: bool| {
        if t {
            cublasOperation_t::CUBLAS_OP_T
        } else {
            cublasOperation_t::CUBLAS_OP_N
        }
    };
    let cfg = GemmConfig {
        transa: op(transpose_b),
        transb: op(transpose_a),
        m: n as i32,
        n: m as i32,
        k: k as i32,
        alpha: T::ONE,
        lda: sb.cols as i32,
        ldb: sa.cols as i32,
        beta: T::ZERO,
        ldc: n as i32,
    };
    T::gemm(&be.blas, cfg, &sb.data, &sa.data, &mut so.data).map_err(|e| TensorError::Backend {
        device: Device::Cuda(be.ordinal),
        op: "matmul (cuBLAS)",
        message: format!("{e:?}"),
    })
}

pub(crate) fn add_row<T: Float>(x: &mut Tensor<T>, b: &Tensor<T>) -> Result<()> {
    let sb = st("add_row", b)?;
    let sx = st_mut("add_row", x)?;
    let (rows, cols) = (sx.rows as i32, sx.cols as i32);
    let be = sx.backend.clone();
    launch!(
        be,
        "add_row",
        T,
        Backend::cfg(sx.rows * sx.cols),
        &mut sx.data,
        &sb.data,
        &rows,
        &cols
    );
    Ok(())
}

pub(crate) fn sigmoid<T: Float>(x: &Tensor<T>, out: &mut Tensor<T>) -> Result<()> {
    let sx = st("sigmoid", x)?;
    let so = st_mut("sigmoid", out)?;
    let n = (sx.rows * sx.cols) as i64;
    let be = sx.backend.clone();
    launch!(
        be,
        "sigmoid",
        T,
        Backend::cfg(n as usize),
        &sx.data,
        &mut so.data,
        &n
    );
    Ok(())
}

pub(crate) fn sigmoid_backward<T: Float>(
    dout: &Tensor<T>,
    y: &Tensor<T>,
    dx: &mut Tensor<T>,
) -> Result<()> {
    let (sd, sy) = (st("sigmoid_backward", dout)?, st("sigmoid_backward", y)?);
    let so = st_mut("sigmoid_backward", dx)?;
    let n = (sy.rows * sy.cols) as i64;
    let be = sy.backend.clone();
    launch!(
        be,
        "sigmoid_backward",
        T,
        Backend::cfg(n as usize),
        &sd.data,
        &sy.data,
        &mut so.data,
        &n
    );
    Ok(())
}

pub(crate) fn softmax<T: Float>(x: &Tensor<T>, out: &mut Tensor<T>) -> Result<()> {
    let sx = st("softmax", x)?;
    let so = st_mut("softmax", out)?;
    let (rows, cols) = (sx.rows as i32, sx.cols as i32);
    let be = sx.backend.clone();
    launch!(
        be,
        "softmax",
        T,
        Backend::cfg(sx.rows),
        &sx.data,
        &mut so.data,
        &rows,
        &cols
    );
    Ok(())
}

pub(crate) fn softmax_backward<T: Float>(
    y: &Tensor<T>,
    dout: &Tensor<T>,
    dx: &mut Tensor<T>,
) -> Result<()> {
    let (sy, sd) = (st("softmax_backward", y)?, st("softmax_backward", dout)?);
    let so = st_mut("softmax_backward", dx)?;
    let (rows, cols) = (sy.rows as i32, sy.cols as i32);
    let be = sy.backend.clone();
    launch!(
        be,
        "softmax_backward",
        T,
        Backend::cfg(sy.rows),
        &sy.data,
        &sd.data,
        &mut so.data,
        &rows,
        &cols
    );
    Ok(())
}

/// Uploads `values` into the backend's reusable index buffer and runs `f` with it.
fn with_u32<R>(
    be: &Backend,
    labels: bool,
    values: &[u32],
    f: impl FnOnce(&cudarc::driver::CudaSlice<u32>) -> Result<R>,
) -> Result<R> {
    let mut scratch = be.scratch.lock().unwrap_or_else(|p| p.into_inner());
    let buf = if labels {
        &mut scratch.labels
    } else {
        &mut scratch.indices
    };
    if buf.len() < values.len().max(1) {
        *buf = be
            .stream
            .alloc_zeros(values.len().max(1))
            .map_err(backend_err(be.ordinal, "alloc"))?;
    }
    if !values.is_empty() {
        be.stream
            .memcpy_htod(values, buf)
            .map_err(backend_err(be.ordinal, "memcpy_htod"))?;
    }
    f(buf)
}

/// Softmax into `y` and the loss, which is the one value copied back.
pub(crate) fn softmax_cross_entropy<T: Float>(
    x: &Tensor<T>,
    t: &Labels,
    y: &mut Tensor<T>,
) -> Result<T> {
    let sx = st("softmax_cross_entropy", x)?;
    let sy = st_mut("softmax_cross_entropy", y)?;
    let be = sx.backend.clone();
    let (rows, cols) = (sx.rows as i32, sx.cols as i32);
    let mut row_loss = CudaStorage::<T>::zeros(be.clone(), sx.rows, 1)?;
    let mut loss = CudaStorage::<T>::zeros(be.clone(), 1, 1)?;
    with_u32(&be, true, t.indices(), |labels| {
        let cfg = LaunchConfig {
            grid_dim: (1, 1, 1),
            block_dim: (super::THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        launch!(
            be,
            "softmax_cross_entropy",
            T,
            cfg,
            &sx.data,
            labels,
            &mut sy.data,
            &mut row_loss.data,
            &mut loss.data,
            &rows,
            &cols
        );
        Ok(())
    })?;
    Ok(loss.read()?[0])
}

pub(crate) fn softmax_cross_entropy_backward<T: Float>(
    y: &Tensor<T>,
    t: &Labels,
    dout: T,
    dx: &mut Tensor<T>,
) -> Result<()> {
    let sy = st("softmax_cross_entropy_backward", y)?;
    let so = st_mut("softmax_cross_entropy_backward", dx)?;
    let be = sy.backend.clone();
    let (rows, cols) = (sy.rows as i32, sy.cols as i32);
    with_u32(&be, true, t.indices(), |labels| {
        launch!(
            be,
            "softmax_cross_entropy_backward",
            T,
            Backend::cfg(sy.rows * sy.cols),
            &sy.data,
            labels,
            &dout,
            &mut so.data,
            &rows,
            &cols
        );
        Ok(())
    })
}

pub(crate) fn sum_rows<T: Float>(x: &Tensor<T>, out: &mut Tensor<T>) -> Result<()> {
    let sx = st("sum_rows", x)?;
    let so = st_mut("sum_rows", out)?;
    let (rows, cols) = (sx.rows as i32, sx.cols as i32);
    let be = sx.backend.clone();
    launch!(
        be,
        "sum_rows",
        T,
        Backend::cfg(sx.cols),
        &sx.data,
        &mut so.data,
        &rows,
        &cols
    );
    Ok(())
}

pub(crate) fn repeat_rows<T: Float>(x: &Tensor<T>, out: &mut Tensor<T>) -> Result<()> {
    let sx = st("repeat_rows", x)?;
    let so = st_mut("repeat_rows", out)?;
    let (rows, cols) = (so.rows as i32, so.cols as i32);
    let be = sx.backend.clone();
    launch!(
        be,
        "repeat_rows",
        T,
        Backend::cfg(so.rows * so.cols),
        &sx.data,
        &mut so.data,
        &rows,
        &cols
    );
    Ok(())
}

pub(crate) fn gather_rows<T: Float>(
    src: &Tensor<T>,
    idx: &[usize],
    out: &mut Tensor<T>,
) -> Result<()> {
    let ss = st("gather_rows", src)?;
    let so = st_mut("gather_rows", out)?;
    let be = ss.backend.clone();
    let (rows, cols) = (idx.len() as i32, ss.cols as i32);
    let idx32: Vec<u32> = idx.iter().map(|&i| i as u32).collect();
    with_u32(&be, false, &idx32, |dev_idx| {
        launch!(
            be,
            "gather_rows",
            T,
            Backend::cfg(idx.len() * ss.cols),
            &ss.data,
            dev_idx,
            &mut so.data,
            &rows,
            &cols
        );
        Ok(())
    })
}

pub(crate) fn sum_squares<T: Float>(x: &Tensor<T>) -> Result<T> {
    let sx = st("sum_squares", x)?;
    let be = sx.backend.clone();
    let n = (sx.rows * sx.cols) as i64;
    let mut out = CudaStorage::<T>::zeros(be.clone(), 1, 1)?;
    let cfg = LaunchConfig {
        grid_dim: (1, 1, 1),
        block_dim: (super::THREADS, 1, 1),
        shared_mem_bytes: super::THREADS * std::mem::size_of::<T>() as u32,
    };
    launch!(be, "sum_squares", T, cfg, &sx.data, &mut out.data, &n);
    Ok(out.read()?[0])
}

pub(crate) fn scale<T: Float>(x: &mut Tensor<T>, s: T) -> Result<()> {
    let sx = st_mut("scale", x)?;
    let n = (sx.rows * sx.cols) as i64;
    let be = sx.backend.clone();
    launch!(
        be,
        "scale",
        T,
        Backend::cfg(n as usize),
        &mut sx.data,
        &s,
        &n
    );
    Ok(())
}

pub(crate) fn all_finite<T: Float>(x: &Tensor<T>) -> Result<bool> {
    let sx = st("all_finite", x)?;
    let be = sx.backend.clone();
    let n = (sx.rows * sx.cols) as i64;
    let mut scratch = be.scratch.lock().unwrap_or_else(|p| p.into_inner());
    be.stream
        .memset_zeros(&mut scratch.flag)
        .map_err(backend_err(be.ordinal, "memset"))?;
    launch!(
        be,
        "all_finite",
        T,
        Backend::cfg(n as usize),
        &sx.data,
        &mut scratch.flag,
        &n
    );
    let flag: Vec<i32> = be
        .stream
        .clone_dtoh(&scratch.flag)
        .map_err(backend_err(be.ordinal, "clone_dtoh"))?;
    Ok(flag[0] == 0)
}

pub(crate) fn argmax_rows<T: Float>(x: &Tensor<T>, out: &mut Vec<usize>) -> Result<()> {
    let sx = st("argmax_rows", x)?;
    let be = sx.backend.clone();
    let (rows, cols) = (sx.rows as i32, sx.cols as i32);
    let mut dev = be
        .stream
        .alloc_zeros::<u32>(sx.rows.max(1))
        .map_err(backend_err(be.ordinal, "alloc"))?;
    launch!(
        be,
        "argmax_rows",
        T,
        Backend::cfg(sx.rows),
        &sx.data,
        &mut dev,
        &rows,
        &cols
    );
    let host = be
        .stream
        .clone_dtoh(&dev)
        .map_err(backend_err(be.ordinal, "clone_dtoh"))?;
    out.clear();
    out.extend(host[..sx.rows].iter().map(|&c| c as usize));
    Ok(())
}

pub(crate) fn classify_two_layer<T: Float>(
    x: &Tensor<T>,
    [w1, b1, w2, b2]: [&Tensor<T>; 4],
    out: &mut Vec<usize>,
) -> Result<()> {
    let op = "classify_two_layer";
    let (sx, s1, sb1, s2, sb2) = (
        st(op, x)?,
        st(op, w1)?,
        st(op, b1)?,
        st(op, w2)?,
        st(op, b2)?,
    );
    let be = sx.backend.clone();
    let (n, inputs, hidden, classes) = (
        sx.rows as i32,
        sx.cols as i32,
        s1.cols as i32,
        s2.cols as i32,
    );
    let mut dev = be
        .stream
        .alloc_zeros::<u32>(sx.rows.max(1))
        .map_err(backend_err(be.ordinal, "alloc"))?;
    launch!(
        be,
        "classify_two_layer",
        T,
        Backend::cfg(sx.rows),
        &sx.data,
        &s1.data,
        &sb1.data,
        &s2.data,
        &sb2.data,
        &mut dev,
        &n,
        &inputs,
        &hidden,
        &classes
    );
    let host = be
        .stream
        .clone_dtoh(&dev)
        .map_err(backend_err(be.ordinal, "clone_dtoh"))?;
    out.clear();
    out.extend(host[..sx.rows].iter().map(|&c| c as usize));
    Ok(())
}

/// One optimizer update kernel over a param, its state slots and its grad; `scalars` are the
/// hyper-parameters already rounded to `T`, in the kernel's order.
pub(crate) fn update<T: Float>(
    kernel: &'static str,
    p: &mut Tensor<T>,
    state: &mut [&mut Tensor<T>],
    g: &Tensor<T>,
    scalars: &[T],
) -> Result<()> {
    let sg = st(kernel, g)?;
    let be = sg.backend.clone();
    let n = (sg.rows * sg.cols) as i64;
    let sp = st_mut(kernel, p)?;
    let f = be.func(&name::<T>(kernel))?;
    let mut l = be.stream.launch_builder(&f);
    l.arg(&mut sp.data);
    let mut slots = Vec::with_capacity(state.len());
    for s in state.iter_mut() {
        slots.push(st_mut(kernel, s)?);
    }
    for s in slots.iter_mut() {
        l.arg(&mut s.data);
    }
    l.arg(&sg.data);
    for s in scalars {
        l.arg(s);
    }
    l.arg(&n);
    // SAFETY: the kernels' signatures are (p, state..., g, scalars..., n) in kernels.cu, and every
    // buffer has the param's `n` elements (the ops layer checked the shapes).
    unsafe { l.launch(Backend::cfg(n as usize)) }.map_err(backend_err(be.ordinal, kernel))?;
    Ok(())
}
