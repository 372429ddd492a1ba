// The simulator's compute kernels and kernel thread pool, called directly (the test binary
// compiles native/sim/src/aclnn_matmul_kernel.cpp, aclnn_attention_kernel.cpp, aclnn_half.cpp and
// sim_parallel.cpp in).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "aclnn_internal.h"
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

// ---- IncreFlashAttention kernel ----------------------------------------------------------------

// One attention problem: storage of query, keys, values (float16 or bfloat16 bits) and the layout.
struct AttnProblem {
    bool bf16 = false;
    bool bnsd = false;  // keys [B, nkv, S, D], else [B, S, nkv, D]
    int64_t B = 1, H = 1, nkv = 1, D = 1, S = 1;
    std::vector<uint16_t> q, k, v;
    std::vector<int64_t> lens;
    std::vector<uint8_t> mask;  // empty = none, else [B, S]
    float scale = 1.0f;
};

uint16_t to_bits(bool bf16, float x) { return bf16 ? aclnn::float_to_bf16(x) : aclnn::float_to_half(x); }
float from_bits(bool bf16, uint16_t u) { return bf16 ? aclnn::bf16_to_float(u) : aclnn::half_to_float(u); }

AttnProblem attn_problem(bool bf16, bool bnsd, int64_t B, int64_t H, int64_t nkv, int64_t D, int64_t S, bool masked,
                         uint32_t seed) {
    AttnProblem p;
    p.bf16 = bf16, p.bnsd = bnsd, p.B = B, p.H = H, p.nkv = nkv, p.D = D, p.S = S;
    p.scale = 1.0f / std::sqrt(static_cast<float>(D));
    auto fill = [&](std::vector<uint16_t>& dst, size_t n, uint32_t sd) {
        for (float x : values(n, sd)) dst.push_back(to_bits(bf16, x));
    };
    fill(p.q, static_cast<size_t>(B * H * D), seed);
    fill(p.k, static_cast<size_t>(B * S * nkv * D), seed + 1);
    fill(p.v, static_cast<size_t>(B * S * nkv * D), seed + 2);
    for (int64_t b = 0; b < B; ++b) p.lens.push_back(b % 5 == 3 ? 0 : S - (b * 7) % std::max<int64_t>(S, 1));
    if (masked) {
        for (int64_t i = 0; i < B * S; ++i) p.mask.push_back((i * 2654435761u >> 7) % 3 == 0 ? 1 : 0);
        for (int64_t s = 0; s < S; ++s) p.mask[static_cast<size_t>(s)] = 1;  // batch 0: nothing attended
    }
    return p;
}

aclnn::IncreAttentionArgs attn_args(const AttnProblem& p, std::vector<uint16_t>& out) {
    aclnn::IncreAttentionArgs a;
    a.bf16 = p.bf16, a.B = p.B, a.H = p.H, a.nkv = p.nkv, a.D = p.D;
    a.query = p.q.data();
    a.out = out.data();
    for (int64_t b = 0; b < p.B; ++b) {
        a.keys.push_back(p.k.data() + b * p.S * p.nkv * p.D);
        a.values.push_back(p.v.data() + b * p.S * p.nkv * p.D);
        a.headStride.push_back(p.bnsd ? p.S * p.D : p.D);
        a.seqStride.push_back(p.bnsd ? p.D : p.nkv * p.D);
    }
    a.lens = p.lens.data();
    a.mask = p.mask.empty() ? nullptr : p.mask.data();
    a.maskStride = p.S;
    a.scale = p.scale;
    return a;
}

std::vector<uint16_t> attend(const AttnProblem& p) {
    std::vector<uint16_t> out(static_cast<size_t>(p.B * p.H * p.D), 0xBEEF);  // the kernel must write every element
    EXPECT_TRUE(aclnn::incre_attention(attn_args(p, out)));
    return out;
}

