// HCCL subset (hccl/hccl.h): collectives against references on 2 and 4 ranks in one process
// (HcclCommInitAll) and in several processes (HcclGetRootInfo + HcclCommInitRootInfo), capture and
// replay, stream budget, argument errors, killed / late / silent ranks (timeout, never a hang).
#include "hccl_test_support.h"

using namespace hccltest;

namespace {

const HcclDataType kTypes[] = {HCCL_DATA_TYPE_FP32, HCCL_DATA_TYPE_FP16, HCCL_DATA_TYPE_BFP16, HCCL_DATA_TYPE_INT32,
                               HCCL_DATA_TYPE_INT8};

TEST_F(HcclLocal, RankAndSizeOnTwoAndFourRanks) {
    Open(4);
    for (int r = 0; r < 4; ++r) {
        uint32_t size = 0, id = 99;
        EXPECT_HCCL_OK(HcclGetRankSize(ranks_[r].comm, &size));
        EXPECT_HCCL_OK(HcclGetRankId(ranks_[r].comm, &id));
        EXPECT_EQ(4u, size);
        EXPECT_EQ(static_cast<uint32_t>(r), id);
    }
}

TEST_F(HcclLocal, AllReduceEveryDtypeAndOpOnTwoRanks) {
    Open(2);
    for (HcclDataType t : kTypes)
        for (HcclReduceOp op : {HCCL_REDUCE_SUM, HCCL_REDUCE_MAX, HCCL_REDUCE_MIN, HCCL_REDUCE_PROD}) {
            if (op == HCCL_REDUCE_PROD && t == HCCL_DATA_TYPE_BFP16) continue;  // refused, see below
            CheckAllReduce(t, op, 37);
        }
}

TEST_F(HcclLocal, AllReduceEveryDtypeOnFourRanks) {
    Open(4);
    for (HcclDataType t : kTypes) {
        CheckAllReduce(t, HCCL_REDUCE_SUM, 1000);
        CheckAllReduce(t, HCCL_REDUCE_MAX, 5);
    }
}

TEST_F(HcclLocal, AllGatherReduceScatterBroadcastOnFourRanks) {
    Open(4);
    const int n = 4;
    for (HcclDataType t : kTypes) {
        const size_t count = 6;
        size_t w = Width(t);
        // AllGather: out[q*count + i] = input of rank q.
        std::vector<void*> bufs;
        for (int r = 0; r < n; ++r) {
            std::vector<double> in(count);
            for (size_t i = 0; i < count; ++i) in[i] = Input(r, i);
            bufs.push_back(Upload(ranks_[r], Encode(t, in)));
            bufs.push_back(Upload(ranks_[r], std::vector<char>(count * n * w, 0)));
        }
        for (int r = 0; r < n; ++r) {
            Use(ranks_[r]);
            ASSERT_HCCL_OK(HcclAllGather(bufs[2 * r], bufs[2 * r + 1], count, t, ranks_[r].comm, ranks_[r].stream));
        }
        SyncAll();
        for (int r = 0; r < n; ++r) {
            auto got = Decode(t, Download(ranks_[r], bufs[2 * r + 1], count * n * w));
            for (int q = 0; q < n; ++q)
                for (size_t i = 0; i < count; ++i) ASSERT_EQ(Input(q, i), got[q * count + i]) << "allgather dtype " << t;
        }
        FreeAll(bufs, 2);

        // ReduceScatter: rank r gets the sum over ranks of block r.
        for (int r = 0; r < n; ++r) {
            std::vector<double> in(count * n);
            for (size_t i = 0; i < in.size(); ++i) in[i] = Input(r, i);
            bufs.push_back(Upload(ranks_[r], Encode(t, in)));
            bufs.push_back(Upload(ranks_[r], std::vector<char>(count * w, 0)));
        }
        for (int r = 0; r < n; ++r) {
            Use(ranks_[r]);
            ASSERT_HCCL_OK(HcclReduceScatter(bufs[2 * r], bufs[2 * r + 1], count, t, HCCL_REDUCE_SUM, ranks_[r].comm,
                                             ranks_[r].stream));
        }
        SyncAll();
        for (int r = 0; r < n; ++r) {
            auto got = Decode(t, Download(ranks_[r], bufs[2 * r + 1], count * w));
            for (size_t i = 0; i < count; ++i) {
                double want = 0;
                for (int q = 0; q < n; ++q) want += Input(q, r * count + i);
                ASSERT_EQ(want, got[i]) << "reducescatter dtype " << t << " rank " << r;
            }
        }
        FreeAll(bufs, 2);

        // Broadcast from rank 2.
        for (int r = 0; r < n; ++r) {
            std::vector<double> in(count);
            for (size_t i = 0; i < count; ++i) in[i] = Input(r, i);
            bufs.push_back(Upload(ranks_[r], Encode(t, in)));
        }
        for (int r = 0; r < n; ++r) {
            Use(ranks_[r]);
            ASSERT_HCCL_OK(HcclBroadcast(bufs[r], count, t, 2, ranks_[r].comm, ranks_[r].stream));
        }
        SyncAll();
        for (int r = 0; r < n; ++r) {
            auto got = Decode(t, Download(ranks_[r], bufs[r], count * w));
            for (size_t i = 0; i < count; ++i) ASSERT_EQ(Input(2, i), got[i]) << "broadcast dtype " << t;
        }
        FreeAll(bufs, 1);
    }
}

TEST_F(HcclLocal, SendRecvRingAndBarrier) {
    Open(2);
    std::vector<void*> bufs;
    for (int r = 0; r < 2; ++r) {
        bufs.push_back(Upload(ranks_[r], Encode(HCCL_DATA_TYPE_FP32, {1.0 + r, 2.0 + r, 3.0 + r})));
        bufs.push_back(Upload(ranks_[r], std::vector<char>(12, 0)));
    }
    // Rank 0 sends then receives; rank 1 receives then sends (pairs match in issue order).
    Use(ranks_[0]);
    ASSERT_HCCL_OK(HcclSend(bufs[0], 3, HCCL_DATA_TYPE_FP32, 1, ranks_[0].comm, ranks_[0].stream));
    ASSERT_HCCL_OK(HcclRecv(bufs[1], 3, HCCL_DATA_TYPE_FP32, 1, ranks_[0].comm, ranks_[0].stream));
    ASSERT_HCCL_OK(HcclBarrier(ranks_[0].comm, ranks_[0].stream));
    Use(ranks_[1]);
    ASSERT_HCCL_OK(HcclRecv(bufs[3], 3, HCCL_DATA_TYPE_FP32, 0, ranks_[1].comm, ranks_[1].stream));
    ASSERT_HCCL_OK(HcclSend(bufs[2], 3, HCCL_DATA_TYPE_FP32, 0, ranks_[1].comm, ranks_[1].stream));
    ASSERT_HCCL_OK(HcclBarrier(ranks_[1].comm, ranks_[1].stream));
    SyncAll();
    EXPECT_EQ((std::vector<double>{2, 3, 4}), Decode(HCCL_DATA_TYPE_FP32, Download(ranks_[0], bufs[1], 12)));
    EXPECT_EQ((std::vector<double>{1, 2, 3}), Decode(HCCL_DATA_TYPE_FP32, Download(ranks_[1], bufs[3], 12)));
    FreeAll(bufs, 2);
}

TEST_F(HcclLocal, CollectivesAreAsynchronousStreamTasksInOrder) {
    Open(2);
    std::vector<void*> bufs;
    for (int r = 0; r < 2; ++r) bufs.push_back(Upload(ranks_[r], Encode(HCCL_DATA_TYPE_INT32, {1})));
    ASSERT_ACL_OK(aclsimSetTaskDelay(20000));
    // Three in-place sums, queued without waiting: 1 -> 2 -> 4 -> 8 only if they run in order.
    for (int k = 0; k < 3; ++k)
        for (int r = 0; r < 2; ++r) {
            Use(ranks_[r]);
            ASSERT_HCCL_OK(HcclAllReduce(bufs[r], bufs[r], 1, HCCL_DATA_TYPE_INT32, HCCL_REDUCE_SUM, ranks_[r].comm,
                                         ranks_[r].stream));
        }
    Use(ranks_[0]);
    aclrtStreamStatus st = ACL_STREAM_STATUS_COMPLETE;
    EXPECT_ACL_OK(aclrtStreamQuery(ranks_[0].stream, &st));
    EXPECT_EQ(ACL_STREAM_STATUS_NOT_READY, st) << "the call returned before the collective ran";
    SyncAll();
    ASSERT_ACL_OK(aclsimSetTaskDelay(0));
    for (int r = 0; r < 2; ++r) EXPECT_EQ((std::vector<double>{8}), Decode(HCCL_DATA_TYPE_INT32, Download(ranks_[r], bufs[r], 4)));
    FreeAll(bufs, 1);
}

TEST_F(HcclLocal, CapturedAllReduceReplaysAThousandTimesWithNewInputs) {
    Open(2);
    std::vector<void*> bufs;
    for (int r = 0; r < 2; ++r) {
        bufs.push_back(Upload(ranks_[r], Encode(HCCL_DATA_TYPE_FP32, {0, 0, 0, 0})));
        bufs.push_back(Upload(ranks_[r], Encode(HCCL_DATA_TYPE_FP32, {0, 0, 0, 0})));
    }
    std::vector<aclmdlRI> models(2);
    for (int r = 0; r < 2; ++r) {
        Use(ranks_[r]);
        ASSERT_ACL_OK(aclmdlRICaptureBegin(ranks_[r].stream, ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL));
        ASSERT_HCCL_OK(HcclAllReduce(bufs[2 * r], bufs[2 * r + 1], 4, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM,
                                     ranks_[r].comm, ranks_[r].stream));
    }
    for (int r = 0; r < 2; ++r) {
        Use(ranks_[r]);
        ASSERT_ACL_OK(aclmdlRICaptureEnd(ranks_[r].stream, &models[r]));
    }
    // Capture ran nothing.
    EXPECT_EQ((std::vector<double>{0, 0, 0, 0}), Decode(HCCL_DATA_TYPE_FP32, Download(ranks_[0], bufs[1], 16)));
    uint64_t before = Counter(ACLSIM_COUNT_TASKS_EXECUTED);
    for (int k = 1; k <= 1000; ++k) {
        for (int r = 0; r < 2; ++r) {
            Use(ranks_[r]);
            std::vector<char> in = Encode(HCCL_DATA_TYPE_FP32, {double(k), double(r), -double(k), 0.5});
            ASSERT_ACL_OK(aclrtMemcpy(bufs[2 * r], 16, in.data(), 16, ACL_MEMCPY_HOST_TO_DEVICE));
            ASSERT_ACL_OK(aclmdlRIExecuteAsync(models[r], ranks_[r].stream));
        }
        SyncAll();
        if (k % 97 == 0 || k == 1000) {
            for (int r = 0; r < 2; ++r) {
                ASSERT_EQ((std::vector<double>{2.0 * k, 1, -2.0 * k, 1}),
                          Decode(HCCL_DATA_TYPE_FP32, Download(ranks_[r], bufs[2 * r + 1], 16)))
                    << "replay " << k;
            }
        }
    }
    EXPECT_GE(Counter(ACLSIM_COUNT_TASKS_EXECUTED) - before, 2000u);
    for (int r = 0; r < 2; ++r) {
        Use(ranks_[r]);
        EXPECT_ACL_OK(aclmdlRIDestroy(models[r]));
    }
    FreeAll(bufs, 2);
}

TEST_F(HcclLocal, AGraphThatOutlivesItsCommunicatorFailsAtReplay) {
    ASSERT_ACL_OK(aclrtSetDevice(0));
    LocalRank r;
    ASSERT_ACL_OK(aclrtGetCurrentContext(&r.ctx));
    ASSERT_ACL_OK(aclrtCreateStream(&r.stream));
    int32_t dev = 0;
    ASSERT_HCCL_OK(HcclCommInitAll(1, &dev, &r.comm));
    void* d = Upload(r, Encode(HCCL_DATA_TYPE_FP32, {1, 2}));
    aclmdlRI m = nullptr;
    ASSERT_ACL_OK(aclmdlRICaptureBegin(r.stream, ACL_MODEL_RI_CAPTURE_MODE_GLOBAL));
    ASSERT_HCCL_OK(HcclAllReduce(d, d, 2, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, r.comm, r.stream));
    ASSERT_ACL_OK(aclmdlRICaptureEnd(r.stream, &m));
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, r.stream));
    EXPECT_ACL_OK(aclrtSynchronizeStream(r.stream));  // one rank: the sum is the input
    EXPECT_HCCL_OK(HcclCommDestroy(r.comm));
    ASSERT_ACL_OK(aclmdlRIExecuteAsync(m, r.stream));
    EXPECT_EQ(ACL_ERROR_RT_PARAM_INVALID, aclrtSynchronizeStream(r.stream));
    EXPECT_NE(std::string::npos, RecentMsg().find("destroyed")) << LastMsg();
    EXPECT_ACL_OK(aclmdlRIDestroy(m));
    EXPECT_ACL_OK(aclrtFree(d));
    EXPECT_ACL_OK(aclrtDestroyStream(r.stream));
    EXPECT_ACL_OK(aclrtResetDevice(0));
}

