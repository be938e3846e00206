//! The op set on a GPU, one function per op of [`crate::ops`] (which checks shapes and devices
//! first and then calls these for CUDA tensors).

use cudarc::cublas::{GemmConfig, sys::cublasOperation_t};
use cudarc::driver::{CudaSlice, LaunchConfig, PushKernelArg};

use super::{Backend, CudaStorage, backend_err};
use crate::device::Device;
use crate::error::{Result, TensorError};
use crate::float::Float;
use crate::labels::Labels;
use crate::ops::update::Rule;
use crate::tensor::{Storage, Tensor};

pub(crate) fn st<'a, T: Float>(op: &'static str, t: &'a Tensor<T>) -> Result<&'a CudaStorage<T>> {
    match &t.storage {
        Storage::Cuda(s) => Ok(s),
        Storage::Cpu(_) => Err(TensorError::DeviceMismatch {
            op,
            lhs: Device::Cpu,
            rhs: Device::Cuda(0),
        }),
    }
}

pub(crate) fn st_mut<'a, T: Float>(
    op: &'static str,
    t: &'a mut Tensor<T>,
) -> Result<&'a mut CudaStorage<T>> {
    match &mut t.storage {
        Storage::Cuda(s) => Ok(s),
        Storage::Cpu(_) => Err(TensorError::DeviceMismatch {
            op,
            lhs: Device::Cpu,
            rhs: Device::Cuda(0),
        }),
    }
}

