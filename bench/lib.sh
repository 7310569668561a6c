# Shared by bench/run, bench/kafka, bench/startup and bench/scaling (sourced, not run).
# Expects the caller to have cd'ed to the repository root.
#   BENCH_QUICK=1: small inputs, 1 repetition (a smoke test of the scripts).

out=$PWD/bench/out          # inputs, jobs, outputs, logs, samples
results=$PWD/bench/results  # CSV tables (git-ignored)
mkdir -p "$out" "$results"
bin=${BENCH_BIN:-$PWD/build-release/connectrun}  # BENCH_BIN: another build (with BENCH_BUILT=1)

# Builds the release binary once per bench/run (BENCH_BUILT=1 skips it).
build_release() {
  if [[ -n "${BENCH_BUILT:-}" ]]; then return; fi
  scripts/install-deps --bench
  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DCONNECTRUN_TESTS=OFF >/dev/null
  cmake --build build-release -j2 --target connectrun >/dev/null
  export BENCH_BUILT=1
}

# make_input LINES → prints the path of ~100-byte JSON lines, like application logs.
make_input() {
  local f=$out/input-$1.txt
  if [[ ! -f $f ]]; then
    awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "{\"id\":%d,\"user\":\"user-%d\",\"amount\":%d,\"ts\":\"2026-11-25T10:00:00Z\",\"msg\":\"lorem ipsum dolor sit\"}\n", i, i % 1000, i % 977 }' > "$f.tmp"
    mv "$f.tmp" "$f"
  fi
  echo "$f"
}

# measure NAME CMD… → appends "wall cpu rss_kb" to $out/NAME.samples (stdout of CMD discarded).
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$out/time.tmp" "$@" > /dev/null 2> "$out/$name.log" || { cat "$out/$name.log" >&2; exit 1; }
  local wall user sys rss
  read -r wall user sys rss < "$out/time.tmp"
  echo "$wall $(cpu_sum "$user" "$sys") $rss" >> "$out/$name.samples"
}

now() { date +%s.%N; }
cpu_sum() { awk -v u="$1" -v s="$2" 'BEGIN { printf "%.2f", u + s }'; }

# until_size FILE BYTES TIMEOUT_S: waits until FILE has at least BYTES; false on timeout.
until_size() {
  local deadline; deadline=$(echo "$(now) + $3" | bc)
  while (( $(stat -c %s "$1" 2>/dev/null || echo 0) < $2 )); do
    if (( $(echo "$(now) > $deadline" | bc) )); then return 1; fi
    sleep 0.02
  done
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
field() { cut -d' ' -f"$2" "$out/$1.samples" | median; }  # field NAME COLUMN (1 wall, 2 cpu, 3 rss kB)

# table_header CSV_FILE: starts a table on stdout and its CSV.
table_header() {
  printf "%-28s %12s %9s %8s %9s %s\n" scenario "records/s" "MB/s" "cpu s" "peak MB" "connectrun vs peer (wall, >1 = connectrun faster)"
  echo "group,scenario,records,records_per_s,mb_per_s,cpu_s,peak_rss_mb,connectrun_speedup_vs_this" > "$1"
}

# table_rows CSV_FILE GROUP RECORDS BYTES CONNECTRUN_NAME NAME…: one row per NAME
# (medians); peers get connectrun's ratio: the peer's wall time over connectrun's.
table_rows() {
  local csv=$1 group=$2 records=$3 bytes=$4 cr=$5; shift 5
  local cr_wall; cr_wall=$(field "$cr" 1)
  for name in "$@"; do
    local wall cpu rss rps mbs rss_mb ratio
    wall=$(field "$name" 1); cpu=$(field "$name" 2); rss=$(field "$name" 3)
    [[ $(echo "$wall > 0" | bc) -eq 1 ]] || wall=0.01  # /usr/bin/time's resolution is 10 ms
    rps=$(echo "$records / $wall" | bc)
    mbs=$(awk -v b="$bytes" -v w="$wall" 'BEGIN { printf "%.1f", b / 1e6 / w }')
    rss_mb=$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')
    if [[ $name == connectrun* ]]; then ratio="-"; else ratio=$(awk -v a="$wall" -v b="$cr_wall" 'BEGIN { printf "%.3g", a / b }'); fi
    printf "%-28s %12s %9s %8s %9s %s\n" "$name" "$rps" "$mbs" "$cpu" "$rss_mb" "$ratio"
    echo "$group,$name,$records,$rps,$mbs,$cpu,$rss_mb,$ratio" >> "$csv"
  done
}