TEST_F(HcclLocal, EachCommunicatorHoldsOneStreamOfItsDevice) {
    uint32_t before0 = 0, before1 = 0, limit = 0;
    ASSERT_ACL_OK(aclrtSetDevice(1));
    ASSERT_ACL_OK(aclrtSetCurrentContext(ctx_));
    ASSERT_ACL_OK(aclsimGetStreamBudget(0, &before0, &limit));
    ASSERT_ACL_OK(aclsimGetStreamBudget(1, &before1, &limit));
    Open(2);  // adds a user stream per device, then one communicator per device
    uint32_t after0 = 0, after1 = 0;
    ASSERT_ACL_OK(aclsimGetStreamBudget(0, &after0, &limit));
    ASSERT_ACL_OK(aclsimGetStreamBudget(1, &after1, &limit));
    EXPECT_EQ(before0 + 2, after0);
    EXPECT_EQ(before1 + 2, after1);
    for (auto& r : ranks_) {
        EXPECT_HCCL_OK(HcclCommDestroy(r.comm));
        r.comm = nullptr;
    }
    ASSERT_ACL_OK(aclsimGetStreamBudget(0, &after0, &limit));
    EXPECT_EQ(before0 + 1, after0);
    EXPECT_ACL_OK(aclrtResetDevice(1));
}

