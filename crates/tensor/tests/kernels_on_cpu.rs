//! The CUDA kernels run on the CPU: `src/cuda/kernels.cu` compiled as C++ with a shim
//! (`tests/kernels_on_cpu/`) that runs every CUDA thread of a block as an OS thread, with a real
//! barrier for `__syncthreads()` and one shared-memory array. Each kernel's output is compared with
//! the CPU op it stands for, within `testkit::parity`'s tolerances.
//!
//! This checks the kernels' own logic (indexing, grid-stride loops, block reductions, the
//! multi-tensor tables) on a machine without a GPU; it says nothing about the Rust side's launches,
//! which the GPU checks (`testkit::parity`, `cargo xtask gpu-check`) cover. Needs a C++20 compiler
//! (`$CXX` or `c++`); where tensor's build found none, the tests are ignored with the reason.

#[path = "kernels_on_cpu/harness.rs"]
mod harness;

#[path = "kernels_on_cpu/bias_sigmoid.rs"]
mod bias_sigmoid;
#[path = "kernels_on_cpu/classify.rs"]
mod classify;
#[path = "kernels_on_cpu/elementwise.rs"]
mod elementwise;
#[path = "kernels_on_cpu/grads.rs"]
mod grads;
#[path = "kernels_on_cpu/rows.rs"]
mod rows;
#[path = "kernels_on_cpu/softmax.rs"]
mod softmax;
#[path = "kernels_on_cpu/update.rs"]
mod update;
