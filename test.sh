#!/usr/bin/env bash
# The README's test command: installs the Debian/Ubuntu packages the tests need when they are missing, then runs
# every test. chromium: the served page and the HTML report in a real headless browser (Playwright drives
# /usr/bin/chromium; no browser download). openmpi-bin + libopenmpi-dev: the 2-rank data-parallel training tests.
# libturbojpeg0: the loader's SIMD JPEG decoder (SkiaSharp decodes JPEGs without it; the tests compare the two).
# Then the API site: DocFX (the tool manifest's version) builds docs/ into docs/_site; a warning (a broken link, a
# missing cross-reference) fails it.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v mpirun >/dev/null 2>&1 || missing+=(openmpi-bin)
ldconfig -p 2>/dev/null | grep -q 'libmpi\.so\.40' || [ -e /usr/lib/x86_64-linux-gnu/libmpi.so.40 ] || missing+=(libopenmpi-dev)
ldconfig -p 2>/dev/null | grep -q 'libturbojpeg\.so\.0' || [ -e /usr/lib/x86_64-linux-gnu/libturbojpeg.so.0 ] || missing+=(libturbojpeg0)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "test.sh: installing ${missing[*]} (apt-get)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Builds the whole solution, samples/ included, and runs every test; Samples/SamplesTests runs each sample to completion.
dotnet test -c Release "$@"

dotnet tool restore >/dev/null
dotnet docfx docs/docfx.json --warningsAsErrors