class HcclLocalTightBudget : public HcclLocal {
    void ConfigureEnv() override {
        HcclLocal::ConfigureEnv();
        setenv("ASCEND_SIM_STREAM_LIMIT", "2", 1);
    }
};

TEST_F(HcclLocalTightBudget, NoStreamLeftRefusesTheCommunicator) {
    // Device 0 holds its default stream and one user stream: the limit of 2 is reached.
    aclrtStream s = nullptr;
    ASSERT_ACL_OK(aclrtCreateStream(&s));
    int32_t devs[1] = {0};
    HcclComm comm = nullptr;
    EXPECT_HCCL_ERROR(HCCL_E_RUNTIME, "HcclCommInitAll", HcclCommInitAll(1, devs, &comm));
    EXPECT_EQ(nullptr, comm);
    EXPECT_ACL_OK(aclrtDestroyStream(s));
    ASSERT_HCCL_OK(HcclCommInitAll(1, devs, &comm));
    EXPECT_HCCL_OK(HcclCommDestroy(comm));
}

TEST_F(HcclLocal, BadArgumentsAreRefusedWithNamedErrors) {
    Open(2);
    void* d0 = Upload(ranks_[0], std::vector<char>(64, 0));
    void* d1 = Upload(ranks_[1], std::vector<char>(64, 0));
    char host[64] = {};
    Use(ranks_[0]);
    HcclComm c0 = ranks_[0].comm;
    aclrtStream s0 = ranks_[0].stream;
    EXPECT_HCCL_ERROR(HCCL_E_PTR, "HcclAllReduce", HcclAllReduce(d0, d0, 4, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, nullptr, s0));
    EXPECT_HCCL_ERROR(HCCL_E_PTR, "HcclAllReduce", HcclAllReduce(d0, d0, 4, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c0, nullptr));
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclAllReduce", HcclAllReduce(host, d0, 4, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c0, s0));
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclAllReduce", HcclAllReduce(d1, d0, 4, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c0, s0));
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclAllReduce", HcclAllReduce(d0, d0, 17, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c0, s0));
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclAllReduce",
                      HcclAllReduce(static_cast<char*>(d0) + 2, d0, 4, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c0, s0));
    EXPECT_HCCL_ERROR(HCCL_E_NOT_SUPPORT, "HcclAllReduce", HcclAllReduce(d0, d0, 4, HCCL_DATA_TYPE_UINT32, HCCL_REDUCE_SUM, c0, s0));
    EXPECT_HCCL_ERROR(HCCL_E_NOT_SUPPORT, "HcclAllReduce", HcclAllReduce(d0, d0, 4, HCCL_DATA_TYPE_BFP16, HCCL_REDUCE_PROD, c0, s0));
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclAllReduce",
                      HcclAllReduce(d0, d0, 4, HCCL_DATA_TYPE_FP32, static_cast<HcclReduceOp>(7), c0, s0));
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclAllReduce",
                      HcclAllReduce(d0, d0, 4, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c0, ranks_[1].stream));
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclAllGather", HcclAllGather(d0, d0, 9, HCCL_DATA_TYPE_FP32, c0, s0));
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclBroadcast", HcclBroadcast(d0, 4, HCCL_DATA_TYPE_FP32, 2, c0, s0));
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclSend", HcclSend(d0, 4, HCCL_DATA_TYPE_FP32, 0, c0, s0));
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclRecv", HcclRecv(d0, 4, HCCL_DATA_TYPE_FP32, 5, c0, s0));
    uint32_t v = 0;
    EXPECT_HCCL_ERROR(HCCL_E_PTR, "HcclGetRankSize", HcclGetRankSize(c0, nullptr));
    int32_t dup[2] = {1, 1};
    HcclComm cs[2] = {};
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclCommInitAll", HcclCommInitAll(2, dup, cs));
    int32_t bad[1] = {9};
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclCommInitAll", HcclCommInitAll(1, bad, cs));
    HcclRootInfo junk;
    memset(&junk, 0x5a, sizeof junk);
    HcclComm c = nullptr;
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclCommInitRootInfo", HcclCommInitRootInfo(2, &junk, 0, &c));
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclCommInitRootInfo", HcclCommInitRootInfo(2, &junk, 2, &c));
    // A destroyed communicator is refused, not dereferenced.
    EXPECT_HCCL_OK(HcclCommDestroy(ranks_[1].comm));
    HcclComm gone = ranks_[1].comm;
    ranks_[1].comm = nullptr;
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclGetRankId", HcclGetRankId(gone, &v));
    EXPECT_HCCL_ERROR(HCCL_E_PARA, "HcclCommDestroy", HcclCommDestroy(gone));
    Use(ranks_[0]);
    EXPECT_ACL_OK(aclrtFree(d0));
    Use(ranks_[1]);
    EXPECT_ACL_OK(aclrtFree(d1));
}

