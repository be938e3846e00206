//! One CUDA device's backend: its context, stream, cuBLAS handle and compiled kernels, created on
//! first use and kept for the process; and the checks that say why a device cannot be used.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use cudarc::cublas::CudaBlas;
use cudarc::driver::{CudaContext, CudaFunction, CudaModule, CudaSlice, CudaStream, LaunchConfig};

use super::table::Tables;
use crate::device::Device;
use crate::error::{Result, TensorError};

/// The kernels, compiled at first use.
const KERNELS: &str = include_str!("kernels.cu");

/// NVRTC `--gpu-architecture` values by compute capability (others get NVRTC's default).
const ARCHES: [(i32, i32, &str); 10] = [
    (7, 5, "compute_75"),
    (8, 0, "compute_80"),
    (8, 6, "compute_86"),
    (8, 7, "compute_87"),
    (8, 9, "compute_89"),
    (9, 0, "compute_90"),
    (10, 0, "compute_100"),
    (10, 3, "compute_103"),
    (12, 0, "compute_120"),
    (12, 1, "compute_121"),
];

/// Kernel launches so far, all devices (see [`crate::Device::kernel_launches`]).
static LAUNCHES: AtomicU64 = AtomicU64::new(0);

pub(crate) fn kernel_launches() -> u64 {
    LAUNCHES.load(Ordering::Relaxed)
}

/// Counts one launch (every kernel launch fetches its function once; cuBLAS calls count here).
pub(crate) fn count_launch() {
    LAUNCHES.fetch_add(1, Ordering::Relaxed);
}

/// Threads per block of the elementwise kernels.
pub(crate) const THREADS: u32 = 256;

/// One device: its context, stream, cuBLAS handle and compiled kernels.
pub(crate) struct Backend {
    pub(crate) ordinal: usize,
    pub(crate) ctx: Arc<CudaContext>,
    pub(crate) stream: Arc<CudaStream>,
    pub(crate) blas: CudaBlas,
    module: Arc<CudaModule>,
    funcs: Mutex<HashMap<String, CudaFunction>>,
    /// The uploaded batch indices and labels.
    pub(crate) ids: Mutex<Ids>,
    /// Small device buffers reused across calls (flags, reduction results).
    pub(crate) scratch: Mutex<Scratch>,
    /// The tables of the `*_multi` kernels.
    pub(crate) tables: Mutex<Tables>,
}

/// Reusable index buffers, grown as needed.
pub(crate) struct Ids {
    pub(crate) indices: CudaSlice<u32>,
    pub(crate) labels: CudaSlice<u32>,
}

/// Reusable device buffers, grown as needed. Results of either element type go to byte buffers
/// (read back with `launch::read_as`), so one set serves f32 and f64.
pub(crate) struct Scratch {
    /// Finiteness flags, one per tensor.
    pub(crate) flag: CudaSlice<i32>,
    /// One scalar result (a loss, a sum of squares).
    pub(crate) loss_bytes: CudaSlice<u8>,
    /// Per-row or per-tensor partial results.
    pub(crate) row_bytes: CudaSlice<u8>,
}

fn unavailable(ordinal: usize, reason: impl Into<String>) -> TensorError {
    TensorError::DeviceUnavailable {
        device: Device::Cuda(ordinal),
        reason: reason.into(),
    }
}

/// Turns a driver error into ours, naming the op.
pub(crate) fn backend_err(
    ordinal: usize,
    op: &'static str,
) -> impl Fn(cudarc::driver::DriverError) -> TensorError {
    move |e| TensorError::Backend {
        device: Device::Cuda(ordinal),
        op,
        message: e.to_string(),
    }
}

/// Whether the CUDA libraries this backend needs can be loaded (without loading them for real).
fn libraries_present() -> std::result::Result<(), &'static str> {
    // SAFETY: these only try to open the shared libraries; they have no other preconditions.
    unsafe {
        if !cudarc::driver::sys::is_culib_present() {
            return Err("the NVIDIA driver library (libcuda) is not installed");
        }
        if !cudarc::nvrtc::sys::is_culib_present() {
            return Err("the NVRTC library (libnvrtc, CUDA toolkit) is not installed");
        }
        if !cudarc::cublas::sys::is_culib_present() {
            return Err("the cuBLAS library (libcublas, CUDA toolkit) is not installed");
        }
    }
    Ok(())
}

/// The backend of device `ordinal`, created (and its kernels compiled) on first use.
pub(crate) fn backend(ordinal: usize) -> Result<Arc<Backend>> {
    static BACKENDS: OnceLock<Mutex<HashMap<usize, Arc<Backend>>>> = OnceLock::new();
    let mut map = BACKENDS
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(b) = map.get(&ordinal) {
        return Ok(b.clone());
    }
    let b = Arc::new(Backend::new(ordinal)?);
    map.insert(ordinal, b.clone());
    Ok(b)
}

