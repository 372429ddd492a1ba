// Failure handling shared by the C++ baselines (bench_main.cpp, decoder_bench.cpp): a failed C call ends the
// program with its code and the runtime's own message, named by the program that failed.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstdlib>

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
