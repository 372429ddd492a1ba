// HCCL: the ranks agree on count, data type, reduction, root, which collective and send/recv pairing before any
// payload moves. A mismatch fails the collective on every rank taking part, fast (not at the timeout), naming both
// sides' values (HCCL_E_PARA as the communicator's async error, 507904 at stream synchronize), with the buffers
// untouched and the process alive (payloads of different sizes used to abort it in Gloo's transport thread).
// Every case on 2 and 4 ranks, in one process (HcclCommInitAll) and in forked processes (HcclCommInitRootInfo).
#include <cstring>
#include <string>

#include "hccl_test_support.h"

using namespace hccltest;

namespace {

using Call = std::function<HcclResult(int r, int n, void* a, void* b, HcclComm c, aclrtStream s)>;

struct Case {
    const char* name;
    bool pair;  // only ranks 0 and 1 call (send/recv); the others stay idle
    bool twoRanksOnly;
    Call call;
    // What the failure message must contain on every rank that called, for n ranks.
    std::function<std::vector<std::string>(int n)> expect;
};

std::string Last(int n) { return std::to_string(n - 1); }
bool Odd(int r, int n) { return r == n - 1; }

const std::vector<Case>& Cases() {
    static const std::vector<Case> cases = {
        {"AllReduceCount", false, false,
         [](int r, int n, void* a, void* b, HcclComm c, aclrtStream s) {
             return HcclAllReduce(a, b, Odd(r, n) ? 8 : 4, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c, s);
         },
         [](int n) { return std::vector<std::string>{"HcclAllReduce", "the count: rank 0 passed 4, rank " + Last(n) + " passed 8"}; }},
        {"AllReduceDataTypeOfTheSameWidth", false, false,
         [](int r, int n, void* a, void* b, HcclComm c, aclrtStream s) {
             return HcclAllReduce(a, b, 4, Odd(r, n) ? HCCL_DATA_TYPE_INT32 : HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c, s);
         },
         [](int n) {
             return std::vector<std::string>{"the data type: rank 0 passed fp32 (4), rank " + Last(n) + " passed int32 (2)"};
         }},
        {"AllReduceReduction", false, false,
         [](int r, int n, void* a, void* b, HcclComm c, aclrtStream s) {
             return HcclAllReduce(a, b, 4, HCCL_DATA_TYPE_FP32, Odd(r, n) ? HCCL_REDUCE_MAX : HCCL_REDUCE_SUM, c, s);
         },
         [](int n) { return std::vector<std::string>{"the reduction: rank 0 passed sum (0), rank " + Last(n) + " passed max (2)"}; }},
        {"BroadcastRoot", false, false,
         [](int r, int n, void* a, void*, HcclComm c, aclrtStream s) {
             return HcclBroadcast(a, 4, HCCL_DATA_TYPE_FP32, Odd(r, n) ? 1 : 0, c, s);
         },
         [](int n) { return std::vector<std::string>{"HcclBroadcast", "the root: rank 0 passed 0, rank " + Last(n) + " passed 1"}; }},
        {"BroadcastCount", false, false,
         [](int r, int n, void* a, void*, HcclComm c, aclrtStream s) {
             return HcclBroadcast(a, Odd(r, n) ? 3 : 4, HCCL_DATA_TYPE_FP32, 0, c, s);
         },
         [](int n) { return std::vector<std::string>{"the count: rank 0 passed 4, rank " + Last(n) + " passed 3"}; }},
        {"BroadcastDataType", false, false,
         [](int r, int n, void* a, void*, HcclComm c, aclrtStream s) {
             return HcclBroadcast(a, 4, Odd(r, n) ? HCCL_DATA_TYPE_UINT8 : HCCL_DATA_TYPE_INT8, 0, c, s);
         },
         [](int n) {
             return std::vector<std::string>{"HcclBroadcast", "the data type: rank 0 passed int8 (0), rank " + Last(n) + " passed uint8 (7)"};
         }},
        {"AllGatherCount", false, false,
         [](int r, int n, void* a, void* b, HcclComm c, aclrtStream s) {
             return HcclAllGather(a, b, Odd(r, n) ? 4 : 2, HCCL_DATA_TYPE_FP32, c, s);
         },
         [](int n) { return std::vector<std::string>{"HcclAllGather", "the count: rank 0 passed 2, rank " + Last(n) + " passed 4"}; }},
        {"AllGatherDataType", false, false,
         [](int r, int n, void* a, void* b, HcclComm c, aclrtStream s) {
             return HcclAllGather(a, b, 4, Odd(r, n) ? HCCL_DATA_TYPE_BFP16 : HCCL_DATA_TYPE_FP16, c, s);
         },
         [](int n) {
             return std::vector<std::string>{"the data type: rank 0 passed fp16 (3), rank " + Last(n) + " passed bfp16 (11)"};
         }},
        {"ReduceScatterCount", false, false,
         [](int r, int n, void* a, void* b, HcclComm c, aclrtStream s) {
             return HcclReduceScatter(a, b, Odd(r, n) ? 3 : 2, HCCL_DATA_TYPE_INT32, HCCL_REDUCE_SUM, c, s);
         },
         [](int n) { return std::vector<std::string>{"HcclReduceScatter", "the count: rank 0 passed 2, rank " + Last(n) + " passed 3"}; }},
        {"ReduceScatterDataTypeOfTheSameWidth", false, false,
         [](int r, int n, void* a, void* b, HcclComm c, aclrtStream s) {
             return HcclReduceScatter(a, b, 2, Odd(r, n) ? HCCL_DATA_TYPE_FP32 : HCCL_DATA_TYPE_INT32, HCCL_REDUCE_SUM, c, s);
         },
         [](int n) {
             return std::vector<std::string>{"HcclReduceScatter", "the data type: rank 0 passed int32 (2), rank " + Last(n) + " passed fp32 (4)"};
         }},
        {"ReduceScatterReduction", false, false,
         [](int r, int n, void* a, void* b, HcclComm c, aclrtStream s) {
             return HcclReduceScatter(a, b, 2, HCCL_DATA_TYPE_INT32, Odd(r, n) ? HCCL_REDUCE_PROD : HCCL_REDUCE_MIN, c, s);
         },
         [](int n) { return std::vector<std::string>{"the reduction: rank 0 passed min (3), rank " + Last(n) + " passed prod (1)"}; }},
        {"DifferentCollectives", false, false,
         [](int r, int n, void* a, void* b, HcclComm c, aclrtStream s) {
             return Odd(r, n) ? HcclBroadcast(a, 4, HCCL_DATA_TYPE_FP32, 0, c, s)
                              : HcclAllReduce(a, b, 4, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c, s);
         },
         [](int n) {
             return std::vector<std::string>{"which collective they call: rank 0 called HcclAllReduce, rank " + Last(n) +
                                             " called HcclBroadcast"};
         }},
        {"ReduceScatterAgainstAllReduce", false, false,
         [](int r, int n, void* a, void* b, HcclComm c, aclrtStream s) {
             return Odd(r, n) ? HcclAllReduce(a, b, 4, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c, s)
                              : HcclReduceScatter(a, b, 2, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c, s);
         },
         [](int n) {
             return std::vector<std::string>{"which collective they call: rank 0 called HcclReduceScatter, rank " + Last(n) +
                                             " called HcclAllReduce"};
         }},
        {"BarrierAgainstAllGather", false, false,
         [](int r, int n, void* a, void* b, HcclComm c, aclrtStream s) {
             return Odd(r, n) ? HcclAllGather(a, b, 4, HCCL_DATA_TYPE_FP32, c, s) : HcclBarrier(c, s);
         },
         [](int n) {
             return std::vector<std::string>{"rank 0 called HcclBarrier, rank " + Last(n) + " called HcclAllGather"};
         }},
        {"SendRecvCount", true, false,
         [](int r, int, void* a, void* b, HcclComm c, aclrtStream s) {
             return r == 0 ? HcclSend(a, 4, HCCL_DATA_TYPE_FP32, 1, c, s) : HcclRecv(b, 8, HCCL_DATA_TYPE_FP32, 0, c, s);
         },
         [](int) {
             return std::vector<std::string>{"what moves: rank 0 sends 4 elements of fp32 (4), rank 1 receives 8 elements of fp32 (4)"};
         }},
        {"SendRecvDataType", true, false,
         [](int r, int, void* a, void* b, HcclComm c, aclrtStream s) {
             return r == 0 ? HcclSend(a, 4, HCCL_DATA_TYPE_INT8, 1, c, s) : HcclRecv(b, 4, HCCL_DATA_TYPE_UINT8, 0, c, s);
         },
         [](int) {
             return std::vector<std::string>{"rank 0 sends 4 elements of int8 (0), rank 1 receives 4 elements of uint8 (7)"};
         }},
        {"BothSend", true, false,
         [](int r, int, void* a, void*, HcclComm c, aclrtStream s) { return HcclSend(a, 4, HCCL_DATA_TYPE_FP32, 1 - r, c, s); },
         [](int) { return std::vector<std::string>{"the pairing", "both called HcclSend", "pairs with an HcclRecv"}; }},
        {"BothRecv", true, false,
         [](int r, int, void*, void* b, HcclComm c, aclrtStream s) { return HcclRecv(b, 4, HCCL_DATA_TYPE_FP32, 1 - r, c, s); },
         [](int) { return std::vector<std::string>{"the pairing", "both called HcclRecv"}; }},
        // On more ranks the others of the collective wait for rank 0's header: they fail when ranks 0 and 1 close
        // their transport (a connection error), not with this message.
        {"SendAgainstACollective", true, true,
         [](int r, int, void* a, void* b, HcclComm c, aclrtStream s) {
             return r == 0 ? HcclSend(a, 4, HCCL_DATA_TYPE_FP32, 1, c, s)
                           : HcclAllReduce(a, b, 4, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c, s);
         },
         [](int) {
             return std::vector<std::string>{"which collective they call: rank 0 called HcclSend to rank 1, rank 1 called HcclAllReduce"};
         }},
    };
    return cases;
}

constexpr size_t kBufferBytes = 64 * 8;
constexpr unsigned char kSentinel = 0x5a;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---- ranks in one process -------------------------------------------------------------------------------------
class HcclMismatchLocal : public HcclLocal, public ::testing::WithParamInterface<std::tuple<int, int>> {};

TEST_P(HcclMismatchLocal, EveryRankFailsFastNamingBothValuesAndNoDataMoves) {
    const Case& k = Cases()[std::get<0>(GetParam())];
    const int n = std::get<1>(GetParam());
    Open(n);
    std::vector<void*> a, b;
    for (int r = 0; r < n; ++r) {
        a.push_back(Upload(ranks_[r], std::vector<char>(kBufferBytes, static_cast<char>(kSentinel))));
        b.push_back(Upload(ranks_[r], std::vector<char>(kBufferBytes, static_cast<char>(kSentinel))));
    }
    const int takers = k.pair ? 2 : n;
    for (int r = 0; r < takers; ++r) {
        Use(ranks_[r]);
        ASSERT_HCCL_OK(k.call(r, n, a[r], b[r], ranks_[r].comm, ranks_[r].stream));
    }
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < takers; ++r) {
        Use(ranks_[r]);
        EXPECT_EQ(ACL_ERROR_RT_COMM_OP_RETRY_FAIL, aclrtSynchronizeStream(ranks_[r].stream)) << "rank " << r;
        std::string msg = RecentMsg();
        for (const std::string& part : k.expect(n)) EXPECT_TRUE(Contains(msg, part)) << "rank " << r << ": " << msg;
        EXPECT_TRUE(Contains(msg, "(HcclResult 1, HCCL_E_PARA)")) << msg;
        EXPECT_TRUE(Contains(msg, "no data moved")) << msg;
        HcclResult async = HCCL_SUCCESS;
        EXPECT_HCCL_OK(HcclGetCommAsyncError(ranks_[r].comm, &async));
        EXPECT_EQ(HCCL_E_PARA, async) << "rank " << r;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(secs, 1.8) << "found by the header exchange, not by the 2 s timeout";
    for (int r = takers; r < n; ++r) {
        HcclResult async = HCCL_E_INTERNAL;
        EXPECT_HCCL_OK(HcclGetCommAsyncError(ranks_[r].comm, &async));
        EXPECT_EQ(HCCL_SUCCESS, async) << "rank " << r << " took no part";
    }
    for (int r = 0; r < n; ++r) {
        for (void* p : {a[r], b[r]}) {
            auto bytes = Download(ranks_[r], p, kBufferBytes);
            for (size_t i = 0; i < bytes.size(); ++i)
                ASSERT_EQ(kSentinel, static_cast<unsigned char>(bytes[i])) << "rank " << r << " byte " << i << " changed";
        }
    }
    // The communicator stays failed: its next collective fails the same way, without waiting.
    Use(ranks_[0]);
    ASSERT_HCCL_OK(HcclBarrier(ranks_[0].comm, ranks_[0].stream));
    EXPECT_EQ(ACL_ERROR_RT_COMM_OP_RETRY_FAIL, aclrtSynchronizeStream(ranks_[0].stream));
    std::string again = RecentMsg();
    EXPECT_TRUE(Contains(again, "already failed")) << again;
    EXPECT_TRUE(Contains(again, k.expect(n).back())) << again;
    FreeAll(a, 1);
    FreeAll(b, 1);
}

std::vector<std::tuple<int, int>> Params() {
    std::vector<std::tuple<int, int>> out;
    for (int i = 0; i < static_cast<int>(Cases().size()); ++i)
        for (int n : {2, 4})
            if (n == 2 || !Cases()[i].twoRanksOnly) out.emplace_back(i, n);
    return out;
}

std::string Name(const ::testing::TestParamInfo<std::tuple<int, int>>& info) {
    return std::string(Cases()[std::get<0>(info.param)].name) + "_" + std::to_string(std::get<1>(info.param)) + "Ranks";
}

INSTANTIATE_TEST_SUITE_P(Cases, HcclMismatchLocal, ::testing::ValuesIn(Params()), Name);

// ---- ranks as processes -------------------------------------------------------------------------------------------
class HcclMismatchProcesses : public HcclProcesses, public ::testing::WithParamInterface<std::tuple<int, int>> {};

int RankOfMismatch(const Case& k, int rank, int n, const HcclRootInfo& root) {
    CHILD_CHECK(aclrtSetDevice(0) == ACL_SUCCESS);
    HcclComm comm = nullptr;
    CHILD_CHECK(HcclCommInitRootInfo(n, &root, rank, &comm) == HCCL_SUCCESS);
    aclrtStream s = nullptr;
    CHILD_CHECK(aclrtCreateStream(&s) == ACL_SUCCESS);
    void *a = nullptr, *b = nullptr;
    CHILD_CHECK(aclrtMalloc(&a, kBufferBytes, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS);
    CHILD_CHECK(aclrtMalloc(&b, kBufferBytes, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS);
    std::vector<char> sentinel(kBufferBytes, static_cast<char>(kSentinel));
    CHILD_CHECK(aclrtMemcpy(b, kBufferBytes, sentinel.data(), kBufferBytes, ACL_MEMCPY_HOST_TO_DEVICE) == ACL_SUCCESS);
    if (rank < (k.pair ? 2 : n)) {
        CHILD_CHECK(k.call(rank, n, a, b, comm, s) == HCCL_SUCCESS);
        auto t0 = std::chrono::steady_clock::now();
        CHILD_CHECK(aclrtSynchronizeStream(s) == ACL_ERROR_RT_COMM_OP_RETRY_FAIL);
        std::string msg = aclGetRecentErrMsg();
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        for (const std::string& part : k.expect(n)) CHILD_CHECK(Contains(msg, part));
        CHILD_CHECK(Contains(msg, "HCCL_E_PARA"));
        CHILD_CHECK(secs < 1.8);
        HcclResult async = HCCL_SUCCESS;
        CHILD_CHECK(HcclGetCommAsyncError(comm, &async) == HCCL_SUCCESS && async == HCCL_E_PARA);
        std::vector<char> after(kBufferBytes);
        CHILD_CHECK(aclrtMemcpy(after.data(), kBufferBytes, b, kBufferBytes, ACL_MEMCPY_DEVICE_TO_HOST) == ACL_SUCCESS);
        CHILD_CHECK(after == sentinel);
    }
    CHILD_CHECK(HcclCommDestroy(comm) == HCCL_SUCCESS);
    CHILD_CHECK(aclrtFree(a) == ACL_SUCCESS);
    CHILD_CHECK(aclrtFree(b) == ACL_SUCCESS);
    CHILD_CHECK(aclrtDestroyStream(s) == ACL_SUCCESS);
    CHILD_CHECK(aclrtResetDevice(0) == ACL_SUCCESS);
    CHILD_CHECK(aclFinalize() == ACL_SUCCESS);
    return 0;
}

TEST_P(HcclMismatchProcesses, EveryRankProcessFailsFastNamingBothValues) {
    const Case& k = Cases()[std::get<0>(GetParam())];
    const int n = std::get<1>(GetParam());
    auto res = RunRanks(n, [&](int r, const HcclRootInfo& root) { return RankOfMismatch(k, r, n, root); });
    for (int r = 0; r < n; ++r) {
        EXPECT_FALSE(res[r].signaled) << "rank " << r << " was killed by a signal (abort?)";
        EXPECT_EQ(0, res[r].exitCode) << "rank " << r;
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, HcclMismatchProcesses, ::testing::ValuesIn(Params()), Name);

}  // namespace
