//! glibc's `log`, `sin`, `cos` and `pow` for `f64`, in the operations of its FMA build (the one
//! glibc's ifunc picks on a CPU with AVX2 and FMA, where the book's golden numbers were made): the
//! book's numbers on every platform, the browser's wasm32 included, whose `f64::ln`, `sin`, `cos`
//! and `powf` come from the `libm` crate, another algorithm that differs in the last bit on about 0.1% of
//! inputs. numpy calls the first three in the book's spiral (`np.sin`, `np.cos`, and `log` in
//! `randn`'s polar method) and its cross-entropy (`np.log`); Python's float power calls `pow` in
//! the book's Adam (`beta2**self.iter`).
//!
//! Each port is glibc's algorithm step for step, with a fused multiply-add wherever GCC fuses one
//! in that build (`-mfma`, contraction on), and the multiplications it leaves alone left alone:
//! `tests/glibc_math.rs` compares every bit with the system's functions where they are glibc's on
//! AVX2 + FMA. `mul_add` is one correctly rounded operation on every target (an instruction, or
//! libm's exact software `fma`), so the bits do not depend on the CPU.
//!
//! Speed is no concern here: the book's code calls these a few hundred times per data set and
//! once per sample per loss, `pow` twice per Adam step, never in the inner loops.

pub(crate) mod exp_data;
mod exp_table;
mod log;
mod log_table;
mod pow;
mod pow_table;
mod sin_cos;
mod sin_cos_table;

pub use log::log;
pub use pow::pow;
pub use sin_cos::{cos, sin};
