#!/bin/bash
# Build the binary and compress it into .device/ for the device tool to carry (64 MiB limit).
set -e
cd "$(dirname "$0")/../.."
./node_modules/.bin/bun run build.ts
mkdir -p .device
xz -T0 -6 -c dist/comfy-env > .device/comfy-env.xz
ls -l .device/comfy-env.xz
