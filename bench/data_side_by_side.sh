#!/usr/bin/env bash
# The data loader alone, side by side with torchvision's ImageFolder + DataLoader (num_workers = cores) on the same
# folder of photo-like JPEGs with the same transforms, train (RandomResizedCrop(224) + flip + ToTensor + Normalize) and
# val (Resize(256) + CenterCrop(224) + ToTensor + Normalize); prints both and the ratios (ours / torchvision).
# Usage: bench/data_side_by_side.sh [DIR (default: generated in /tmp/resnetsharp-photos)] [EPOCHS (3; val: 4x, its split is smaller)]
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/resnetsharp-photos}
EPOCHS=${2:-3}
PY=/usr/bin/python3
if ! $PY -c "import torchvision" 2>/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq python3-torchvision
fi
[ -d "$DIR/train" ] || $PY bench/make_photo_folder.py "$DIR"
dotnet build -c Release src/ResNetSharp.Cli -v q -nologo >/dev/null
RESNET=src/ResNetSharp.Cli/bin/Release/net10.0/resnet
CORES=$(nproc)
echo "machine: $CORES cores, $(date -u +%F); folder: $DIR; shared machines are noisy: compare the ratios of one run"
for split in train val; do
  epochs=$EPOCHS; [ $split = val ] && epochs=$((4 * EPOCHS))
  ours=$($RESNET bench --mode data --data "folder:$DIR" --split $split --device cpu --epochs "$epochs" --json)
  theirs=$($PY bench/torchvision_loader.py "$DIR" --split $split --workers "$CORES" --epochs "$epochs")
  $PY - "$split" "$ours" "$theirs" <<'PY'
import json, sys
split, ours, theirs = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(f"{split}: resnetsharp {ours['data_images_per_sec']:.0f} images/s ({ours['cpu_seconds_per_image'] * 1000:.2f} ms CPU/image, "
      f"decode {ours['decode']}, {ours['workers']} workers); torchvision {theirs['data_images_per_sec']:.0f} images/s "
      f"({theirs['cpu_seconds_per_image'] * 1000:.2f} ms CPU/image, {theirs['workers']} workers); ratio "
      f"{ours['data_images_per_sec'] / theirs['data_images_per_sec']:.2f}x images/s, "
      f"{theirs['cpu_seconds_per_image'] / ours['cpu_seconds_per_image']:.2f}x images per CPU-second")
PY
done
