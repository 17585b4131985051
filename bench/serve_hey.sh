#!/usr/bin/env bash
# resnet serve under load (CPU): hey on loopback, 2,000 requests at concurrency 1, 4, 16 and 64, then 10,000 more at 16
# for the server's RSS; the engine's own batch throughput at the batch sizes the server formed, and the CPU engine
# against Debian PyTorch's optimize_for_inference at B=16, side by side in one run. Results: docs/benchmarks.md.
#   bench/serve_hey.sh [MODEL] [N] [N_RSS]     (defaults: resnet50 2000 10000)
# Needs: hey, python3-torch, python3-torchvision (Debian packages); builds the CLI in Release.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-resnet50} n=${2:-2000} n_rss=${3:-10000} port=18093
python3=/usr/bin/python3   # Debian's, with python3-torch (not a pyenv shim's)
work=$(mktemp -d) server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

dotnet build src/ResNetSharp.Cli -c Release -v q -nologo >/dev/null
resnet=src/ResNetSharp.Cli/bin/Release/net10.0/resnet

# Random weights in torchvision's state_dict names, and a 400x300 PNG (resized and centre-cropped by the server).
"$python3" -c "import torch, torchvision; torch.manual_seed(0); torch.save(torchvision.models.$model().state_dict(), '$work/w.pth')"
"$python3" -c "import torch, torchvision; torch.manual_seed(1); torchvision.io.write_png((torch.rand(3, 300, 400) * 255).to(torch.uint8), '$work/img.png')"

"$resnet" serve --model "$model" --weights "$work/w.pth" --port $port --device cpu > "$work/serve.out" 2>&1 &
server=$!
until grep -q "^listening on" "$work/serve.out"; do sleep 1; kill -0 $server; done
echo "# $(cat "$work/serve.out")"
url="http://127.0.0.1:$port/v1/models/$model/classify"
rss() { awk '/VmRSS/ {print $2}' /proc/$server/status; }
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
hey -n 64 -c 16 -m POST -T image/png -D "$work/img.png" "$url" > /dev/null   # warm-up

echo "| concurrency | requests/s | p50 ms | p99 ms | errors | mean batch |"
echo "|---|---|---|---|---|---|"
for c in 1 4 16 64; do
  count0=$(metric "resnetsharp_batch_size_count{model=\"$model\"}"); sum0=$(metric "resnetsharp_batch_size_sum{model=\"$model\"}")
  hey -n "$n" -c $c -t 0 -m POST -T image/png -D "$work/img.png" "$url" > "$work/hey$c.txt"
  count1=$(metric "resnetsharp_batch_size_count{model=\"$model\"}"); sum1=$(metric "resnetsharp_batch_size_sum{model=\"$model\"}")
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/hey$c.txt")
  p50=$(awk '/ 50%/ {print $3 * 1000}' "$work/hey$c.txt"); p99=$(awk '/ 99%/ {print $3 * 1000}' "$work/hey$c.txt")
  ok=$(awk '/\[200\]/ {print $2}' "$work/hey$c.txt")
  batch=$("$python3" -c "print(round(($sum1 - $sum0) / max(1, $count1 - $count0), 1))")
  [ $c = 16 ] && batch16=$batch && rps16=$rps
  sent=$((n / c * c))   # hey runs n / c requests on each of its c workers
  echo "| $c | $rps | $p50 | $p99 | $((sent - ${ok:-0})) | $batch |"
done

before=$(rss)
hey -n "$n_rss" -c 16 -t 0 -m POST -T image/png -D "$work/img.png" "$url" > "$work/hey-rss.txt"
after=$(rss)
echo "RSS after warm-up and the runs above: $((before / 1024)) MiB; after $n_rss more requests: $((after / 1024)) MiB ($("$python3" -c "print(f'{($after - $before) / $before * 100:+.1f}%')")); errors: $((n_rss - $(awk '/\[200\]/ {print $2}' "$work/hey-rss.txt")))"
kill -TERM $server; wait $server || true

b=$("$python3" -c "print(max(1, round($batch16)))")
engine=$("$resnet" bench --model "$model" --batch-size "$b" --mode infer --engine onnxruntime --device cpu --steps 10 --warmup 3 --json)
own=$("$python3" -c "import json; print(round(json.loads('''$engine''')['infer_onnx_runtime_images_per_sec'], 1))")
echo "concurrency 16: served $rps16 img/s; the engine alone at B=$b: $own img/s; ratio $("$python3" -c "print(round($rps16 / $own, 2))") (target >= 0.85)"

"$python3" bench/pytorch_cpu_infer.py --model "$model" --batch-size 16 > "$work/pytorch.json"
b16=$("$resnet" bench --model "$model" --batch-size 16 --mode infer --engine onnxruntime --device cpu --steps 10 --warmup 3 --json)
"$python3" - "$work/pytorch.json" <<PY
import json, sys
pt = json.load(open(sys.argv[1])); rs = json.loads('''$b16''')
ort, jit = rs["infer_onnx_runtime_images_per_sec"], pt["optimize_for_inference_images_per_sec"]
print(f"B=16: onnxruntime {ort:.1f} img/s, TorchSharp fused {rs['infer_images_per_sec']:.1f}, unfused {rs['infer_unfused_images_per_sec']:.1f}; "
      f"PyTorch {pt['torch']} eager channels_last {pt['eager_channels_last_images_per_sec']:.1f}, optimize_for_inference {jit:.1f}; "
      f"onnxruntime / optimize_for_inference = {ort / jit:.2f} (target >= 1.25)")
PY