// The kernel's contract (aclnn_attention_kernel.cpp), written the plain scalar way with every
// operation rounded (volatile: no contraction or reassociation).
std::vector<uint16_t> attend_reference(const AttnProblem& p) {
    std::vector<uint16_t> out(static_cast<size_t>(p.B * p.H * p.D));
    const float ninf = -std::numeric_limits<float>::infinity();
    const int64_t group = p.H / p.nkv;
    for (int64_t b = 0; b < p.B; ++b)
        for (int64_t h = 0; h < p.H; ++h) {
            const int64_t g = h / group, L = p.lens[static_cast<size_t>(b)];
            auto at = [&](const std::vector<uint16_t>& t, int64_t s, int64_t d) {
                const int64_t i = p.bnsd ? ((b * p.nkv + g) * p.S + s) * p.D + d : ((b * p.S + s) * p.nkv + g) * p.D + d;
                return from_bits(p.bf16, t[static_cast<size_t>(i)]);
            };
            std::vector<float> sc(static_cast<size_t>(L));
            float mx = ninf;
            for (int64_t s = 0; s < L; ++s) {
                if (!p.mask.empty() && p.mask[static_cast<size_t>(b * p.S + s)] != 0) {
                    sc[static_cast<size_t>(s)] = ninf;
                    continue;
                }
                volatile float dot = 0.0f;
                for (int64_t d = 0; d < p.D; ++d) {
                    volatile float prod = from_bits(p.bf16, p.q[static_cast<size_t>((b * p.H + h) * p.D + d)]) * at(p.k, s, d);
                    dot = dot + prod;
                }
                volatile float scaled = dot * p.scale;
                sc[static_cast<size_t>(s)] = scaled;
                mx = std::max(mx, sc[static_cast<size_t>(s)]);
            }
            std::vector<float> acc(static_cast<size_t>(p.D), 0.0f);
            if (mx != ninf) {
                volatile float sum = 0.0f;
                for (int64_t s = 0; s < L; ++s) {
                    if (sc[static_cast<size_t>(s)] == ninf) continue;
                    const float e = std::exp(sc[static_cast<size_t>(s)] - mx);
                    sum = sum + e;
                    for (int64_t d = 0; d < p.D; ++d) {
                        volatile float prod = e * at(p.v, s, d);
                        volatile float a = acc[static_cast<size_t>(d)];
                        acc[static_cast<size_t>(d)] = a + prod;
                    }
                }
                const float inv = 1.0f / sum;
                for (auto& x : acc) {
                    volatile float y = x * inv;
                    x = y;
                }
            }
            for (int64_t d = 0; d < p.D; ++d)
                out[static_cast<size_t>((b * p.H + h) * p.D + d)] = to_bits(p.bf16, acc[static_cast<size_t>(d)]);
        }
    return out;
}

TEST(AttentionKernel, EqualsTheContractBitForBitAtEveryThreadCount) {
    ThreadsGuard guard;
    struct Shape {
        int64_t B, H, nkv, D, S;
    };
    const Shape shapes[] = {{1, 1, 1, 1, 1},  {2, 4, 2, 8, 6},   {3, 8, 8, 32, 37}, {5, 6, 3, 13, 9},
                            {32, 8, 8, 32, 40}, {7, 4, 1, 64, 129}, {4, 2, 2, 3, 1}};
    int cases = 0;
    for (const Shape& sh : shapes)
        for (bool bf16 : {false, true})
            for (bool bnsd : {false, true})
                for (bool masked : {false, true}) {
                    const AttnProblem p = attn_problem(bf16, bnsd, sh.B, sh.H, sh.nkv, sh.D, sh.S, masked,
                                                       static_cast<uint32_t>(sh.D * 31 + sh.S));
                    const std::vector<uint16_t> want = attend_reference(p);
                    for (int threads : {1, 2, 4, 7}) {
                        sim::set_kernel_threads(threads);
                        const std::vector<uint16_t> got = attend(p);
                        ASSERT_EQ(0, std::memcmp(got.data(), want.data(), got.size() * 2))
                            << "B" << sh.B << " H" << sh.H << " kvN" << sh.nkv << " D" << sh.D << " S" << sh.S
                            << (bf16 ? " bf16" : " fp16") << (bnsd ? " BNSD" : " BSH") << (masked ? " masked" : "")
                            << ", " << threads << " thread(s)";
                        cases++;
                    }
                }
    EXPECT_EQ(7 * 2 * 2 * 2 * 4, cases);
}

