"""The V3 node model: a schema per node class, execute() as a classmethod on a per-call class clone
holding the hidden inputs, NodeOutput results, and V1 attributes derived from the schema."""
import enum
import inspect


class Hidden(str, enum.Enum):
    unique_id = "UNIQUE_ID"
    prompt = "PROMPT"
    extra_pnginfo = "EXTRA_PNGINFO"
    dynprompt = "DYNPROMPT"


class NumberDisplay(str, enum.Enum):
    number = "number"
    slider = "slider"


class _Input:
    io_type = None

    def __init__(self, id, optional=False, default=None, min=None, max=None, display_mode=None, tooltip=None):
        self.id, self.optional, self.default, self.min, self.max = id, optional, default, min, max
        self.display_mode, self.tooltip = display_mode, tooltip

    def as_dict(self):
        d = {"default": self.default, "min": self.min, "max": self.max, "display": self.display_mode, "tooltip": self.tooltip}
        return {k: v for k, v in d.items() if v is not None}


class _Output:
    io_type = None

    def __init__(self, id=None, display_name=None, tooltip=None, is_output_list=False):
        self.id, self.display_name, self.tooltip, self.is_output_list = id, display_name, tooltip, is_output_list


class Int:
    class Input(_Input):
        io_type = "INT"

    class Output(_Output):
        io_type = "INT"


class String:
    class Input(_Input):
        io_type = "STRING"

    class Output(_Output):
        io_type = "STRING"


class Schema:
    def __init__(self, node_id, display_name=None, category="sd", inputs=None, outputs=None, hidden=None,
                 description="", is_output_node=False):
        self.node_id, self.display_name, self.category, self.description = node_id, display_name, category, description
        self.inputs, self.outputs, self.hidden = inputs or [], outputs or [], list(hidden or [])
        self.is_output_node = is_output_node

    def finalize(self):
        if self.is_output_node:
            for h in (Hidden.prompt, Hidden.extra_pnginfo):
                if h not in self.hidden:
                    self.hidden.append(h)
        for i, o in enumerate(self.outputs):
            if o.id is None:
                o.id = "_%d_%s_" % (i, o.io_type)

    def v1_input(self):
        d = {"required": {}}
        for i in self.inputs:
            d.setdefault("optional" if i.optional else "required", {})[i.id] = (i.io_type, i.as_dict())
        for h in self.hidden:
            d.setdefault("hidden", {})[h.name] = (h.value,)
        return d


class HiddenHolder:
    def __init__(self, d):
        self.unique_id = d.get(Hidden.unique_id)
        self.prompt = d.get(Hidden.prompt)
        self.extra_pnginfo = d.get(Hidden.extra_pnginfo)

    def __getattr__(self, key):
        return None

    @classmethod
    def from_v3_data(cls, v3_data):
        return cls(v3_data["hidden_inputs"] if v3_data else {})


class classproperty:
    def __init__(self, f):
        self.f = f

    def __get__(self, obj, owner):
        return self.f(owner)


class NodeOutput:
    def __init__(self, *args, ui=None, expand=None, block_execution=None):
        self.args, self.ui, self.expand, self.block_execution = args, ui, expand, block_execution

    @property
    def result(self):
        return self.args if self.args else None


def _normalize(out):
    if out is None:
        return NodeOutput()
    if isinstance(out, NodeOutput):
        return out
    if isinstance(out, tuple):
        return NodeOutput(*out)
    raise Exception("Invalid return type from node: %s" % type(out))


class ComfyNode:
    hidden = None

    @classmethod
    def define_schema(cls):
        raise NotImplementedError

    @classmethod
    def execute(cls, **kwargs):
        raise NotImplementedError

    @classmethod
    def validate_inputs(cls, **kwargs):
        raise NotImplementedError

    @classmethod
    def fingerprint_inputs(cls, **kwargs):
        raise NotImplementedError

    @classmethod
    def GET_SCHEMA(cls):
        schema = cls.define_schema()
        schema.finalize()
        return schema

    @classmethod
    def INPUT_TYPES(cls, include_hidden=True):
        d = cls.GET_SCHEMA().v1_input()
        if not include_hidden:
            d.pop("hidden", None)
        return d

    @classproperty
    def FUNCTION(cls):  # noqa: N805
        return "EXECUTE_NORMALIZED_ASYNC" if inspect.iscoroutinefunction(cls.execute) else "EXECUTE_NORMALIZED"

    @classproperty
    def RETURN_TYPES(cls):  # noqa: N805
        return [o.io_type for o in cls.GET_SCHEMA().outputs]

    @classproperty
    def RETURN_NAMES(cls):  # noqa: N805
        return [o.display_name or o.io_type for o in cls.GET_SCHEMA().outputs]

    @classproperty
    def CATEGORY(cls):  # noqa: N805
        return cls.GET_SCHEMA().category

    @classproperty
    def OUTPUT_NODE(cls):  # noqa: N805
        return cls.GET_SCHEMA().is_output_node

    @classmethod
    def EXECUTE_NORMALIZED(cls, *args, **kwargs):
        return _normalize(cls.execute(*args, **kwargs))

    @classmethod
    async def EXECUTE_NORMALIZED_ASYNC(cls, *args, **kwargs):
        return _normalize(await cls.execute(*args, **kwargs))

    @classmethod
    def PREPARE_CLASS_CLONE(cls, v3_data):
        clone = type(cls.__name__, (cls,), {})
        clone.hidden = HiddenHolder.from_v3_data(v3_data)
        return clone
