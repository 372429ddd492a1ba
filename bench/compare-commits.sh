#!/usr/bin/env bash
# Benchmarks two commits back to back on this machine and prints the ratio new/old of every row.
#
# Usage: bench/compare-commits.sh [options] OLD [NEW]        (NEW defaults to HEAD)
#   --quick           BenchmarkDotNet ShortRun and 3 C++ repetitions: checks that everything works, no conclusions
#   --filter GLOB     BenchmarkDotNet filter (repeatable); default: the enqueue, step and trivial-call rows
#                     (*.EnqueueBenchmarks.* *.StepBenchmarks.* *.RuntimeCallBenchmarks.* *.DecoderEnqueueBenchmarks.*)
#   --rounds N        N rounds of OLD and NEW back to back, the first one in every other round (default 1);
#                     the table gives the median of the per-round ratios and each round's ratio
#   --map OLD=NEW     an old row name that the new commit calls NEW (repeatable)
#   --no-native       skip the C++ baselines (bench/native) of both commits
#   --keep            keep the worktrees and their builds for the next run (see below)
#   --clean           only remove the worktrees a --keep run left, then exit
#   --out FILE        also write the table (Markdown) to FILE
#   --paired          instead of BenchmarkDotNet: both commits' benchmark bodies in one process (Ascend.Interop.Benchmarks
#                     paired), timed in alternating batches milliseconds apart, in --rounds processes (default 5);
#                     both SDKs run on two copies of NEW's simulator library with the stream workers held while a
#                     batch is queued (aclsimHoldStreams): the SDKs' host cost alone. Rows: the enqueue and replay
#                     rows both commits have, the trivial calls; the raw-binding rows are the control
#   --own-simulators  with --paired: each commit on its own simulator library, workers running (no hold: older
#                     simulators lack the control); the whole commits, noisier
#   --warm-call       with --paired: one untimed call before each timed batch of an enqueue row (the first call
#                     after a drain pays the simulator's wake-up; see PairedComparison)
#
# Each commit is checked out in its own git worktree, artifacts/compare/<commit> (git-ignored), where its bench
# project, its simulator library (built by the bench project's reference to native/) and its C++ baselines are built
# from that commit's sources alone. Then per round and per commit: that commit's BenchmarkDotNet suite (the given
# filter, run from its worktree) and right after it that commit's C++ programs, restricted to the counterparts of the
# rows that ran. The table (Ascend.Interop.Benchmarks compare) has per row: old and new medians, new/old, the C++
# baseline's new/old (what the simulator library alone changed), C#/C++ of each commit, allocated bytes of each commit.
# Rows named *Enqueue* or *Replay* are the gated ones: the script exits with 1 when one of them is slower than
# 1.05x old (after printing everything).
#
# The worktrees are removed at the end unless --keep: while a worktree with a bench project exists under
# artifacts/, BenchmarkDotNet runs started from this checkout (./build.sh --target=Bench) stop with "Found more than
# one matching project file" (BenchmarkDotNet searches the checkout recursively for the bench project).
#
# Raw outputs: artifacts/compare/runs/<UTC time>/{old,new}-r<round>/ (BenchmarkDotNet results, C++ JSON, logs).
set -euo pipefail

usage() { sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

quick=0; rounds=""; native=1; keep=0; clean=0; out=""; paired=0; own=0; warm=0
filters=(); maps=(); positional=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --filter) filters+=("${2:?--filter needs a glob}"); shift ;;
    --rounds) rounds="${2:?--rounds needs a number}"; shift ;;
    --map) maps+=("${2:?--map needs OLD=NEW}"); shift ;;
    --no-native) native=0 ;;
    --keep) keep=1 ;;
    --clean) clean=1 ;;
    --out) out="${2:?--out needs a file}"; shift ;;
    --paired) paired=1 ;;
    --own-simulators) own=1 ;;
    --warm-call) warm=1 ;;
    -h|--help) usage 0 ;;
    -*) echo "compare-commits.sh: unknown option $1" >&2; usage ;;
    *) positional+=("$1") ;;
  esac
  shift
