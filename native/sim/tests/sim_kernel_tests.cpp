// The simulator's compute kernels and kernel thread pool, called directly (the test binary
// compiles native/sim/src/aclnn_matmul_kernel.cpp and sim_parallel.cpp in).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "aclnn_kernels.h"
#include "sim_parallel.h"

namespace {

std::vector<float> values(size_t count, uint32_t seed) {
    std::vector<float> v(count);
    uint32_t s = seed * 2654435761u + 7u;
    for (auto& x : v) {
        s = s * 1664525u + 1013904223u;
        x = (static_cast<float>(s >> 8) / 16777216.0f - 0.5f) * 3.0f;
    }
    return v;
}

// The kernel's contract: each element is ((0 + a0*b0) + a1*b1) + ... in ascending k, rounded
// after every multiply and every add.
std::vector<float> reference(const std::vector<float>& a, const std::vector<float>& b, int64_t m, int64_t n, int64_t k) {
    std::vector<float> c(static_cast<size_t>(m * n));
    for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
            volatile float s = 0.0f;  // volatile: no contraction or reassociation in the reference either
            for (int64_t kk = 0; kk < k; ++kk) {
                volatile float p = a[i * k + kk] * b[kk * n + j];
                s = s + p;
            }
            c[i * n + j] = s;
        }
    return c;
}

struct ThreadsGuard {
    ~ThreadsGuard() { sim::set_kernel_threads(0); }
};

std::vector<float> multiply(const std::vector<float>& a, const std::vector<float>& b, int64_t m, int64_t n, int64_t k) {
    std::vector<float> c(static_cast<size_t>(m * n), 12345.0f);  // garbage: the kernel must overwrite every element
    aclnn::matmul_f32(a.data(), b.data(), c.data(), m, n, k);
    return c;
}

TEST(MatmulKernel, EqualsTheSequentialSumBitForBitAtOddSizes) {
    ThreadsGuard guard;
    const int64_t shapes[][3] = {{1, 1, 1},   {3, 5, 7},    {4, 16, 1},  {5, 17, 33},   {33, 129, 65}, {8, 256, 256},
                                 {1, 1000, 3}, {37, 1, 19}, {2, 31, 300}, {64, 64, 64}, {7, 15, 4},    {65, 190, 9}};
    for (int threads : {1, 2, 3}) {
        sim::set_kernel_threads(threads);
        for (const auto& s : shapes) {
            const int64_t m = s[0], n = s[1], k = s[2];
            auto a = values(static_cast<size_t>(m * k), 1), b = values(static_cast<size_t>(k * n), 2);
            auto got = multiply(a, b, m, n, k), want = reference(a, b, m, n, k);
            ASSERT_EQ(0, std::memcmp(got.data(), want.data(), got.size() * sizeof(float)))
                << m << "x" << k << " @ " << k << "x" << n << " with " << threads << " thread(s)";
        }
    }
}

TEST(MatmulKernel, ZeroInnerDimensionGivesZeros) {
    std::vector<float> c(6, 1.0f);
    aclnn::matmul_f32(nullptr, nullptr, c.data(), 2, 3, 0);
    for (float x : c) EXPECT_EQ(0.0f, x);
}

TEST(MatmulKernel, ResultsAreIdenticalForEveryThreadCount) {
    ThreadsGuard guard;
    const int64_t m = 67, n = 300, k = 129;
    auto a = values(static_cast<size_t>(m * k), 3), b = values(static_cast<size_t>(k * n), 4);
    sim::set_kernel_threads(1);
    auto serial = multiply(a, b, m, n, k);
    for (int threads : {2, 3, 4, 7}) {
        sim::set_kernel_threads(threads);
        for (int run = 0; run < 3; ++run) {
            auto parallel = multiply(a, b, m, n, k);
            ASSERT_EQ(0, std::memcmp(serial.data(), parallel.data(), serial.size() * sizeof(float)))
                << threads << " threads, run " << run;
        }
    }
}

TEST(MatmulKernel, ConcurrentCallersFromSeveralStreamWorkersAllFinishWithExactResults) {
    ThreadsGuard guard;
    sim::set_kernel_threads(3);
    const int64_t m = 40, n = 130, k = 70;
    auto a = values(static_cast<size_t>(m * k), 5), b = values(static_cast<size_t>(k * n), 6);
    const auto want = reference(a, b, m, n, k);
    std::atomic<int> mismatches{0};
    std::vector<std::thread> callers;
    for (int t = 0; t < 4; ++t)
        callers.emplace_back([&] {
            for (int i = 0; i < 25; ++i)
                if (multiply(a, b, m, n, k) != want) mismatches++;
        });
    for (auto& c : callers) c.join();
    EXPECT_EQ(0, mismatches.load());
}

TEST(KernelPool, ParallelForVisitsEveryIndexOnceInFixedChunks) {
    ThreadsGuard guard;
    for (int threads : {1, 2, 5}) {
        sim::set_kernel_threads(threads);
        for (int64_t count : {1, 2, 7, 64, 1001}) {
            for (int64_t grain : {1, 3, 64, 2000}) {
                std::vector<std::atomic<int>> seen(static_cast<size_t>(count));
                std::atomic<int> badChunk{0};
                sim::parallel_for(count, grain, [&](int64_t begin, int64_t end) {
                    if (begin % grain != 0 || end != std::min(count, begin + grain)) badChunk++;
                    for (int64_t i = begin; i < end; ++i) seen[static_cast<size_t>(i)]++;
                });
                EXPECT_EQ(0, badChunk.load()) << count << "/" << grain;
                for (int64_t i = 0; i < count; ++i)
                    ASSERT_EQ(1, seen[static_cast<size_t>(i)].load()) << "index " << i << " of " << count << "/" << grain;
            }
        }
    }
}

TEST(KernelPool, NonPositiveCountRunsNothing) {
    int calls = 0;
    sim::parallel_for(0, 4, [&](int64_t, int64_t) { calls++; });
    sim::parallel_for(-3, 4, [&](int64_t, int64_t) { calls++; });
    EXPECT_EQ(0, calls);
}

TEST(KernelPool, ThreadCountDefaultsToAtLeastOne) {
    sim::set_kernel_threads(0);
    EXPECT_GE(sim::kernel_threads(), 1);
    sim::set_kernel_threads(3);
    EXPECT_EQ(3, sim::kernel_threads());
    sim::set_kernel_threads(0);
}

}  // namespace
