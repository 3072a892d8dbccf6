#!/bin/bash
# comfy-env detect on a real GPU, each probe in turn, and the raw outputs (see README.md).
R=/tmp/r; mkdir -p $R; OUT=${OUT:-$R}
xz -dc .device/comfy-env.xz > /tmp/ce && chmod +x /tmp/ce
/tmp/ce --version > $R/version.txt 2>&1
uname -a > $R/host.txt; cat /etc/os-release >> $R/host.txt 2>&1; nproc >> $R/host.txt
which nvidia-smi > $R/which.txt 2>&1; ldconfig -p | grep -i -E "nvidia-ml|libcuda" >> $R/which.txt 2>&1
nvidia-smi > $R/plain.txt 2>&1; echo "exit $?" >> $R/plain.txt
nvidia-smi --query-gpu=index,name,pci.bus_id,compute_cap,memory.total,driver_version --format=csv,noheader,nounits > $R/query.txt 2>&1
nvidia-smi --query-gpu=index,name,pci.bus_id,memory.total,driver_version --format=csv,noheader,nounits > $R/query-nocc.txt 2>&1
/tmp/ce detect --json -v > $R/detect-nvml.json 2> $R/detect-nvml.err
/tmp/ce detect > $R/detect-nvml.txt 2>&1
COMFY_ENV_NVML_LIB=/nonexistent/libnvidia-ml.so.1 /tmp/ce detect --json -v > $R/detect-smi.json 2> $R/detect-smi.err
COMFY_ENV_NVML_LIB=/nonexistent/libnvidia-ml.so.1 PATH=/nonexistent /tmp/ce detect --json -v > $R/detect-sysfs.json 2> $R/detect-sysfs.err
TORCHPY=${TORCHPY:-/opt/torch/.venv/bin/python3}  # the torch probe lists devices only when NVML and nvidia-smi are missing
[ -x "$TORCHPY" ] && COMFY_ENV_NVML_LIB=/nonexistent/libnvidia-ml.so.1 PATH=/nonexistent /tmp/ce detect --json -v --python "$TORCHPY" > $R/detect-torch.json 2> $R/detect-torch.err
for d in /sys/bus/pci/devices/*; do if [ "$(cat $d/vendor)" = 0x10de ]; then echo "$d $(cat $d/vendor) $(cat $d/device) $(cat $d/class)"; fi; done > $R/sysfs.txt 2>&1
echo "module: $(cat /sys/module/nvidia/version 2>&1)" >> $R/sysfs.txt; cat /proc/driver/nvidia/version >> $R/sysfs.txt 2>&1
(which nvcc && nvcc --version; ls -d /usr/local/cuda* ) > $R/nvcc.txt 2>&1
(which python3 && python3 -c "import torch; print(torch.__version__, torch.version.cuda, torch.cuda.is_available())") > $R/torch.txt 2>&1
tar czf $OUT/results.tgz -C /tmp r
ls -la $R; cat $R/detect-nvml.txt; head -c 3000 $R/detect-nvml.json