done
if [[ -z "$rounds" ]]; then if [[ $paired -eq 1 ]]; then rounds=5; else rounds=1; fi; fi
[[ $own -eq 0 || $paired -eq 1 ]] || { echo "compare-commits.sh: --own-simulators needs --paired" >&2; exit 2; }
[[ $warm -eq 0 || $paired -eq 1 ]] || { echo "compare-commits.sh: --warm-call needs --paired" >&2; exit 2; }
[[ $paired -eq 0 ]] || native=0   # the paired run has no C++ side
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "compare-commits.sh: --rounds needs a positive number, not '$rounds'" >&2; exit 2; }
for m in "${maps[@]}"; do [[ "$m" == ?*=?* ]] || { echo "compare-commits.sh: --map needs OLD=NEW, not '$m'" >&2; exit 2; }; done
if [[ ${#filters[@]} -eq 0 ]]; then
  filters=('*.EnqueueBenchmarks.*' '*.StepBenchmarks.*' '*.RuntimeCallBenchmarks.*' '*.DecoderEnqueueBenchmarks.*')
fi

root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
base="$root/artifacts/compare"

remove_worktree() {
  local dir="$1"
  git -C "$root" worktree remove --force "$dir" 2>/dev/null || rm -rf "$dir"
}

remove_all() {
  local dir
  for dir in "$base"/wt-*; do [[ -e "$dir" ]] && remove_worktree "$dir"; done
  git -C "$root" worktree prune
}

if [[ $clean -eq 1 ]]; then
  remove_all
  echo "compare-commits.sh: removed the worktrees under $base."
  exit 0
fi
[[ ${#positional[@]} -ge 1 && ${#positional[@]} -le 2 ]] || usage
old_sha="$(git -C "$root" rev-parse --verify "${positional[0]}^{commit}")"
new_sha="$(git -C "$root" rev-parse --verify "${positional[1]:-HEAD}^{commit}")"
[[ "$old_sha" != "$new_sha" ]] || { echo "compare-commits.sh: OLD and NEW are the same commit ($old_sha)" >&2; exit 2; }
old_label="$(git -C "$root" rev-parse --short=12 "$old_sha")"
new_label="$(git -C "$root" rev-parse --short=12 "$new_sha")"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
runs="$base/runs/$stamp"
mkdir -p "$runs"
log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$runs/compare.log" >&2; }

if [[ $keep -eq 0 ]]; then trap 'remove_all' EXIT; fi

# ---- build each commit in its own worktree ------------------------------------------------------------------
worktree_of() { echo "$base/wt-$(git -C "$root" rev-parse --short=12 "$1")"; }

build_commit() {
  local sha="$1" dir
  dir="$(worktree_of "$sha")"
  if [[ -e "$dir/.git" && "$(git -C "$dir" rev-parse HEAD 2>/dev/null)" == "$sha" ]]; then
    log "reusing the worktree $dir"
  else
    [[ -e "$dir" ]] && remove_worktree "$dir"
    git -C "$root" worktree prune
    log "worktree $dir at $sha"
    git -C "$root" worktree add --detach "$dir" "$sha" >>"$runs/compare.log" 2>&1
  fi
  log "building $sha (the bench project with its simulator library, then bench/native)"
  # The bench project references native/'s simulator project, which builds libascend_sim.so with CMake into the
  # worktree's artifacts/native/Release (no GoogleTests).
  (cd "$dir" && dotnet build bench/Ascend.Interop.Benchmarks -c Release -p:AscendSimTests=OFF -nologo -v:q) \
    >"$runs/build-$(git -C "$root" rev-parse --short=12 "$sha").log" 2>&1 \
    || { log "the build of $sha failed: see $runs/build-$(git -C "$root" rev-parse --short=12 "$sha").log"; exit 1; }
  if [[ $native -eq 1 ]]; then
    local targets=()
    for t in ascend_bench_native ascend_bench_decoder; do
      grep -q "add_executable($t " "$dir/bench/native/CMakeLists.txt" && targets+=("$t")
    done
    { cmake -S "$dir/bench/native" -B "$dir/artifacts/bench/native-build" -DCMAKE_BUILD_TYPE=Release \
        -DASCEND_SIM_LIBRARY="$dir/artifacts/native/Release/libascend_sim.so" &&
      cmake --build "$dir/artifacts/bench/native-build" --target "${targets[@]}" -j2; } \
      >>"$runs/build-$(git -C "$root" rev-parse --short=12 "$sha").log" 2>&1 \
      || { log "the C++ baseline of $sha did not build: see $runs/build-$(git -C "$root" rev-parse --short=12 "$sha").log"; exit 1; }
  fi
}

build_commit "$old_sha"
build_commit "$new_sha"

# The comparison table comes from this checkout's bench project (it has the compare command).
tool="$root/bench/Ascend.Interop.Benchmarks/bin/Release/net10.0/Ascend.Interop.Benchmarks.dll"
if [[ ! -f "$tool" ]]; then
  log "building this checkout's bench project for the compare command"
  (cd "$root" && dotnet build bench/Ascend.Interop.Benchmarks -c Release -p:AscendSimTests=OFF -nologo -v:q) >>"$runs/compare.log" 2>&1
fi

# ---- paired: one process, alternating batches ---------------------------------------------------------------
if [[ $paired -eq 1 ]]; then
  bench_dll=bench/Ascend.Interop.Benchmarks/bin/Release/net10.0/Ascend.Interop.Benchmarks.dll
  sim_so=artifacts/native/Release/libascend_sim.so
  old_dir="$(worktree_of "$old_sha")"; new_dir="$(worktree_of "$new_sha")"
  mkdir -p "$runs/paired/old" "$runs/paired/new"
  # Each side needs its own file: one library loaded once would serve both sides.
  if [[ $own -eq 1 ]]; then cp "$old_dir/$sim_so" "$runs/paired/old/"; else cp "$new_dir/$sim_so" "$runs/paired/old/"; fi
  cp "$new_dir/$sim_so" "$runs/paired/new/"
  paired_args=(paired --old-bench "$old_dir/$bench_dll" --old-sim "$runs/paired/old/libascend_sim.so"
    --new-bench "$new_dir/$bench_dll" --new-sim "$runs/paired/new/libascend_sim.so" --processes "$rounds"
    --old-label "$old_label$([[ $own -eq 1 ]] || echo " (SDK, on $new_label's simulator)")" --new-label "$new_label")
  [[ $own -eq 1 ]] && paired_args+=(--no-hold)
  [[ $warm -eq 1 ]] && paired_args+=(--warm-call)
  [[ $quick -eq 1 ]] && paired_args+=(--seconds 1 --warmup 0.5)
  [[ -n "$out" ]] && paired_args+=(--out "$out")
  log "paired: $old_label against $new_label, $rounds process(es), $([[ $own -eq 1 ]] && echo "own simulators, workers running" || echo "both on $new_label's simulator, workers held")"
  log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  status=0
  dotnet "$tool" "${paired_args[@]}" 2> >(tee -a "$runs/compare.log" >&2) | tee "$runs/table.md" || status=$?
  log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  log "the table: $runs/table.md"
  exit "$status"
fi

# ---- run ----------------------------------------------------------------------------------------------------
run_commit() {
  local sha="$1" side="$2" round="$3" dir outdir args=()
  dir="$(worktree_of "$sha")"
  outdir="$runs/$side-r$round"
  mkdir -p "$outdir"
  [[ $quick -eq 1 ]] && args+=(--quick)
  for f in "${filters[@]}"; do args+=(--filter "$f"); done
  log "round $round, $side ($sha): BenchmarkDotNet"
  # From the worktree: BenchmarkDotNet looks for the bench project under the first folder above the working
  # directory that holds a solution, so it finds this commit's project.
  (cd "$dir" && dotnet bench/Ascend.Interop.Benchmarks/bin/Release/net10.0/Ascend.Interop.Benchmarks.dll run "${args[@]}" \
      --artifacts "$outdir/dotnet" --sim-library "$dir/artifacts/native/Release/libascend_sim.so") \
    >"$outdir/dotnet.log" 2>&1 || { log "BenchmarkDotNet failed for $sha: see $outdir/dotnet.log"; exit 1; }
  if [[ $native -eq 1 ]]; then
    local regex repetitions program
    regex="$(dotnet "$tool" compare --cpp-filter "$outdir/dotnet/results")"
    if [[ $quick -eq 1 ]]; then repetitions=(--benchmark_repetitions=3 --benchmark_min_time=0.1); else repetitions=(--benchmark_repetitions=10); fi
    for program in ascend_bench_native ascend_bench_decoder; do
      local exe="$dir/artifacts/bench/native-build/$program"
      [[ -x "$exe" ]] || continue
      # Only programs with a counterpart of a row that ran (a filter matching nothing runs nothing but its self-check).
      # (The decoder program prints its self-check first, and exits 0 on a filter that matches nothing.)
      "$exe" --benchmark_list_tests=true --benchmark_filter="$regex" 2>/dev/null | grep -Eq -- "$regex" || continue
      log "round $round, $side ($sha): $program"
      "$exe" --benchmark_filter="$regex" "${repetitions[@]}" --benchmark_report_aggregates_only=true \
        --benchmark_out="$outdir/$program.json" --benchmark_out_format=json >"$outdir/$program.log" 2>&1 \
        || { log "$program failed for $sha: see $outdir/$program.log"; exit 1; }
    done
  fi
}

log "comparing $old_label (old) with $new_label (new): ${rounds} round(s), $([[ $quick -eq 1 ]] && echo quick || echo full) mode, filters: ${filters[*]}"
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2 == 1)); then
    run_commit "$old_sha" old "$r"; run_commit "$new_sha" new "$r"
  else
    run_commit "$new_sha" new "$r"; run_commit "$old_sha" old "$r"
  fi
done
log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- table --------------------------------------------------------------------------------------------------
compare_args=(compare --old-label "$old_label" --new-label "$new_label")
[[ $quick -eq 1 ]] && compare_args+=(--quick)
for ((r = 1; r <= rounds; r++)); do
  compare_args+=(--old "$runs/old-r$r/dotnet/results" --new "$runs/new-r$r/dotnet/results")
  for side in old new; do
    for json in "$runs/$side-r$r"/ascend_bench_*.json; do
      [[ -f "$json" ]] && compare_args+=("--$side-native" "$json@$r")
    done
  done
done
for m in "${maps[@]}"; do compare_args+=(--map "$m"); done
[[ -n "$out" ]] && compare_args+=(--out "$out")
status=0
dotnet "$tool" "${compare_args[@]}" | tee "$runs/table.md" || status=$?
log "raw outputs and the table: $runs"
if [[ $keep -eq 1 ]]; then
  log "kept the worktrees under $base: ./build.sh --target=Bench fails while they exist; remove them with $0 --clean"
fi
exit "$status"