TEST_F(HcclLocal, Fp8TypesMoveButDoNotReduceAndNoTypeIsRefusedAsNotSupported) {
    Open(2);
    // Bytes per rank: rank r's element i is 16*r + i (HIF8/FP8 are moved bit for bit).
    std::vector<void*> in, out;
    for (int r = 0; r < 2; ++r) {
        std::vector<char> bytes(4);
        for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>(16 * r + i);
        in.push_back(Upload(ranks_[r], bytes));
        out.push_back(Upload(ranks_[r], std::vector<char>(8, 0)));
    }
    for (HcclDataType t : {HCCL_DATA_TYPE_HIF8, HCCL_DATA_TYPE_FP8E4M3, HCCL_DATA_TYPE_FP8E5M2, HCCL_DATA_TYPE_FP8E8M0}) {
        for (int r = 0; r < 2; ++r) {
            Use(ranks_[r]);
            ASSERT_HCCL_OK(HcclAllGather(in[r], out[r], 4, t, ranks_[r].comm, ranks_[r].stream));
        }
        SyncAll();
        for (int r = 0; r < 2; ++r) {
            auto got = Download(ranks_[r], out[r], 8);
            for (int i = 0; i < 8; ++i) EXPECT_EQ(16 * (i / 4) + i % 4, got[i]) << "dtype " << t << " rank " << r;
        }
        Use(ranks_[0]);
        EXPECT_HCCL_ERROR(HCCL_E_NOT_SUPPORT, "HcclAllReduce",
                          HcclAllReduce(in[0], out[0], 4, t, HCCL_REDUCE_SUM, ranks_[0].comm, ranks_[0].stream));
        EXPECT_HCCL_ERROR(HCCL_E_NOT_SUPPORT, "HcclReduceScatter",
                          HcclReduceScatter(out[0], in[0], 4, t, HCCL_REDUCE_MAX, ranks_[0].comm, ranks_[0].stream));
    }
    Use(ranks_[0]);
    // 13 and the reserved value name no type; int128 is not moved (CANN: HCCL_E_NOT_SUPPORT).
    for (int t : {static_cast<int>(HCCL_DATA_TYPE_INT128), 255, 13}) {
        EXPECT_HCCL_ERROR(HCCL_E_NOT_SUPPORT, "HcclBroadcast",
                          HcclBroadcast(in[0], 4, static_cast<HcclDataType>(t), 0, ranks_[0].comm, ranks_[0].stream));
    }
    std::string m = LastMsg();
    EXPECT_NE(std::string::npos, m.find("not a data type")) << m;
    FreeAll(in, 1);
    FreeAll(out, 1);
}

