#!/bin/bash
# Runtime latency and CUDA tensors on the GPU machine (see README.md): the bridge in PY's Python,
# MixedPack's isolated folder linked to ENVDIR, workers started by the compiled binary.
set -e
CPU=${CPU:-2}; PY=${PY:-/opt/torch/.venv/bin/python3}; ENVDIR=${ENVDIR:-/opt/torch/.venv}; CE=${CE:-/tmp/ce}
XZ=${XZ:-.device/comfy-env.xz}; [ -x "$CE" ] || { xz -dc "$XZ" > "$CE"; chmod +x "$CE"; }
"$CE" --version
"$PY" -c "import sys, numpy; print(sys.version.split()[0], numpy.__version__)"
W=$(mktemp -d); C=$W/ComfyUI; mkdir -p $C/custom_nodes
cp -r test/runtime/harness/comfy $C/comfy
cp -r test/fixtures/packs/MixedPack $C/custom_nodes/
ln -s "$ENVDIR" $C/custom_nodes/MixedPack/nodes/iso/_env_abc123
"$CE" bridge install --python "$PY" >/dev/null
lscpu | grep -E "Model name|^CPU\(s\)" || true
if [ "${MODE:-}" = cuda ]; then "$PY" bench/device/cuda.py $C; exit; fi
cd test/runtime/harness
for i in 1 2 3; do taskset -c $CPU "$PY" bench.py $C 5000 2>/dev/null | tail -1; done
cd ../../..
for i in 1 2 3; do BLOCKS=120 taskset -c $CPU "$PY" bench/device/latency.py $C 2>/dev/null; done
"$CE" bridge uninstall --python "$PY" >/dev/null || true
