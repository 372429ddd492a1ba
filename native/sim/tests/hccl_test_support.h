// HCCL GoogleTests: what hccl_tests.cpp and hccl_mismatch_tests.cpp share (ranks in one process with
// HcclCommInitAll, ranks as forked processes, element conversions for references).
#pragma once

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

#include "hccl/hccl.h"
#include "test_support.h"

namespace hccltest {

using namespace simtest;

#define EXPECT_HCCL_OK(call) EXPECT_EQ(HCCL_SUCCESS, (call)) << #call << " -> " << ::simtest::RecentMsg()
#define ASSERT_HCCL_OK(call) ASSERT_EQ(HCCL_SUCCESS, (call)) << #call << " -> " << ::simtest::RecentMsg()
// A refused HCCL call: exact HcclResult, and the recent error text names the function.
#define EXPECT_HCCL_ERROR(code, fn, call)                                                                   \
    do {                                                                                                    \
        HcclResult r_ = (call);                                                                             \
        EXPECT_EQ((code), r_) << #call;                                                                     \
        std::string m_ = ::simtest::RecentMsg();                                                            \
        EXPECT_NE(std::string::npos, m_.find(fn)) << #call << ": message does not name " << (fn) << ": " << m_; \
    } while (0)

// ---- element conversions for references --------------------------------------------------------
inline uint16_t ToHalf(float f) {  // exact for the small integers and halves the tests use
    if (f == 0) return 0;
    uint32_t sign = f < 0 ? 0x8000u : 0u;
    float a = std::fabs(f);
    int e = 0;
    float m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
    uint32_t exp = static_cast<uint32_t>(e - 1 + 15);
    uint32_t mant = static_cast<uint32_t>(std::lround((m * 2 - 1) * 1024));
    return static_cast<uint16_t>(sign | (exp << 10) | mant);
}
inline float FromHalf(uint16_t h) {
    if ((h & 0x7fff) == 0) return 0;
    int exp = (h >> 10) & 0x1f;
    float mant = 1 + (h & 0x3ff) / 1024.0f;
    float v = std::ldexp(mant, exp - 15);
    return (h & 0x8000) ? -v : v;
}
inline uint16_t ToBf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return static_cast<uint16_t>(u >> 16);  // exact for the values used
}
inline float FromBf16(uint16_t b) {
    uint32_t u = static_cast<uint32_t>(b) << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

inline size_t Width(HcclDataType t) {
    switch (t) {
        case HCCL_DATA_TYPE_FP32: case HCCL_DATA_TYPE_INT32: return 4;
        case HCCL_DATA_TYPE_FP16: case HCCL_DATA_TYPE_BFP16: return 2;
        case HCCL_DATA_TYPE_INT8: return 1;
        case HCCL_DATA_TYPE_INT64: return 8;
        default: return 0;
    }
}

// Host bytes of `values` in dtype t.
inline std::vector<char> Encode(HcclDataType t, const std::vector<double>& values) {
    std::vector<char> out(values.size() * Width(t));
    for (size_t i = 0; i < values.size(); ++i) {
        double v = values[i];
        switch (t) {
            case HCCL_DATA_TYPE_FP32: { float f = static_cast<float>(v); memcpy(&out[i * 4], &f, 4); break; }
            case HCCL_DATA_TYPE_INT32: { int32_t x = static_cast<int32_t>(v); memcpy(&out[i * 4], &x, 4); break; }
            case HCCL_DATA_TYPE_FP16: { uint16_t x = ToHalf(static_cast<float>(v)); memcpy(&out[i * 2], &x, 2); break; }
            case HCCL_DATA_TYPE_BFP16: { uint16_t x = ToBf16(static_cast<float>(v)); memcpy(&out[i * 2], &x, 2); break; }
            case HCCL_DATA_TYPE_INT8: { int8_t x = static_cast<int8_t>(v); memcpy(&out[i], &x, 1); break; }
            case HCCL_DATA_TYPE_INT64: { int64_t x = static_cast<int64_t>(v); memcpy(&out[i * 8], &x, 8); break; }
            default: break;
        }
    }
    return out;
}

inline std::vector<double> Decode(HcclDataType t, const std::vector<char>& bytes) {
    size_t w = Width(t);
    std::vector<double> out(bytes.size() / w);
    for (size_t i = 0; i < out.size(); ++i) {
        switch (t) {
            case HCCL_DATA_TYPE_FP32: { float f; memcpy(&f, &bytes[i * 4], 4); out[i] = f; break; }
            case HCCL_DATA_TYPE_INT32: { int32_t x; memcpy(&x, &bytes[i * 4], 4); out[i] = x; break; }
            case HCCL_DATA_TYPE_FP16: { uint16_t x; memcpy(&x, &bytes[i * 2], 2); out[i] = FromHalf(x); break; }
            case HCCL_DATA_TYPE_BFP16: { uint16_t x; memcpy(&x, &bytes[i * 2], 2); out[i] = FromBf16(x); break; }
            case HCCL_DATA_TYPE_INT8: { int8_t x; memcpy(&x, &bytes[i], 1); out[i] = x; break; }
            case HCCL_DATA_TYPE_INT64: { int64_t x; memcpy(&x, &bytes[i * 8], 8); out[i] = static_cast<double>(x); break; }
            default: break;
        }
    }
    return out;
}

// Input element i of rank r: small values, exact in every dtype, different per rank and element.
inline double Input(int r, size_t i) { return static_cast<double>((static_cast<int>(i) * 3 + r * 5) % 11) - 4; }

inline double Reduce(HcclReduceOp op, double a, double b) {
    switch (op) {
        case HCCL_REDUCE_SUM: return a + b;
        case HCCL_REDUCE_PROD: return a * b;
        case HCCL_REDUCE_MAX: return std::max(a, b);
        default: return std::min(a, b);
    }
}

// ---- one process, several devices (HcclCommInitAll) ---------------------------------------------------
struct LocalRank {
    int32_t device = 0;
    aclrtContext ctx = nullptr;
    aclrtStream stream = nullptr;
    HcclComm comm = nullptr;
};

class HcclLocal : public SimTest {
protected:
    void ConfigureEnv() override {
        setenv("ASCEND_SIM_DEVICE_COUNT", "4", 1);
        setenv("ASCEND_SIM_HCCL_TIMEOUT_MS", "2000", 1);
    }
    void TearDown() override {
        for (auto& r : ranks_) {
            Use(r);
            if (r.comm) {
                EXPECT_HCCL_OK(HcclCommDestroy(r.comm));
            }
            if (r.stream) {
                EXPECT_ACL_OK(aclrtDestroyStream(r.stream));
            }
        }
        for (auto& r : ranks_) {
            if (r.device != 0) {
                EXPECT_ACL_OK(aclrtResetDevice(r.device));
            }
        }
        ASSERT_ACL_OK(aclrtSetCurrentContext(ctx_));
        unsetenv("ASCEND_SIM_HCCL_TIMEOUT_MS");
        SimTest::TearDown();
    }

    void Open(int n) {
        ranks_.resize(n);
        std::vector<int32_t> devs(n);
        for (int i = 0; i < n; ++i) {
            ranks_[i].device = i;
            devs[i] = i;
            ASSERT_ACL_OK(aclrtSetDevice(i));
            ASSERT_ACL_OK(aclrtGetCurrentContext(&ranks_[i].ctx));
            ASSERT_ACL_OK(aclrtCreateStream(&ranks_[i].stream));
        }
        std::vector<HcclComm> comms(n);
        ASSERT_HCCL_OK(HcclCommInitAll(static_cast<uint32_t>(n), devs.data(), comms.data()));
        for (int i = 0; i < n; ++i) ranks_[i].comm = comms[i];
    }

    void Use(const LocalRank& r) { ASSERT_ACL_OK(aclrtSetCurrentContext(r.ctx)); }

    void* Upload(const LocalRank& r, const std::vector<char>& bytes) {
        Use(r);
        void* p = nullptr;
        EXPECT_ACL_OK(aclrtMalloc(&p, bytes.size(), ACL_MEM_MALLOC_HUGE_FIRST));
        EXPECT_ACL_OK(aclrtMemcpy(p, bytes.size(), bytes.data(), bytes.size(), ACL_MEMCPY_HOST_TO_DEVICE));
        return p;
    }
    std::vector<char> Download(const LocalRank& r, const void* p, size_t n) {
        Use(r);
        std::vector<char> out(n);
        EXPECT_ACL_OK(aclrtMemcpy(out.data(), n, p, n, ACL_MEMCPY_DEVICE_TO_HOST));
        return out;
    }
    void SyncAll() {
        for (auto& r : ranks_) {
            Use(r);
            EXPECT_ACL_OK(aclrtSynchronizeStream(r.stream));
        }
    }
    void FreeAll(std::vector<void*>& v, int perRank) {
        for (size_t i = 0; i < v.size(); ++i) {
            Use(ranks_[i / perRank]);
            EXPECT_ACL_OK(aclrtFree(v[i]));
        }
        v.clear();
    }

    void CheckAllReduce(HcclDataType t, HcclReduceOp op, size_t count) {
        const int n = static_cast<int>(ranks_.size());
        std::vector<void*> bufs;
        for (int r = 0; r < n; ++r) {
            std::vector<double> in(count);
            for (size_t i = 0; i < count; ++i) in[i] = Input(r, i);
            bufs.push_back(Upload(ranks_[r], Encode(t, in)));
            bufs.push_back(Upload(ranks_[r], std::vector<char>(count * Width(t), 0)));
        }
        for (int r = 0; r < n; ++r) {
            Use(ranks_[r]);
            ASSERT_HCCL_OK(HcclAllReduce(bufs[2 * r], bufs[2 * r + 1], count, t, op, ranks_[r].comm, ranks_[r].stream));
        }
        SyncAll();
        for (int r = 0; r < n; ++r) {
            auto got = Decode(t, Download(ranks_[r], bufs[2 * r + 1], count * Width(t)));
            for (size_t i = 0; i < count; ++i) {
                double want = Input(0, i);
                for (int q = 1; q < n; ++q) want = Reduce(op, want, Input(q, i));
                ASSERT_EQ(want, got[i]) << "dtype " << t << " op " << op << " rank " << r << " element " << i;
            }
        }
        FreeAll(bufs, 2);
    }

    std::vector<LocalRank> ranks_;
};


// ---- several processes (HcclGetRootInfo / HcclCommInitRootInfo) -------------------------------------
// Each rank is a forked child that starts its own runtime; rank 0 makes the root info and passes the
// bytes through a pipe, as a launcher would through a file or the job's own channel.
struct ChildResult {
    int exitCode = -1;
    bool signaled = false;
};

inline std::vector<ChildResult> RunRanks(int n, const std::function<int(int rank, const HcclRootInfo& root)>& body,
                                  int killRank = -1, int killAfterMs = 0) {
    int fds[2];
    EXPECT_EQ(0, pipe(fds));
    std::vector<pid_t> pids;
    for (int r = 0; r < n; ++r) {
        pid_t p = fork();
        if (p == 0) {
            close(fds[r == 0 ? 0 : 1]);
            if (aclInit(nullptr) != ACL_SUCCESS) _exit(90);
            HcclRootInfo root;
            if (r == 0) {
                if (HcclGetRootInfo(&root) != HCCL_SUCCESS) _exit(91);
                for (int k = 1; k < n; ++k)
                    if (write(fds[1], &root, sizeof root) != static_cast<ssize_t>(sizeof root)) _exit(92);
                close(fds[1]);
            } else {
                size_t got = 0;
                while (got < sizeof root) {
                    ssize_t k = read(fds[0], reinterpret_cast<char*>(&root) + got, sizeof root - got);
                    if (k <= 0) _exit(93);
                    got += static_cast<size_t>(k);
                }
            }
            int rc = body(r, root);
            fflush(stdout);
            fflush(stderr);
            _exit(rc);
        }
        pids.push_back(p);
    }
    close(fds[0]);
    close(fds[1]);
    if (killRank >= 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(killAfterMs));
        kill(pids[killRank], SIGKILL);
    }
    std::vector<ChildResult> out(n);
    // A hard bound: a rank that hangs fails the test and is killed (no leaked processes).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (int r = 0; r < n; ++r) {
        int status = 0;
        for (;;) {
            pid_t w = waitpid(pids[r], &status, WNOHANG);
            if (w == pids[r]) break;
            if (std::chrono::steady_clock::now() > deadline) {
                ADD_FAILURE() << "rank " << r << " hung; killing it";
                kill(pids[r], SIGKILL);
                waitpid(pids[r], &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        out[r].signaled = WIFSIGNALED(status);
        out[r].exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return out;
}

// Inside a child: checks without gtest (exit code = first failed check's line, 0 = all passed).
#define CHILD_CHECK(cond)                                                        \
    do {                                                                         \
        if (!(cond)) {                                                           \
            const char* m_ = aclGetRecentErrMsg();                               \
            fprintf(stderr, "rank check failed at line %d: %s (%s)\n", __LINE__, #cond, m_ ? m_ : ""); \
            return 1;                                                            \
        }                                                                        \
    } while (0)

class HcclProcesses : public ::testing::Test {
protected:
    void SetUp() override {
        ClearSimEnv();
        // The system's temporary folder (TMPDIR honoured), as the simulator's own store default does.
        std::string tmpl = (std::filesystem::temp_directory_path() / "ascend-sim-hccl-test-XXXXXX").string();
        ASSERT_NE(nullptr, mkdtemp(tmpl.data()));
        storeBase_ = tmpl;
        setenv("ASCEND_SIM_HCCL_STORE_DIR", storeBase_.c_str(), 1);
        setenv("ASCEND_SIM_HCCL_TIMEOUT_MS", "2000", 1);
        setenv("ASCEND_SIM_DEVICE_COUNT", "1", 1);
    }
    void TearDown() override {
        // Rank 0 removes the rendezvous directory once everyone connected (or gave up).
        int entries = 0;
        if (DIR* d = opendir(storeBase_.c_str())) {
            while (dirent* e = readdir(d))
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) ++entries;
            closedir(d);
        }
        EXPECT_EQ(0, entries) << "rendezvous files left in " << storeBase_;
        rmdir(storeBase_.c_str());
        unsetenv("ASCEND_SIM_HCCL_STORE_DIR");
        unsetenv("ASCEND_SIM_HCCL_TIMEOUT_MS");
        ClearSimEnv();
    }
    std::string storeBase_;
};

}  // namespace hccltest
