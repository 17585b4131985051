#!/usr/bin/env bash
# Fuzzes every parser of untrusted bytes with afl++ and SharpFuzz, one harness after another.
#   fuzz/run.sh [SECONDS] [TARGET...]    SECONDS per harness (default 1800), all targets by default
# Installs afl++ (apt) when missing and the SharpFuzz instrumenter (dotnet tool restore), builds fuzz/ResNetSharp.Fuzz,
# instruments the project's assemblies, then runs each harness on its committed corpus fuzz/corpus/<target>/ with
# findings in fuzz/findings/<target>/ (git-ignored), and prints executions, paths, crashes and hangs per harness.
# A crash is any exception other than the project's own errors; a hang is an input running past 10 s; memory past
# 2 GB of managed heap is an OutOfMemoryException, so a crash. Triage a finding with
#   dotnet fuzz/out/build/ResNetSharp.Fuzz.dll TARGET fuzz/findings/TARGET/default/crashes/id*   (the uninstrumented build)
# then fix the parser, copy the input to fuzz/corpus/TARGET/ (crash-<what>) and the replay tests cover it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-1800}
shift || true
out=fuzz/out

if ! command -v afl-fuzz >/dev/null; then
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get install -y afl++
fi
dotnet tool restore >/dev/null

dotnet build -c Release fuzz/ResNetSharp.Fuzz -o "$out/build" -v quiet -nologo
rm -rf "$out/bin"
cp -r "$out/build" "$out/bin"
for assembly in ResNetSharp.dll ResNetSharp.Serving.dll resnet.dll YamlDotNet.dll; do
    dotnet tool run sharpfuzz "$out/bin/$assembly"
done

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cd fuzz/corpus && ls -d -- */ | tr -d /)
fi

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export DOTNET_GCHeapHardLimit=0x80000000
for target in "${targets[@]}"; do
    echo "== $target: ${seconds}s"
    rm -rf "fuzz/findings/$target" && mkdir -p fuzz/findings
    # -m none: .NET reserves far more address space than it uses, so the memory bound is the GC heap limit above.
    nice -n 10 afl-fuzz -i "fuzz/corpus/$target" -o "fuzz/findings/$target" -t 10000 -m none -V "$seconds" \
        -- dotnet "$out/bin/ResNetSharp.Fuzz.dll" "$target" >"fuzz/findings/$target.log" 2>&1 || {
        echo "afl-fuzz failed for $target; see fuzz/findings/$target.log"; tail -20 "fuzz/findings/$target.log"; }
done

printf '\n%-12s %10s %8s %6s %8s %6s %8s\n' target seconds execs execs/s paths crashes hangs
for target in "${targets[@]}"; do
    stats="fuzz/findings/$target/default/fuzzer_stats"
    [ -f "$stats" ] || { echo "$target: no fuzzer_stats"; continue; }
    get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
    printf '%-12s %10s %8s %6s %8s %6s %8s\n' "$target" "$(get run_time)" "$(get execs_done)" "$(get execs_per_sec)" \
        "$(get corpus_count)" "$(get saved_crashes)" "$(get saved_hangs)"
done
rm -rf /dev/shm/resnetsharp-fuzz-* 2>/dev/null || true
