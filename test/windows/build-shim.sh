#!/usr/bin/env bash
# Builds the Windows test stand-ins with Debian's mingw-w64 into OUTDIR (default dist/wine):
#   bcryptprimitives.dll  ProcessPrng for wine < 8.13 (Bun's runtime imports it); goes beside the exe
#   python.exe            a python_embeded stand-in answering the version query
# Test-only: never shipped. Usage: test/windows/build-shim.sh [OUTDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../dist/wine}"
mkdir -p "$out"
cc=x86_64-w64-mingw32-gcc
"$cc" -shared -O2 -s -o "$out/bcryptprimitives.dll" "$here/bcryptprimitives.c" "$here/bcryptprimitives.def" -ladvapi32
"$cc" -O2 -s -o "$out/python.exe" "$here/python-standin.c"
echo "built $out/bcryptprimitives.dll and $out/python.exe"
