FREED = []


def get_torch_device():
    return "cpu"


def free_memory(memory_required, device, keep_loaded=()):
    FREED.append((memory_required, str(device)))


def get_free_memory(dev=None, torch_free_too=False):
    return 8 << 30
