//! The CUDA backend's stand-in for builds without `--features cuda`: the same names as `cuda/`,
//! so [`crate::ops`] matches storages the same way in both builds. A `CudaStorage` cannot exist
//! here (the type is uninhabited), so the storage-taking functions are never called; the others
//! are typed "not compiled in" errors.

use std::convert::Infallible;
use std::marker::PhantomData;

use crate::device::Device;
use crate::error::{Result, TensorError};
use crate::float::Float;

/// What the CUDA backend needs of an element type: nothing in this build.
pub trait CudaFloat: Float {}

impl<T: Float> CudaFloat for T {}

/// GPU memory, which this build cannot hold: no value of this type exists.
pub(crate) struct CudaStorage<T> {
    never: Infallible,
    _element: PhantomData<T>,
}

fn not_compiled(ordinal: usize) -> TensorError {
    TensorError::DeviceUnavailable {
        device: Device::Cuda(ordinal),
        reason: "this build has no CUDA support; rebuild with `--features cuda`".to_string(),
    }
}

impl<T> CudaStorage<T> {
    pub(crate) fn zeros(ordinal: usize, _: usize, _: usize) -> Result<Self> {
        Err(not_compiled(ordinal))
    }
    pub(crate) fn from_host(ordinal: usize, _: usize, _: usize, _: &[T]) -> Result<Self> {
        Err(not_compiled(ordinal))
    }
    pub(crate) fn shape(&self) -> (usize, usize) {
        match self.never {}
    }
    pub(crate) fn ordinal(&self) -> usize {
        match self.never {}
    }
    pub(crate) fn read(&self) -> Result<Vec<T>> {
        match self.never {}
    }
    pub(crate) fn write(&mut self, _: &[T]) -> Result<()> {
        match self.never {}
    }
    pub(crate) fn try_clone(&self) -> Result<Self> {
        match self.never {}
    }
    pub(crate) fn copy_from(&mut self, _: &Self) -> Result<()> {
        match self.never {}
    }
}

impl<T> std::fmt::Debug for CudaStorage<T> {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.never {}
    }
}

/// Always fails: this build has no CUDA backend.
pub(crate) fn ensure_available(ordinal: usize) -> Result<()> {
    Err(not_compiled(ordinal))
}

/// Describes a device that cannot be used in this build.
pub(crate) fn describe(ordinal: usize) -> String {
    format!("cuda:{ordinal} (not compiled in)")
}

/// No GPU kernels in this build.
pub(crate) fn kernel_launches() -> u64 {
    0
}

/// One param's storages for the whole-model ops (as `cuda/table.rs`).
pub(crate) type Row<'a, T> = [Option<&'a CudaStorage<T>>; 4];

/// A walk over a model's params (as `cuda/table.rs`).
pub(crate) type Walk<'w, T> =
    dyn FnMut(&mut dyn FnMut(&'static str, Row<'_, T>) -> Result<()>) -> Result<()> + 'w;

/// Stand-ins of the op groups: each takes a `CudaStorage`, so none can be called.
macro_rules! never {
    ($($group:ident { $(fn $name:ident<T>($first:ident: $fty:ty $(, $arg:ident: $ty:ty)*) -> $ret:ty;)* $(extra { $($extra:item)* })? })*) => {$(
        pub(crate) mod $group {
            $($($extra)*)?
            #[allow(unused_imports)]
            use super::CudaStorage;
            #[allow(unused_imports)]
            use crate::{error::Result, labels::Labels, rule::Rule};
            $(
                pub(crate) fn $name<T>($first: $fty $(, $arg: $ty)*) -> $ret {
                    $(let _ = $arg;)*
                    match $first.never {}
                }
            )*
        }
    )*};
}

never! {
    matmul {
        fn matmul<T>(a: &CudaStorage<T>, ta: bool, b: &CudaStorage<T>, tb: bool, out: &mut CudaStorage<T>, mkn: (usize, usize, usize)) -> Result<()>;
    }
    bias {
        fn add_row<T>(x: &mut CudaStorage<T>, b: &CudaStorage<T>) -> Result<()>;
        fn sum_rows<T>(x: &CudaStorage<T>, out: &mut CudaStorage<T>) -> Result<()>;
    }
    gather {
        fn gather_rows<T>(src: &CudaStorage<T>, idx: &[usize], out: &mut CudaStorage<T>) -> Result<()>;
        fn repeat_rows<T>(x: &CudaStorage<T>, out: &mut CudaStorage<T>) -> Result<()>;
    }
    sigmoid {
        fn sigmoid<T>(x: &CudaStorage<T>, out: &mut CudaStorage<T>) -> Result<()>;
        fn add_row_sigmoid<T>(x: &CudaStorage<T>, b: &CudaStorage<T>, out: &mut CudaStorage<T>) -> Result<()>;
        fn sigmoid_backward<T>(dout: &CudaStorage<T>, y: &CudaStorage<T>, dx: &mut CudaStorage<T>) -> Result<()>;
    }
    softmax {
        fn softmax<T>(x: &CudaStorage<T>, out: &mut CudaStorage<T>) -> Result<()>;
        fn softmax_backward<T>(y: &CudaStorage<T>, dout: &CudaStorage<T>, dx: &mut CudaStorage<T>) -> Result<()>;
        fn softmax_cross_entropy<T>(x: &CudaStorage<T>, t: &Labels, y: &mut CudaStorage<T>, dx: Option<&mut CudaStorage<T>>) -> Result<T>;
        fn softmax_cross_entropy_backward<T>(y: &CudaStorage<T>, t: &Labels, dout: T, dx: &mut CudaStorage<T>) -> Result<()>;
    }
    classify {
        fn classify_two_layer<T>(x: &CudaStorage<T>, net: [&CudaStorage<T>; 4], out: &mut Vec<usize>) -> Result<()>;
    }
    reduce {
        fn sum_squares<T>(x: &CudaStorage<T>) -> Result<T>;
        fn scale<T>(x: &mut CudaStorage<T>, s: T) -> Result<()>;
        fn argmax_rows<T>(x: &CudaStorage<T>, out: &mut Vec<usize>) -> Result<()>;
        fn all_finite<T>(x: &CudaStorage<T>) -> Result<bool>;
    }
    update {
        fn update<T>(p: &mut CudaStorage<T>, rule: &Rule, state: [Option<&mut CudaStorage<T>>; 2], g: &CudaStorage<T>) -> Result<()>;
        extra {
        /// No GPU params exist in this build: the dispatcher never gets here.
        pub(crate) fn update_params<T>(_: &Rule, ordinal: usize, _: &mut super::Walk<'_, T>) -> Result<()> {
            Err(super::not_compiled(ordinal))
        }
        }
    }
    grads {
        extra {
        /// No GPU params exist in this build: the dispatcher never gets here.
        pub(crate) fn first_non_finite<T>(ordinal: usize, _: &mut super::Walk<'_, T>) -> Result<Option<&'static str>> {
            Err(super::not_compiled(ordinal))
        }
        /// As above.
        pub(crate) fn norm_squared<T>(ordinal: usize, _: &mut super::Walk<'_, T>) -> Result<T> {
            Err(super::not_compiled(ordinal))
        }
        /// As above.
        pub(crate) fn scale_all<T>(ordinal: usize, _: &mut super::Walk<'_, T>, _: T) -> Result<()> {
            Err(super::not_compiled(ordinal))
        }
        }
    }
}
