FREED = []


def get_torch_device():
    return "cpu"


def free_memory(memory_required, device, keep_loaded=()):
    FREED.append((memory_required, str(device)))


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