pub(crate) fn name<T: Float>(kernel: &str) -> String {
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
    super::count_launch();
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

pub(crate) fn add_row_sigmoid<T: Float>(
    x: &Tensor<T>,
    b: &Tensor<T>,
    out: &mut Tensor<T>,
) -> Result<()> {
    let (sx, sb) = (st("add_row_sigmoid", x)?, st("add_row_sigmoid", b)?);
    let so = st_mut("add_row_sigmoid", out)?;
    let (rows, cols) = (sx.rows as i32, sx.cols as i32);
    let be = sx.backend.clone();
    launch!(
        be,
        "add_row_sigmoid",
        T,
        Backend::cfg(sx.rows * sx.cols),
        &sx.data,
        &sb.data,
        &mut so.data,
        &rows,
        &cols
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

/// Uploads `values` into the backend's reusable index (or label) buffer and runs `f` with it.
fn with_u32<R>(
    be: &Backend,
    labels: bool,
    values: &[u32],
    f: impl FnOnce(&CudaSlice<u32>) -> Result<R>,
) -> Result<R> {
    let mut ids = be.ids.lock().unwrap_or_else(|p| p.into_inner());
    let buf = if labels {
        &mut ids.labels
    } else {
        &mut ids.indices
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

/// Softmax into `y`, the gradient for `dout = 1` into `dx` when given, and the loss, which is the
/// one value copied back. The per-row terms and the loss live in reusable scratch buffers.
pub(crate) fn softmax_cross_entropy<T: Float>(
    x: &Tensor<T>,
    t: &Labels,
    y: &mut Tensor<T>,
    dx: Option<&mut Tensor<T>>,
) -> Result<T> {
    let op = "softmax_cross_entropy";
    let sx = st(op, x)?;
    let sy = st_mut(op, y)?;
    let mut sd = match dx {
        Some(d) => Some(st_mut(op, d)?),
        None => None,
    };
    let be = sx.backend.clone();
    let (rows, cols) = (sx.rows as i32, sx.cols as i32);
    let null = 0u64;
    let mut loss = [T::ZERO];
    with_u32(&be, true, t.indices(), |labels| {
        let mut scratch = be.scratch.lock().unwrap_or_else(|p| p.into_inner());
        let scratch = &mut *scratch;
        grow(&be, &mut scratch.row_bytes, sx.rows * 8)?;
        let f = be.func(&name::<T>(op))?;
        let mut l = be.stream.launch_builder(&f);
        l.arg(&sx.data).arg(labels).arg(&mut sy.data);
        match sd.as_mut() {
            Some(d) => l.arg(&mut d.data),
            None => l.arg(&null),
        };
        l.arg(&mut scratch.row_bytes)
            .arg(&mut scratch.loss_bytes)
            .arg(&rows)
            .arg(&cols);
        let cfg = LaunchConfig {
            grid_dim: (1, 1, 1),
            block_dim: (super::THREADS, 1, 1),
            shared_mem_bytes: 0,
        };
        // SAFETY: (x, t, y, dx or null, row_loss, loss, rows, cols) is the kernel's signature; x,
        // y and dx hold rows x cols values, t holds rows labels below cols (checked by `Labels`),
        // row_bytes holds rows values of T (8 bytes each at most) and loss_bytes one.
        unsafe { l.launch(cfg) }.map_err(backend_err(be.ordinal, op))?;
        read_as(&be, &scratch.loss_bytes, &mut loss)
    })?;
    Ok(loss[0])
}

/// Grows a byte scratch buffer to at least `len` bytes.
pub(crate) fn grow(be: &Backend, buf: &mut CudaSlice<u8>, len: usize) -> Result<()> {
    if buf.len() < len {
        *buf = be
            .stream
            .alloc_zeros(len.next_power_of_two())
            .map_err(backend_err(be.ordinal, "alloc"))?;
    }
    Ok(())
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
    let cfg = LaunchConfig {
        grid_dim: (1, 1, 1),
        block_dim: (super::THREADS, 1, 1),
        shared_mem_bytes: super::THREADS * std::mem::size_of::<T>() as u32,
    };
    let mut scratch = be.scratch.lock().unwrap_or_else(|p| p.into_inner());
    launch!(
        be,
        "sum_squares",
        T,
        cfg,
        &sx.data,
        &mut scratch.loss_bytes,
        &n
    );
    let mut out = [T::ZERO];
    read_as(&be, &scratch.loss_bytes, &mut out)?;
    Ok(out[0])
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
    let mut flag = [0i32];
    be.stream
        .memcpy_dtoh(&scratch.flag.slice(0..1), &mut flag)
        .map_err(backend_err(be.ordinal, "memcpy_dtoh"))?;
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

/// One optimizer update kernel over one param: `(p, state 1, state 2, g, scalars..., n)`, with 0
/// for the state pointers the rule does not use.
pub(crate) fn update<T: Float>(
    rule: &Rule,
    p: &mut Tensor<T>,
    state: &mut [&mut Tensor<T>],
    g: &Tensor<T>,
) -> Result<()> {
    let kernel = rule.kernel();
    let sg = st(kernel, g)?;
    let be = sg.backend.clone();
    let n = (sg.rows * sg.cols) as i64;
    let (scalars, count) = rule.scalars::<T>();
    let sp = st_mut(kernel, p)?;
    let f = be.func(&name::<T>(kernel))?;
    let mut l = be.stream.launch_builder(&f);
    l.arg(&mut sp.data);
    let null = 0u64;
    let mut slots = Vec::with_capacity(2);
    for s in state.iter_mut() {
        slots.push(st_mut(kernel, s)?);
    }
    let used = slots.len();
    for s in slots.iter_mut() {
        l.arg(&mut s.data);
    }
    for _ in used..2 {
        l.arg(&null);
    }
    l.arg(&sg.data);
    for s in &scalars[..count] {
        l.arg(s);
    }
    l.arg(&n);
    // SAFETY: the kernels' signatures are (p, s1, s2, g, scalars..., n) in kernels.cu, with the
    // rule's scalar count; every buffer has the param's `n` elements (the ops layer checked the
    // shapes), and the rule's `_at` function never touches a state pointer it does not use.
    unsafe { l.launch(Backend::cfg(n as usize)) }.map_err(backend_err(be.ordinal, kernel))?;
    Ok(())
}

/// Copies `out.len()` values of `T` from the start of a byte buffer a kernel wrote them into.
pub(crate) fn read_as<T: Float>(be: &Backend, bytes: &CudaSlice<u8>, out: &mut [T]) -> Result<()> {
    // SAFETY: callers size `bytes` for at least `out.len()` values of `T` (checked by `transmute`,
    // which returns None otherwise); device allocations are 256-byte aligned, and the values
    // were written as `T` by the kernel just launched on this stream.
    let view = unsafe { bytes.transmute::<T>(out.len()) }.ok_or(TensorError::Backend {
        device: Device::Cuda(be.ordinal),
        op: "read_as",
        message: "scratch buffer too small".to_string(),
    })?;
    be.stream
        .memcpy_dtoh(&view, out)
        .map_err(backend_err(be.ordinal, "memcpy_dtoh"))
}