TEST(AttentionKernel, ResultsAreIdenticalForEveryThreadCountAndRun) {
    ThreadsGuard guard;
    const AttnProblem p = attn_problem(false, false, 32, 8, 8, 32, 300, true, 11);
    sim::set_kernel_threads(1);
    const std::vector<uint16_t> serial = attend(p);
    for (int threads : {2, 3, 4, 7})
        for (int run = 0; run < 3; ++run) {
            sim::set_kernel_threads(threads);
            ASSERT_EQ(serial, attend(p)) << threads << " threads, run " << run;
        }
}

// A single attended position returns its value row unchanged: every float16 bit pattern (subnormals,
// zeros, infinities, NaN payloads) goes through the kernel's own float16 conversion exactly as
// through half_to_float.
TEST(AttentionKernel, EveryFloat16ValuePatternConvertsExactly) {
    ThreadsGuard guard;
    AttnProblem p;
    p.B = 4096, p.H = 1, p.nkv = 1, p.D = 16, p.S = 1;
    for (int64_t i = 0; i < p.B * p.D; ++i) {
        p.q.push_back(to_bits(false, 0.25f));
        p.k.push_back(to_bits(false, 0.5f));
        p.v.push_back(static_cast<uint16_t>(i));
    }
    p.lens.assign(static_cast<size_t>(p.B), 1);
    const std::vector<uint16_t> want = attend_reference(p);
    int nonNan = 0;
    for (int64_t i = 0; i < p.B * p.D; ++i) {
        const uint16_t u = static_cast<uint16_t>(i);
        if ((u & 0x7c00u) != 0x7c00u || (u & 0x3ffu) == 0) {
            // p = 1, sum = 1: exact, except -0, which the first add (0 + -0) makes +0.
            ASSERT_EQ(u == 0x8000u ? 0 : u, want[static_cast<size_t>(i)]) << "reference, pattern " << i;
            nonNan++;
        }
    }
    EXPECT_EQ(65536 - 2 * 1023, nonNan);
    for (int threads : {1, 4}) {
        sim::set_kernel_threads(threads);
        ASSERT_EQ(want, attend(p)) << threads << " thread(s)";
    }
}

// Every finite float16 key pattern as a score (q = 1, D = 1, scale 1): the softmax over 16 positions.
TEST(AttentionKernel, EveryFiniteFloat16KeyPatternScoresLikeTheContract) {
    ThreadsGuard guard;
    AttnProblem p;
    p.H = 1, p.nkv = 1, p.D = 1, p.S = 16;
    std::vector<uint16_t> finite;
    for (uint32_t u = 0; u < 65536; ++u)
        if ((u & 0x7c00u) != 0x7c00u) finite.push_back(static_cast<uint16_t>(u));
    p.B = static_cast<int64_t>(finite.size()) / p.S;
    for (int64_t i = 0; i < p.B * p.S; ++i) {
        p.k.push_back(finite[static_cast<size_t>(i)]);
        p.v.push_back(to_bits(false, static_cast<float>(i % 16) - 7.5f));
    }
    p.q.assign(static_cast<size_t>(p.B), to_bits(false, 1.0f));
    p.lens.assign(static_cast<size_t>(p.B), p.S);
    const std::vector<uint16_t> want = attend_reference(p);
    for (int threads : {1, 2}) {
        sim::set_kernel_threads(threads);
        ASSERT_EQ(want, attend(p)) << threads << " thread(s)";
    }
}

}  // namespace