TEST_F(HcclLocal, ARankThatNeverCallsTheCollectiveTimesOutTheOthers) {
    Open(2);
    void* d0 = Upload(ranks_[0], Encode(HCCL_DATA_TYPE_FP32, {1, 2}));
    Use(ranks_[0]);
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_HCCL_OK(HcclAllReduce(d0, d0, 2, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, ranks_[0].comm, ranks_[0].stream));
    aclError rc = aclrtSynchronizeStream(ranks_[0].stream);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(ACL_ERROR_RT_COMM_OP_RETRY_FAIL, rc);
    std::string msg = RecentMsg();
    EXPECT_NE(std::string::npos, msg.find("HcclAllReduce")) << msg;
    EXPECT_NE(std::string::npos, msg.find("HCCL_E_TIMEOUT")) << msg;
    EXPECT_LT(secs, 8.0) << "timeout is 2 s";
    HcclResult async = HCCL_SUCCESS;
    EXPECT_HCCL_OK(HcclGetCommAsyncError(ranks_[0].comm, &async));
    EXPECT_EQ(HCCL_E_TIMEOUT, async);
    // The failed communicator refuses further work at run time with the same cause.
    ASSERT_HCCL_OK(HcclBarrier(ranks_[0].comm, ranks_[0].stream));
    EXPECT_EQ(ACL_ERROR_RT_COMM_OP_RETRY_FAIL, aclrtSynchronizeStream(ranks_[0].stream));
    EXPECT_ACL_OK(aclrtFree(d0));
}


