// Ascend.Interop simulator: the CANN version the simulator presents (ASCEND_SIM_CANN_VERSION) and the
// package-version calls (aclsysGetVersionStr / aclsysGetVersionNum).
//
// The library always exports every function of the newest CANN it simulates; what a program can see
// of the version is aclsysGetVersionStr/Num("runtime"). Under an older presented version a function
// that version lacks returns 207000 (what a program would get from a stub of a missing feature) and
// names the version that introduced it; the behaviours that changed between versions follow the
// presented one (docs/simulator.md, "CANN versions").
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sim_state.h"

namespace sim {

namespace {

struct Presented {
    int32_t num;
    const char* text;
};

Presented parse_version() {
    const char* e = getenv("ASCEND_SIM_CANN_VERSION");
    if (!e || !*e) return {kCann920b1, "9.2.0-beta.1"};
    if (!strcmp(e, "9.0") || !strcmp(e, "9.0.0")) return {kCann900, "9.0.0"};
    if (!strcmp(e, "9.1") || !strcmp(e, "9.1.0")) return {kCann910, "9.1.0"};
    if (!strcmp(e, "9.2") || !strcmp(e, "9.2.0-beta.1")) return {kCann920b1, "9.2.0-beta.1"};
    fprintf(stderr, "ascend-sim: ignoring invalid ASCEND_SIM_CANN_VERSION='%s' (9.0, 9.1 or 9.2)\n", e);
    return {kCann920b1, "9.2.0-beta.1"};
}

// Read at every call (cheap): tests switch the variable between aclInit cycles.
Presented presented() { return parse_version(); }

const char* version_text(int32_t v) {
    switch (v) {
        case kCann900: return "9.0.0";
        case kCann910: return "9.1.0";
        default: return "9.2.0-beta.1";
    }
}

}  // namespace

int32_t cann_version() { return presented().num; }

int need_version(const char* fn, int32_t since) {
    Presented p = presented();
    if (p.num >= since) return ACL_SUCCESS;
    return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, fn, "%s is not in CANN %s (the simulator presents %s; it was added in CANN %s)",
                fn, p.text, p.text, version_text(since));
}

int stale_handle_code() { return cann_version() >= kCann910 ? kErrInvalidHandle : ACL_ERROR_RT_PARAM_INVALID; }

}  // namespace sim

using namespace sim;

namespace {

int package_arg(const char* fn, const char* pkgName, const void* out) {
    if (int rc = need_arg(fn, pkgName, "pkgName")) return rc;
    if (int rc = need_arg(fn, out, "output")) return rc;
    if (strcmp(pkgName, "runtime") != 0)
        return fail(ACL_ERROR_INVALID_PARAM, fn, "package '%s' is not installed (the simulator has only 'runtime')",
                    pkgName);
    return ACL_SUCCESS;
}

}  // namespace

extern "C" {

ACL_FUNC_VISIBILITY aclError aclsysGetVersionStr(char* pkgName, char* versionStr) {
    const char* fn = "aclsysGetVersionStr";
    ApiCall call = enter_locked(fn, [&] { return package_arg(fn, pkgName, versionStr); });
    if (call.rc) return call.rc;
    snprintf(versionStr, ACL_PKG_VERSION_MAX_SIZE, "%s", presented().text);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclsysGetVersionNum(char* pkgName, int32_t* versionNum) {
    const char* fn = "aclsysGetVersionNum";
    ApiCall call = enter_locked(fn, [&] { return package_arg(fn, pkgName, versionNum); });
    if (call.rc) return call.rc;
    *versionNum = presented().num;
    return ACL_SUCCESS;
}

}  // extern "C"
