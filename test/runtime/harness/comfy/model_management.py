# The parts of ComfyUI's comfy/model_management.py the bridge and the test nodes use, deciding
# from comfy.cli_args at import time as ComfyUI does (no torch here: devices are names).
import enum
import time

import psutil

from comfy.cli_args import args


class VRAMState(enum.Enum):
    DISABLED = 0
    NO_VRAM = 1
    LOW_VRAM = 2
    NORMAL_VRAM = 3
    HIGH_VRAM = 4
    SHARED = 5


class CPUState(enum.Enum):
    GPU = 0
    CPU = 1
    MPS = 2


cpu_state = CPUState.CPU if args.cpu else CPUState.GPU
vram_state = VRAMState.NORMAL_VRAM
if args.lowvram:
    vram_state = VRAMState.LOW_VRAM
elif args.novram:
    vram_state = VRAMState.NO_VRAM
elif args.highvram or args.gpu_only:
    vram_state = VRAMState.HIGH_VRAM
if cpu_state != CPUState.GPU:
    vram_state = VRAMState.DISABLED

# As ComfyUI's, while it is imported (an env without psutil has the worker's stand-in).
total_ram = psutil.virtual_memory().total / (1024 * 1024)

FREED = []
EMPTIED = []


def get_torch_device():
    if cpu_state == CPUState.CPU:
        return "cpu"
    return "cuda:0"


def free_memory(memory_required, device, keep_loaded=[]):
    FREED.append((memory_required, str(device)))
    soft_empty_cache()
    return []


def soft_empty_cache(force=False):
    EMPTIED.append(time.monotonic())


def unload_all_models():
    free_memory(1e30, get_torch_device())


def get_free_memory(dev=None, torch_free_too=False):
    return 8 << 30


# ComfyUI's Cancel: the same names and behaviour as comfy/model_management.py.
class InterruptProcessingException(Exception):
    pass


interrupt_processing = False


def interrupt_current_processing(value=True):
    global interrupt_processing
    interrupt_processing = value


def processing_interrupted():
    return interrupt_processing


def throw_exception_if_processing_interrupted():
    global interrupt_processing
    if interrupt_processing:
        interrupt_processing = False
        raise InterruptProcessingException()
