//! The CUDA backend's contract as types: every function and storage method that `ops`, `storage`
//! and `backend` call on `crate::cuda`, with the signature it must have. Whichever module is
//! `crate::cuda` in this build (the real backend with `--features cuda`, the stand-in
//! `cuda_stub.rs` without) is coerced to these function-pointer types, so a signature that drifts
//! in either is a compile error in its own build, not only when the other feature is built.
//! `cargo test --workspace` checks the stand-in; `.ci/run`'s `--features cuda` build the backend.

use crate::cuda::{CudaFloat, CudaStorage, Walk};
use crate::error::Result;
use crate::labels::Labels;
use crate::rule::Rule;

/// The storage in both builds.
type S<T> = CudaStorage<T>;

/// One `let _: <signature> = <path>;` per entry: a coercion the compiler checks and that does
/// nothing at run time.
macro_rules! contract {
    ($($path:path : $sig:ty;)*) => {
        /// Never called: it exists for the coercions the compiler checks in it.
        // The signatures spelled out are the point: no alias would make them clearer.
        #[allow(dead_code, clippy::type_complexity)]
        fn contract<T: CudaFloat>() {
            $(let _: $sig = $path;)*
        }
    };
}

contract! {
    S::<T>::zeros: fn(usize, usize, usize) -> Result<S<T>>;
    S::<T>::from_host: fn(usize, usize, usize, &[T]) -> Result<S<T>>;
    S::<T>::shape: fn(&S<T>) -> (usize, usize);
    S::<T>::ordinal: fn(&S<T>) -> usize;
    S::<T>::read: fn(&S<T>) -> Result<Vec<T>>;
    S::<T>::write: fn(&mut S<T>, &[T]) -> Result<()>;
    S::<T>::try_clone: fn(&S<T>) -> Result<S<T>>;
    S::<T>::copy_from: fn(&mut S<T>, &S<T>) -> Result<()>;
    crate::cuda::ensure_available: fn(usize) -> Result<()>;
    crate::cuda::describe: fn(usize) -> String;
    crate::cuda::kernel_launches: fn() -> u64;
    crate::cuda::matmul::matmul::<T>:
        fn(&S<T>, bool, &S<T>, bool, &mut S<T>, (usize, usize, usize)) -> Result<()>;
    crate::cuda::bias::add_row::<T>: fn(&mut S<T>, &S<T>) -> Result<()>;
    crate::cuda::bias::sum_rows::<T>: fn(&S<T>, &mut S<T>) -> Result<()>;
    crate::cuda::gather::gather_rows::<T>: fn(&S<T>, &[usize], &mut S<T>) -> Result<()>;
    crate::cuda::gather::repeat_rows::<T>: fn(&S<T>, &mut S<T>) -> Result<()>;
    crate::cuda::sigmoid::sigmoid::<T>: fn(&S<T>, &mut S<T>) -> Result<()>;
    crate::cuda::sigmoid::add_row_sigmoid::<T>: fn(&S<T>, &S<T>, &mut S<T>) -> Result<()>;
    crate::cuda::sigmoid::sigmoid_backward::<T>: fn(&S<T>, &S<T>, &mut S<T>) -> Result<()>;
    crate::cuda::softmax::softmax::<T>: fn(&S<T>, &mut S<T>) -> Result<()>;
    crate::cuda::softmax::softmax_backward::<T>: fn(&S<T>, &S<T>, &mut S<T>) -> Result<()>;
    crate::cuda::softmax::softmax_cross_entropy::<T>:
        fn(&S<T>, &Labels, &mut S<T>, Option<&mut S<T>>) -> Result<T>;
    crate::cuda::softmax::softmax_cross_entropy_backward::<T>:
        fn(&S<T>, &Labels, T, &mut S<T>) -> Result<()>;
    crate::cuda::classify::classify_two_layer::<T>:
        fn(&S<T>, [&S<T>; 4], &mut Vec<usize>) -> Result<()>;
    crate::cuda::reduce::sum_squares::<T>: fn(&S<T>) -> Result<T>;
    crate::cuda::reduce::scale::<T>: fn(&mut S<T>, T) -> Result<()>;
    crate::cuda::reduce::argmax_rows::<T>: fn(&S<T>, &mut Vec<usize>) -> Result<()>;
    crate::cuda::reduce::all_finite::<T>: fn(&S<T>) -> Result<bool>;
    crate::cuda::update::update::<T>:
        fn(&mut S<T>, &Rule, [Option<&mut S<T>>; 2], &S<T>) -> Result<()>;
    crate::cuda::update::update_params::<T>: fn(&Rule, usize, &mut Walk<'_, T>) -> Result<()>;
    crate::cuda::grads::first_non_finite::<T>:
        fn(usize, &mut Walk<'_, T>) -> Result<Option<&'static str>>;
    crate::cuda::grads::norm_squared::<T>: fn(usize, &mut Walk<'_, T>) -> Result<T>;
    crate::cuda::grads::scale_all::<T>: fn(usize, &mut Walk<'_, T>, T) -> Result<()>;
}
