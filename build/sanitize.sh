#!/usr/bin/env bash
# The sanitizer step: builds the simulator with AddressSanitizer + UndefinedBehaviorSanitizer (its own CMake
# folder), runs the simulator's C tests (CTest) and the .NET test suites against that build, and fails when a
# test fails or any sanitizer report appears in the output. Run by `./build.sh --target=Sanitize` (and `Test`).
#
# Usage: build/sanitize.sh [--configuration Release] [--results artifacts/test-results/asan] [--build-dir artifacts/native/asan]
#                          [--skip-native-tests] [--skip-dotnet-tests] [--projects "A B"] [--test-args "ARGS"]
# --test-args passes ARGS (word-split) to each .NET test application, e.g. "--filter-class *SoakTests*".
# The issue-24 soak under the sanitizers for 10 minutes (docs/reliability.md):
#   dotnet build tests/Ascend.Interop.Tests -c Release && ASCEND_SOAK_SECONDS=600 build/sanitize.sh --skip-native-tests \
#     --projects Ascend.Interop.Tests --test-args "--filter-class *Reliability.SoakTests*"
# The .NET test projects must already be built in the given configuration (the Cake task builds them first).
#
# The .NET host is not built with ASan, so the ASan and UBSan runtimes are preloaded (LD_PRELOAD) into each test
# process; ASCEND_SIM_LIBRARY points the bindings at the sanitized libascend_sim.so. Leak detection is off for the
# .NET processes (the runtime's own allocations are not ours to judge) and on for the C tests.
#
# Build flags: RelWithDebInfo with -O1 -g1 (line tables only): ASan's recommended optimisation level, and symbolised
# stack traces with file:line, at about half the compile time of -O2 -g for the GoogleTest sources. The simulator
# library itself keeps its own -O2 (native/CMakeLists.txt). With ccache installed the objects come from the build
# cache (build/build-cache.sh) when an earlier run on this machine compiled the same sources with the same flags.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=build/build-cache.sh
. build/build-cache.sh

configuration=Release
results=artifacts/test-results/asan
build_dir=artifacts/native/asan
run_native=1
run_dotnet=1
projects="Ascend.Interop.Native.Tests Ascend.Interop.Tests Ascend.Interop.Testing.Tests"
test_args=""
while [ $# -gt 0 ]; do
  case "$1" in
    --configuration) configuration="$2"; shift 2 ;;
    --results) results="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --projects) projects="$2"; shift 2 ;;
    --test-args) test_args="$2"; shift 2 ;;
    --skip-native-tests) run_native=0; shift ;;
    --skip-dotnet-tests) run_dotnet=0; shift ;;
    *) echo "sanitize.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

