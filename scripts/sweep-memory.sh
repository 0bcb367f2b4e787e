#!/usr/bin/env bash
# Peak memory and wall time of a large sweep of the status quo (issue: a 1,000,000-draw sweep must
# stay under 500 MB). Usage: scripts/sweep-memory.sh [DRAWS] [LIMIT_MB]. Exits 1 over the limit.
set -euo pipefail
cd "$(dirname "$0")/.."
draws=${1:-1000000}
limit_mb=${2:-500}
cargo build --release --locked --quiet
out=$(mktemp -d)
python3 - "$draws" "$limit_mb" "$out" <<'PY'
import resource, subprocess, sys, time
draws, limit_mb, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
cmd = ["target/release/urbsim", "sweep", "scenarios/baseline.toml", "--draws", draws, "--seed", "1", "--quiet", "--out", out]
start = time.monotonic()
subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
wall = time.monotonic() - start
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux reports KiB
print(f"sweep of {draws} draws: wall {wall:.2f} s, peak memory {peak_mb:.1f} MB (limit {limit_mb:.0f} MB)")
sys.exit(0 if peak_mb <= limit_mb else 1)
PY
rm -rf "$out"
