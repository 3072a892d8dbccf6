# A subset of ComfyUI's comfy/cli_args.py with its shape: the command line is parsed only when
# comfy.options enabled it (main.py does), else `args` holds the defaults.
import argparse
import enum

import comfy.options


class LatentPreviewMethod(enum.Enum):
    NoPreviews = "none"
    Auto = "auto"
    Latent2RGB = "latent2rgb"
    TAESD = "taesd"


class PerformanceFeature(enum.Enum):
    Fp16Accumulation = "fp16_accumulation"
    Fp8MatrixMultiplication = "fp8_matrix_mult"
    CublasOps = "cublas_ops"


parser = argparse.ArgumentParser()
parser.add_argument("--listen", type=str, default="127.0.0.1")
parser.add_argument("--port", type=int, default=8188)
parser.add_argument("--base-directory", type=str, default=None)
parser.add_argument("--output-directory", type=str, default=None)
parser.add_argument("--temp-directory", type=str, default=None)
parser.add_argument("--input-directory", type=str, default=None)
parser.add_argument("--user-directory", type=str, default=None)
parser.add_argument("--cuda-device", type=int, default=None)
parser.add_argument("--directml", type=int, nargs="?", metavar="DIRECTML_DEVICE", const=-1)
fp_group = parser.add_mutually_exclusive_group()
fp_group.add_argument("--force-fp32", action="store_true")
fp_group.add_argument("--force-fp16", action="store_true")
parser.add_argument("--fp16-unet", action="store_true")
parser.add_argument("--preview-method", type=LatentPreviewMethod, default=LatentPreviewMethod.NoPreviews)
vram_group = parser.add_mutually_exclusive_group()
vram_group.add_argument("--gpu-only", action="store_true")
vram_group.add_argument("--highvram", action="store_true")
vram_group.add_argument("--normalvram", action="store_true")
vram_group.add_argument("--lowvram", action="store_true")
vram_group.add_argument("--novram", action="store_true")
vram_group.add_argument("--cpu", action="store_true")
parser.add_argument("--fast", nargs="*", type=PerformanceFeature)

if comfy.options.args_parsing:
    args = parser.parse_args()
else:
    args = parser.parse_args([])

if args.force_fp16:
    args.fp16_unet = True

if args.fast is None:
    args.fast = set()
elif args.fast == []:
    args.fast = set(PerformanceFeature)
else:
    args.fast = set(args.fast)
