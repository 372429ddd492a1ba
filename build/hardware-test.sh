#!/usr/bin/env bash
# Hardware-in-the-loop run: the .NET test suites against an installed CANN (ASCEND_INTEROP_BACKEND=cann), without
# the simulator-only tests (trait Category=SimulatorOnly). Writes one TRX per suite and SUMMARY.md (CANN version, SoC,
# devices, counts) into artifacts/hardware/. Run by `./build.sh --target=HardwareTest`.
# Stops at once (exit 3) when no libascendcl.so is found, saying what to install and set.
#
# Usage: build/hardware-test.sh [--configuration Release] [--out artifacts/hardware] [--no-build]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

configuration=Release
out=artifacts/hardware
build=1
projects="Ascend.Interop.Native.Tests Ascend.Interop.Tests Ascend.Interop.Testing.Tests Ascend.Interop.Distributed.Tests"
while [ $# -gt 0 ]; do
  case "$1" in
    --configuration) configuration="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "hardware-test.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

# --- 1. CANN: the same places the bindings look (NativeLibraryResolver), then LD_LIBRARY_PATH and ldconfig ---
candidates=()
[ -n "${ASCEND_TOOLKIT_HOME:-}" ] && candidates+=("$ASCEND_TOOLKIT_HOME/lib64")
[ -n "${ASCEND_HOME_PATH:-}" ] && candidates+=("$ASCEND_HOME_PATH/lib64")
candidates+=(/usr/local/Ascend/ascend-toolkit/latest/lib64 /usr/local/Ascend/cann/lib64)
IFS=':' read -r -a ld_dirs <<<"${LD_LIBRARY_PATH:-}"
for dir in "${ld_dirs[@]}"; do [ -n "$dir" ] && candidates+=("$dir"); done
cann_lib=""
for dir in "${candidates[@]}"; do
  if [ -f "$dir/libascendcl.so" ]; then cann_lib="$dir/libascendcl.so"; break; fi
done
if [ -z "$cann_lib" ] && command -v ldconfig >/dev/null 2>&1; then
  cann_lib="$(ldconfig -p 2>/dev/null | awk '/libascendcl\.so /{print $NF; exit}')"
fi
if [ -z "$cann_lib" ]; then
  {
    echo "HardwareTest: no CANN installation was found (libascendcl.so is not in any of:"
    for dir in "${candidates[@]}"; do echo "  $dir"; done
    echo "nor known to ldconfig)."
    echo "This target runs the test suites on real Ascend NPUs. On a machine with an NPU:"
    echo "  1. install the NPU driver and firmware, and the CANN toolkit (plus its operator packages: ops-math/ops-nn, or the 8.x opp kernels);"
    echo "  2. source its environment: source /usr/local/Ascend/ascend-toolkit/set_env.sh  (or /usr/local/Ascend/cann/set_env.sh),"
    echo "     which sets ASCEND_TOOLKIT_HOME, ASCEND_HOME_PATH and LD_LIBRARY_PATH;"
    echo "  3. run ./build.sh --target=HardwareTest again."
    echo "Without an NPU, run the simulator suites instead: ./build.sh --target=Test"
  } >&2
  exit 3
fi
cann_home="$(dirname "$(dirname "$cann_lib")")"
echo "== CANN: $cann_lib"

mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -f "$out"/*.trx "$out"/*.log "$out/SUMMARY.md"

# --- 2. build ---
if [ "$build" = 1 ]; then
  dotnet build Ascend.Interop.sln -c "$configuration" -p:AscendSimTests=OFF || { echo "hardware-test.sh: the build failed" >&2; exit 1; }
fi

export ASCEND_INTEROP_BACKEND=cann
status=0

# --- 3. environment ---
env_md="$(dotnet run build/hardware-info.cs 2>&1)" || { status=1; echo "hardware-test.sh: the NPU environment probe failed:" >&2; }
echo "$env_md"
cann_version=""
for info in "$cann_home"/*/ascend_toolkit_install.info "$cann_home"/ascend_toolkit_install.info "$cann_home"/version.cfg "$cann_home"/version.info; do
  [ -f "$info" ] || continue
  cann_version="$(grep -Eim1 '^(version|runtime_running_version|Version)=' "$info" | cut -d= -f2-)"
  [ -n "$cann_version" ] && { cann_version="$cann_version (from ${info#$cann_home/})"; break; }
done

# --- 4. suites ---
for project in $projects; do
  app="tests/$project/bin/$configuration/net10.0/$project"
  if [ ! -x "$app" ]; then
    echo "hardware-test.sh: $app does not exist (build the solution with -c $configuration)" >&2; status=1; continue
  fi
  echo "== $project on CANN"
  "$app" --filter-not-trait "Category=SimulatorOnly" --results-directory "$out" --report-trx --report-trx-filename "$project.trx" \
    2>&1 | tee "$out/$project.log" | tail -n 8
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done

# --- 5. report ---
count="$(dotnet run build/TestSummary.cs -- "$out" 2>&1 | tail -n 1)" || status=1
{
  echo "# Hardware-in-the-loop test run"
  echo
  echo "- Date (UTC): $(date -u '+%Y-%m-%d %H:%M')"
  echo "- Host: $(uname -n), $(uname -srm)"
  echo "- Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
  echo "- CANN: \`$cann_home\`, version ${cann_version:-unknown (no ascend_toolkit_install.info or version.cfg)}"
  echo "$env_md"
  echo "- Filter: \`--filter-not-trait \"Category=SimulatorOnly\"\`, ASCEND_INTEROP_BACKEND=cann"
  echo
  echo "## Results"
  echo
  echo "**$count**"
  echo
  for project in $projects; do
    [ -f "$out/$project.trx" ] && echo "- $project: \`$project.trx\` (console output: \`$project.log\`)"
  done
  if command -v npu-smi >/dev/null 2>&1; then
    echo
    echo "## npu-smi info"
    echo
    echo '```'
    npu-smi info 2>&1 | head -n 40
    echo '```'
  fi
} >"$out/SUMMARY.md"
echo "== Report: $out/SUMMARY.md"
echo "$count"
exit "$status"