impl Backend {
    fn new(ordinal: usize) -> Result<Self> {
        libraries_present().map_err(|why| unavailable(ordinal, why))?;
        let count = CudaContext::device_count()
            .map_err(|e| unavailable(ordinal, format!("no CUDA device ({e})")))?;
        if count <= 0 {
            return Err(unavailable(ordinal, "no CUDA device"));
        }
        if ordinal >= count as usize {
            return Err(unavailable(
                ordinal,
                format!("this machine has {count} CUDA device(s)"),
            ));
        }
        let ctx = CudaContext::new(ordinal).map_err(|e| unavailable(ordinal, e.to_string()))?;
        // SAFETY: this backend runs everything on the context's one default stream, so stream
        // order alone keeps every use of a buffer after its allocation and writes, and cudarc's
        // per-buffer events (a record per kernel argument) would be pure launch overhead. No
        // buffer exists yet on this context.
        unsafe { ctx.disable_event_tracking() };
        let stream = ctx.default_stream();
        let blas = CudaBlas::new(stream.clone())
            .map_err(|e| unavailable(ordinal, format!("cuBLAS: {e:?}")))?;
        // TF32 stays off: the default math mode computes f32 products in f32.
        // SAFETY: the handle is valid (just created) and the mode is a defined enum value.
        unsafe {
            cudarc::cublas::sys::cublasSetMathMode(
                *blas.handle(),
                cudarc::cublas::sys::cublasMath_t::CUBLAS_DEFAULT_MATH,
            );
        }
        // Compile for the device's own architecture: NVRTC's default target may be one the
        // toolkit no longer supports (CUDA 13 dropped everything before compute_75).
        let arch = ctx.compute_capability().ok().and_then(|(major, minor)| {
            ARCHES
                .iter()
                .find(|a| a.0 == major && a.1 == minor)
                .map(|a| a.2)
        });
        let ptx = compile_kernels(arch).map_err(|why| unavailable(ordinal, why))?;
        let module = ctx
            .load_module(ptx)
            .map_err(|e| unavailable(ordinal, format!("loading the kernels: {e}")))?;
        let alloc = |n: usize| {
            stream
                .alloc_zeros::<u8>(n)
                .map_err(backend_err(ordinal, "alloc"))
        };
        let ids = Ids {
            indices: stream
                .alloc_zeros(1)
                .map_err(backend_err(ordinal, "alloc"))?,
            labels: stream
                .alloc_zeros(1)
                .map_err(backend_err(ordinal, "alloc"))?,
        };
        let scratch = Scratch {
            flag: stream
                .alloc_zeros(1)
                .map_err(backend_err(ordinal, "alloc"))?,
            loss_bytes: alloc(16)?,
            row_bytes: alloc(256)?,
        };
        let tables = Tables::new(&stream).map_err(backend_err(ordinal, "alloc"))?;
        Ok(Backend {
            ordinal,
            ctx,
            stream,
            blas,
            module,
            funcs: Mutex::new(HashMap::new()),
            ids: Mutex::new(ids),
            scratch: Mutex::new(scratch),
            tables: Mutex::new(tables),
        })
    }

    /// The kernel `name` (e.g. `sigmoid_f64`), loaded once; each call counts as a launch.
    pub(crate) fn func(&self, name: &str) -> Result<CudaFunction> {
        count_launch();
        let mut funcs = self.funcs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = funcs.get(name) {
            return Ok(f.clone());
        }
        let f = self
            .module
            .load_function(name)
            .map_err(backend_err(self.ordinal, "load_function"))?;
        funcs.insert(name.to_string(), f.clone());
        Ok(f)
    }

    /// A launch shape covering `n` work items with [`THREADS`] per block (kernels loop over the rest).
    pub(crate) fn cfg(n: usize) -> LaunchConfig {
        let blocks = n.div_ceil(THREADS as usize).clamp(1, 65_535) as u32;
        LaunchConfig {
            grid_dim: (blocks, 1, 1),
            block_dim: (THREADS, 1, 1),
            shared_mem_bytes: 0,
        }
    }
}

/// Compiles `kernels.cu` with NVRTC for `arch` (NVRTC's default when `None`), with `--fmad=false`
/// so elementwise ops round like the CPU. Needs only the NVRTC library, no GPU.
pub(crate) fn compile_kernels(
    arch: Option<&'static str>,
) -> std::result::Result<cudarc::nvrtc::Ptx, String> {
    // SAFETY: only tries to open the shared library.
    if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        return Err("the NVRTC library (libnvrtc, CUDA toolkit) is not installed".to_string());
    }
    let opts = cudarc::nvrtc::CompileOptions {
        fmad: Some(false),
        arch,
        ..Default::default()
    };
    cudarc::nvrtc::compile_ptx_with_opts(KERNELS, opts)
        .map_err(|e| format!("NVRTC could not compile the kernels: {e:?}"))
}

/// Compiles the kernels for every architecture this backend knows and returns the PTX text of
/// the last (the check behind the `kernels` test). `Ok(None)` when this machine has no NVRTC.
pub fn check_kernels_compile() -> std::result::Result<Option<String>, String> {
    // SAFETY: only tries to open the shared library.
    if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        return Ok(None);
    }
    let mut ptx = String::new();
    for &(_, _, arch) in &ARCHES {
        ptx = compile_kernels(Some(arch))
            .map_err(|e| format!("{arch}: {e}"))?
            .to_src();
    }
    Ok(Some(ptx))
}

/// Checks that CUDA device `ordinal` can be used (loads the driver and compiles the kernels).
pub(crate) fn ensure_available(ordinal: usize) -> Result<()> {
    backend(ordinal).map(|_| ())
}

/// The GPU's name, or why it cannot be used.
pub(crate) fn describe(ordinal: usize) -> String {
    match backend(ordinal) {
        Ok(b) => format!(
            "cuda:{ordinal} ({})",
            b.ctx.name().unwrap_or_else(|_| "unknown GPU".to_string())
        ),
        Err(e) => format!("cuda:{ordinal} (unavailable: {e})"),
    }
}
