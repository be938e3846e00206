//! glibc's `exp`, `log`, `sin`, `cos` and `pow` for `f64`, in the operations of its FMA build
//! (the one glibc's ifunc picks on a CPU with AVX2 and FMA, where the book's golden numbers were
//! made): the book's numbers on every platform, the browser's wasm32 included, whose `f64::exp`,
//! `ln`, `sin`, `cos` and `powf` come from the `libm` crate, other algorithms that differ in the
//! last bit on about 0.1% of inputs. numpy calls `exp` in the book's sigmoid and softmax, `sin`
//! and `cos` in its spiral, `log` in `randn`'s polar method and in its cross-entropy; Python's
//! float power calls `pow` in its Adam (`beta2**self.iter`).
//!
//! Each port is glibc's algorithm step for step, with a fused multiply-add wherever GCC fuses one
//! in that build (`-mfma`, contraction on), and the multiplications it leaves alone left alone:
//! `tests/glibc_math.rs` compares every bit with the system's functions where they are glibc's on
//! AVX2 + FMA. `mul_add` is one correctly rounded operation on every target (an instruction, or
//! libm's exact software `fma`), so the bits do not depend on the CPU.
//!
//! Speed matters only for `exp`, which the training calls on every activation: the CPU backend
//! runs it four lanes at a time (`cpu::exact_exp`) where it can, on this module's constants and
//! table. The others are called a few hundred times per data set, once per sample per loss, and
//! twice per Adam step.

pub(crate) mod exp;
mod exp_table;
mod log;
mod log_table;
mod pow;
mod pow_table;
mod sin_cos;
mod sin_cos_table;

pub use exp::exp;
pub use log::log;
pub use pow::pow;
pub use sin_cos::{cos, sin};
