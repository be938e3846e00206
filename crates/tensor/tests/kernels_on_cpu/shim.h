// Lets kernels.cu compile as C++ for the CPU (tests/kernels_on_cpu.rs): CUDA's qualifiers become
// nothing, the thread and block indices are per-thread variables set by runner.cpp, which runs
// every CUDA thread of a block as an OS thread, and __syncthreads() is a barrier.
#pragma once
#include <cmath>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};
extern thread_local dim3 threadIdx, blockIdx;
extern dim3 blockDim, gridDim;
void __syncthreads();

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__
#define __align__(n) __attribute__((aligned(n)))

using std::isfinite;
using std::isnan;