// One rank's full exercise: every collective on fp32/fp16/bf16/int32 against references.
int RankExercise(int rank, const HcclRootInfo& root, int n) {
    CHILD_CHECK(aclrtSetDevice(0) == ACL_SUCCESS);
    HcclComm comm = nullptr;
    CHILD_CHECK(HcclCommInitRootInfo(n, &root, rank, &comm) == HCCL_SUCCESS);
    uint32_t size = 0, id = 0;
    CHILD_CHECK(HcclGetRankSize(comm, &size) == HCCL_SUCCESS && size == static_cast<uint32_t>(n));
    CHILD_CHECK(HcclGetRankId(comm, &id) == HCCL_SUCCESS && id == static_cast<uint32_t>(rank));
    aclrtStream s = nullptr;
    CHILD_CHECK(aclrtCreateStream(&s) == ACL_SUCCESS);
    const size_t count = 8;
    for (HcclDataType t : {HCCL_DATA_TYPE_FP32, HCCL_DATA_TYPE_FP16, HCCL_DATA_TYPE_BFP16, HCCL_DATA_TYPE_INT32}) {
        size_t w = Width(t);
        void *in = nullptr, *out = nullptr;
        CHILD_CHECK(aclrtMalloc(&in, count * n * w, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS);
        CHILD_CHECK(aclrtMalloc(&out, count * n * w, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS);
        std::vector<double> vals(count * n);
        for (size_t i = 0; i < vals.size(); ++i) vals[i] = Input(rank, i);
        auto bytes = Encode(t, vals);
        auto fetch = [&](size_t elems) {
            std::vector<char> b(elems * w);
            aclrtMemcpy(b.data(), b.size(), out, b.size(), ACL_MEMCPY_DEVICE_TO_HOST);
            return Decode(t, b);
        };
        // AllReduce (max)
        CHILD_CHECK(aclrtMemcpy(in, bytes.size(), bytes.data(), bytes.size(), ACL_MEMCPY_HOST_TO_DEVICE) == ACL_SUCCESS);
        CHILD_CHECK(HcclAllReduce(in, out, count, t, HCCL_REDUCE_MAX, comm, s) == HCCL_SUCCESS);
        CHILD_CHECK(aclrtSynchronizeStream(s) == ACL_SUCCESS);
        auto got = fetch(count);
        for (size_t i = 0; i < count; ++i) {
            double want = Input(0, i);
            for (int q = 1; q < n; ++q) want = std::max(want, Input(q, i));
            CHILD_CHECK(got[i] == want);
        }
        // AllReduce (sum)
        CHILD_CHECK(HcclAllReduce(in, out, count, t, HCCL_REDUCE_SUM, comm, s) == HCCL_SUCCESS);
        CHILD_CHECK(aclrtSynchronizeStream(s) == ACL_SUCCESS);
        got = fetch(count);
        for (size_t i = 0; i < count; ++i) {
            double want = 0;
            for (int q = 0; q < n; ++q) want += Input(q, i);
            CHILD_CHECK(got[i] == want);
        }
        // AllGather
        CHILD_CHECK(HcclAllGather(in, out, count, t, comm, s) == HCCL_SUCCESS);
        CHILD_CHECK(aclrtSynchronizeStream(s) == ACL_SUCCESS);
        got = fetch(count * n);
        for (int q = 0; q < n; ++q)
            for (size_t i = 0; i < count; ++i) CHILD_CHECK(got[q * count + i] == Input(q, i));
        // ReduceScatter (sum)
        CHILD_CHECK(HcclReduceScatter(in, out, count, t, HCCL_REDUCE_SUM, comm, s) == HCCL_SUCCESS);
        CHILD_CHECK(aclrtSynchronizeStream(s) == ACL_SUCCESS);
        got = fetch(count);
        for (size_t i = 0; i < count; ++i) {
            double want = 0;
            for (int q = 0; q < n; ++q) want += Input(q, rank * count + i);
            CHILD_CHECK(got[i] == want);
        }
        // Broadcast from the last rank
        CHILD_CHECK(aclrtMemcpy(out, bytes.size(), bytes.data(), bytes.size(), ACL_MEMCPY_HOST_TO_DEVICE) == ACL_SUCCESS);
        CHILD_CHECK(HcclBroadcast(out, count, t, n - 1, comm, s) == HCCL_SUCCESS);
        CHILD_CHECK(aclrtSynchronizeStream(s) == ACL_SUCCESS);
        got = fetch(count);
        for (size_t i = 0; i < count; ++i) CHILD_CHECK(got[i] == Input(n - 1, i));
        // Send/Recv around the ring: even ranks send first, odd ranks receive first.
        int next = (rank + 1) % n, prev = (rank + n - 1) % n;
        if (rank % 2 == 0) {
            CHILD_CHECK(HcclSend(in, count, t, next, comm, s) == HCCL_SUCCESS);
            CHILD_CHECK(HcclRecv(out, count, t, prev, comm, s) == HCCL_SUCCESS);
        } else {
            CHILD_CHECK(HcclRecv(out, count, t, prev, comm, s) == HCCL_SUCCESS);
            CHILD_CHECK(HcclSend(in, count, t, next, comm, s) == HCCL_SUCCESS);
        }
        CHILD_CHECK(aclrtSynchronizeStream(s) == ACL_SUCCESS);
        got = fetch(count);
        for (size_t i = 0; i < count; ++i) CHILD_CHECK(got[i] == Input(prev, i));
        CHILD_CHECK(aclrtFree(in) == ACL_SUCCESS);
        CHILD_CHECK(aclrtFree(out) == ACL_SUCCESS);
    }
    CHILD_CHECK(HcclBarrier(comm, s) == HCCL_SUCCESS);
    CHILD_CHECK(aclrtSynchronizeStream(s) == ACL_SUCCESS);
    CHILD_CHECK(HcclCommDestroy(comm) == HCCL_SUCCESS);
    CHILD_CHECK(aclrtDestroyStream(s) == ACL_SUCCESS);
    uint64_t live = 1;
    CHILD_CHECK(aclsimGetCounter(ACLSIM_LIVE_DEVICE_ALLOCATIONS, &live) == ACL_SUCCESS && live == 0);
    CHILD_CHECK(aclrtResetDevice(0) == ACL_SUCCESS);
    CHILD_CHECK(aclFinalize() == ACL_SUCCESS);
    return 0;
}

TEST_F(HcclProcesses, EveryCollectiveOnTwoRanks) {
    auto res = RunRanks(2, [](int r, const HcclRootInfo& root) { return RankExercise(r, root, 2); });
    for (int r = 0; r < 2; ++r) EXPECT_EQ(0, res[r].exitCode) << "rank " << r;
}

TEST_F(HcclProcesses, EveryCollectiveOnFourRanks) {
    auto res = RunRanks(4, [](int r, const HcclRootInfo& root) { return RankExercise(r, root, 4); });
    for (int r = 0; r < 4; ++r) EXPECT_EQ(0, res[r].exitCode) << "rank " << r;
}

TEST_F(HcclProcesses, ALateRankTimesOutInitOnEveryOtherRank) {
    auto res = RunRanks(3, [](int r, const HcclRootInfo& root) {
        CHILD_CHECK(aclrtSetDevice(0) == ACL_SUCCESS);
        if (r == 2) {
            // Joins long after the others gave up.
            std::this_thread::sleep_for(std::chrono::milliseconds(6000));
            HcclComm c = nullptr;
            CHILD_CHECK(HcclCommInitRootInfo(3, &root, r, &c) != HCCL_SUCCESS);
            return 0;
        }
        auto t0 = std::chrono::steady_clock::now();
        HcclComm c = nullptr;
        HcclResult rc = HcclCommInitRootInfo(3, &root, r, &c);
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const char* m = aclGetRecentErrMsg();
        CHILD_CHECK(rc == HCCL_E_TIMEOUT);
        CHILD_CHECK(m && strstr(m, "HcclCommInitRootInfo"));
        CHILD_CHECK(secs < 10.0);  // timeout 2 s (+ Gloo's retry, + a loaded machine)
        uint32_t inUse = 0, limit = 0;
        CHILD_CHECK(aclsimGetStreamBudget(0, &inUse, &limit) == ACL_SUCCESS && inUse == 1);  // only the default stream
        return 0;
    });
    for (int r = 0; r < 3; ++r) EXPECT_EQ(0, res[r].exitCode) << "rank " << r;
}

TEST_F(HcclProcesses, AKilledRankGivesTheOthersATimeoutNotAHang) {
    auto res = RunRanks(
        3,
        [](int r, const HcclRootInfo& root) {
            CHILD_CHECK(aclrtSetDevice(0) == ACL_SUCCESS);
            HcclComm c = nullptr;
            CHILD_CHECK(HcclCommInitRootInfo(3, &root, r, &c) == HCCL_SUCCESS);
            aclrtStream s = nullptr;
            CHILD_CHECK(aclrtCreateStream(&s) == ACL_SUCCESS);
            void* d = nullptr;
            CHILD_CHECK(aclrtMalloc(&d, 4096, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS);
            CHILD_CHECK(HcclAllReduce(d, d, 1024, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c, s) == HCCL_SUCCESS);
            CHILD_CHECK(aclrtSynchronizeStream(s) == ACL_SUCCESS);
            if (r == 1) raise(SIGKILL);  // dies without a word to the others
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // rank 1 is dead by now
            auto t0 = std::chrono::steady_clock::now();
            CHILD_CHECK(HcclAllReduce(d, d, 1024, HCCL_DATA_TYPE_FP32, HCCL_REDUCE_SUM, c, s) == HCCL_SUCCESS);
            aclError rc = aclrtSynchronizeStream(s);
            double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            CHILD_CHECK(rc == ACL_ERROR_RT_COMM_OP_RETRY_FAIL);
            CHILD_CHECK(secs < 10.0);
            HcclResult async = HCCL_SUCCESS;
            CHILD_CHECK(HcclGetCommAsyncError(c, &async) == HCCL_SUCCESS && async == HCCL_E_TIMEOUT);
            CHILD_CHECK(HcclCommDestroy(c) == HCCL_SUCCESS);
            CHILD_CHECK(aclrtFree(d) == ACL_SUCCESS);
            CHILD_CHECK(aclrtDestroyStream(s) == ACL_SUCCESS);
            return 0;
        });
    EXPECT_EQ(0, res[0].exitCode);
    EXPECT_TRUE(res[1].signaled);
    EXPECT_EQ(0, res[2].exitCode);
}

}  // namespace
