#!/usr/bin/env bash
# resnet serve under abuse (CPU, loopback only, bounded in count and time): hey sends N valid requests with an API key
# at concurrency C, alone and then together with bench/serve_abuse.py (malformed bodies, oversized bodies, pixel
# bombs, wrong and missing keys, slow-loris connections, readiness polls), alternating twice so that machine noise
# falls on both. Prints, for each run, valid requests' errors, p50/p99 and the server's peak RSS, then the abuse
# client's counts; targets: 0 errors on valid requests, abused p99 within 1.5x, RSS within 10%. Results: docs/security.md.
#   bench/serve_abuse.sh [MODEL] [N] [C]     (defaults: resnet18 300 8)
# Needs: hey, python3-torch, python3-torchvision (Debian packages); builds the CLI in Release.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-resnet18} n=${2:-300} c=${3:-8} port=18094 key=abuse-test-key
python3=/usr/bin/python3   # Debian's, with python3-torch (not a pyenv shim's)
work=$(mktemp -d) server= sampler= status=1
trap 'kill $sampler $server 2>/dev/null; rm -rf "$work"; exit $status' EXIT

dotnet build src/ResNetSharp.Cli -c Release -v q -nologo >/dev/null
resnet=src/ResNetSharp.Cli/bin/Release/net10.0/resnet

"$python3" -c "import torch, torchvision; torch.manual_seed(0); torch.save(torchvision.models.$model().state_dict(), '$work/w.pth')"
"$python3" -c "import torch, torchvision; torch.manual_seed(1); torchvision.io.write_png((torch.rand(3, 300, 400) * 255).to(torch.uint8), '$work/img.png')"

# Keys, the header timeout and the rest come from the environment (the ResNetClassifier configuration section).
RESNETSHARP_API_KEYS=$key ResNetClassifier__HeaderTimeoutS=2 \
  "$resnet" serve --model "$model" --weights "$work/w.pth" --port $port --device cpu > "$work/serve.out" 2>&1 &
server=$!
until grep -q "^listening on" "$work/serve.out"; do sleep 1; kill -0 $server; done
echo "# $(cat "$work/serve.out"); load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
url="http://127.0.0.1:$port/v1/models/$model/classify"
load() { hey -n "$1" -c "$c" -t 0 -m POST -T image/png -H "Authorization: Bearer $key" -D "$work/img.png" "$url"; }
load 64 > /dev/null   # warm-up

# The server's RSS every 0.2 s into $work/rss (KiB); a run's peak is the largest sample taken during it.
touch "$work/rss"   # a run may start before the first sample
(while kill -0 $server 2>/dev/null; do awk '/VmRSS/ {print $2}' /proc/$server/status >> "$work/rss"; sleep 0.2; done) &
sampler=$!
run() {   # run NAME ABUSE(0/1)
  local from; from=$(wc -l < "$work/rss")
  rm -f "$work/stop"
  if [ "$2" = 1 ]; then "$python3" bench/serve_abuse.py $port "$model" $key "$work/stop" > "$work/abuse-$1.json" & abuser=$!; fi
  load "$n" > "$work/hey-$1.txt"
  touch "$work/stop"
  [ "$2" = 1 ] && wait $abuser
  local ok p50 p99 peak
  ok=$(awk '/\[200\]/ {print $2}' "$work/hey-$1.txt")
  p50=$(awk '/ 50%/ {print $3 * 1000}' "$work/hey-$1.txt"); p99=$(awk '/ 99%/ {print $3 * 1000}' "$work/hey-$1.txt")
  peak=$(tail -n +"$((from + 1))" "$work/rss" | sort -n | tail -1)
  echo "| $1 | $(( n / c * c - ${ok:-0} )) | $p50 | $p99 | $((peak / 1024)) |"
  echo "$1 $p99 $peak" >> "$work/summary"
}
echo "| run | valid errors | p50 ms | p99 ms | peak RSS MiB |"
echo "|---|---|---|---|---|"
run plain-1 0; run abused-1 1; run plain-2 0; run abused-2 1
for f in "$work"/abuse-*.json; do echo "$(basename "$f" .json): $(cat "$f")"; done
"$python3" - "$work/summary" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
def worst(kind, i): return max(float(r[i]) for r in rows if r[0].startswith(kind))
p99, rss = worst("abused", 1) / worst("plain", 1), worst("abused", 2) / worst("plain", 2)
print(f"abused / plain: p99 {p99:.2f}x (target <= 1.5), peak RSS {rss:.2f}x (target <= 1.10)")
PY
kill -TERM $server; wait $server || true
status=0
