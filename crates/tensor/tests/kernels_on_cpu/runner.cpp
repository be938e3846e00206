// Runs a kernel of kernels.cu (compiled with shim.h) on the CPU: the blocks one after another, the
// threads of a block at the same time, so that __syncthreads() and shared memory behave as on a GPU.
#include <barrier>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include "shim.h"

thread_local dim3 threadIdx, blockIdx;
dim3 blockDim, gridDim;
// The dynamic shared memory of the one block running at a time.
alignas(16) unsigned char smem[1 << 16];

static std::barrier<>* block_barrier = nullptr;

void __syncthreads() { block_barrier->arrive_and_wait(); }

// Calls thunk(ctx) as every thread of a grid x block launch; the thunk calls the kernel.
// One launch at a time (tests run in parallel): the grid shape, barrier and shared memory are global.
extern "C" void dlfs2_launch(void (*thunk)(void*), void* ctx, unsigned grid, unsigned block) {
    static std::mutex one_launch;
    std::lock_guard<std::mutex> lock(one_launch);
    gridDim.x = grid;
    blockDim.x = block;
    for (unsigned b = 0; b < grid; ++b) {
        std::barrier<> bar(block);
        block_barrier = &bar;
        std::vector<std::thread> threads;
        threads.reserve(block);
        for (unsigned t = 0; t < block; ++t) {
            threads.emplace_back([=] {
                blockIdx.x = b;
                threadIdx.x = t;
                thunk(ctx);
            });
        }
        for (auto& th : threads) th.join();
    }
}
