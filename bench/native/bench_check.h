// What the C++ baselines (bench_main.cpp, decoder_bench.cpp, while_bench.cpp) share: failure handling (a failed C
// call ends the program with its code and the runtime's own message, named by the program that failed) and main().
#pragma once

#include <benchmark/benchmark.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "acl/acl.h"

[[noreturn]] inline void die(const char* what, int code) {
    const char* msg = aclGetRecentErrMsg();
    std::fprintf(stderr, "%s: %s failed with %d: %s\n", program_invocation_short_name, what, code, msg ? msg : "");
    std::exit(2);
}

#define CHECK(call)                           \
    do {                                      \
        int rc_ = (call);                     \
        if (rc_ != 0) die(#call, rc_);        \
    } while (0)

// The main() of every baseline: `--check-only` (the program's own checks, no timing) is taken out, the other
// arguments go to Google Benchmark; then `setup` (which runs the program's checks), the benchmarks unless
// --check-only, and `teardown`. Returns main's exit code (1 for an argument Google Benchmark does not know).
template <class Setup, class Teardown>
int run_bench_main(int argc, char** argv, Setup setup, Teardown teardown) {
    bool checkOnly = false;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--check-only") == 0)
            checkOnly = true;
        else
            argv[kept++] = argv[i];
    }
    argc = kept;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    setup();
    if (!checkOnly) benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    teardown();
    return 0;
}