mkdir -p "$results"
results="$(cd "$results" && pwd)"
rm -f "$results"/*.trx "$results"/*junit*.xml "$results"/*.log
status=0
fail() { echo "sanitize.sh: $*" >&2; status=1; }

# Any of these in a log is a sanitizer report (ASan aborts by itself; UBSan aborts through halt_on_error=1).
report_pattern='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior|Leak)Sanitizer'
check_log() {
  local log="$1" what="$2"
  if grep -Eq "$report_pattern" "$log"; then
    fail "$what: sanitizer report(s) found (full output: $log):"
    grep -En -A12 "$report_pattern" "$log" | head -n 80 >&2
  fi
}

# ccache's hit and miss counters (for the build line below), or nothing without ccache.
ccache_counts() {
  [ -n "$compiler_launcher" ] || return 0
  "$compiler_launcher" --print-stats 2>/dev/null \
    | awk '$1 ~ /^(direct|preprocessed)_cache_hit$/ { h += $2 } $1 == "cache_miss" { m += $2 } END { print h + 0, m + 0 }'
}

started=$SECONDS
jobs="${ASCEND_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"
echo "== Sanitizer build of the simulator ($build_dir, RelWithDebInfo -O1 -g1, -fsanitize=address,undefined, -j$jobs${compiler_launcher:+, ccache})"
counts_before="$(ccache_counts)"
cmake -S native -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASCEND_SIM_TESTS=ON -DASCEND_SIM_SANITIZE=ON \
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
  "-DCMAKE_C_COMPILER_LAUNCHER=$compiler_launcher" "-DCMAKE_CXX_COMPILER_LAUNCHER=$compiler_launcher" >/dev/null \
  || { echo "sanitize.sh: CMake could not configure $build_dir" >&2; exit 1; }
cmake --build "$build_dir" -j"$jobs" || { echo "sanitize.sh: the sanitizer build failed" >&2; exit 1; }
library="$(cd "$build_dir" && pwd)/libascend_sim.so"
[ -f "$library" ] || { echo "sanitize.sh: $library was not built" >&2; exit 1; }
cache_note=""
if [ -n "$counts_before" ]; then
  read -r hits_before misses_before <<<"$counts_before"
  read -r hits_after misses_after <<<"$(ccache_counts)"
  cache_note=" (ccache: $((hits_after - hits_before)) hits, $((misses_after - misses_before)) compiled)"
fi
echo "   built in $((SECONDS - started)) s$cache_note"

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [ "$run_native" = 1 ]; then
  started=$SECONDS
  echo "== C tests (CTest) against the sanitizer build"
  log="$results/ctest-asan.log"
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0 \
    ctest --test-dir "$build_dir" -j2 --output-on-failure --no-tests=error --output-junit "$results/ctest-asan-junit.xml" >"$log" 2>&1 \
    || fail "CTest failed under the sanitizers (see $log)"
  tail -n 3 "$log"
  check_log "$log" "CTest"
  # CTest keeps each test's output in its own log only on failure; LastTest.log has all of it.
  [ -f "$build_dir/Testing/Temporary/LastTest.log" ] && check_log "$build_dir/Testing/Temporary/LastTest.log" "CTest (LastTest.log)"
  echo "   CTest took $((SECONDS - started)) s"
fi

if [ "$run_dotnet" = 1 ]; then
  asan_rt="$(gcc -print-file-name=libasan.so)"
  ubsan_rt="$(gcc -print-file-name=libubsan.so)"
  for rt in "$asan_rt" "$ubsan_rt"; do
    [ -f "$rt" ] || { echo "sanitize.sh: the sanitizer runtime '$rt' was not found (gcc -print-file-name); install gcc's libasan/libubsan." >&2; exit 1; }
  done
  # Split without glob expansion ("*SoakTests*" stays a pattern for the test application).
  read -r -a extra_args <<<"$test_args"
  for project in $projects; do
    app="tests/$project/bin/$configuration/net10.0/$project"
    if [ ! -d "tests/$project" ]; then
      echo "== $project: not in this tree, skipped"
      continue
    fi
    if [ ! -x "$app" ]; then
      fail "$app does not exist: build the solution first (./build.sh --target=Build --configuration=$configuration)"
      continue
    fi
    started=$SECONDS
    echo "== $project against the sanitizer build (LD_PRELOAD=$asan_rt $ubsan_rt)"
    log="$results/$project-asan.log"
    # handle_segv=0 / allow_user_segv_handler=1: the .NET runtime turns SIGSEGV into NullReferenceException itself.
    LD_PRELOAD="$asan_rt $ubsan_rt" \
    ASAN_OPTIONS=detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:halt_on_error=1:abort_on_error=0 \
    ASCEND_INTEROP_BACKEND=sim ASCEND_SIM_LIBRARY="$library" \
      "$app" --results-directory "$results" --report-trx --report-trx-filename "$project-asan.trx" "${extra_args[@]}" >"$log" 2>&1 \
      || fail "$project failed under the sanitizers (exit code $?; see $log)"
    tail -n 6 "$log"
    check_log "$log" "$project"
    echo "   $project took $((SECONDS - started)) s"
  done
fi

echo "== Sanitizer run results ($results)"
dotnet run build/TestSummary.cs -- "$results" || fail "the sanitizer run's test results show a failure, or no test ran"
if [ "$status" -ne 0 ]; then
  echo "sanitize.sh: FAILED (see above)" >&2
else
  echo "sanitize.sh: no sanitizer report, every test passed"
fi
exit "$status"
