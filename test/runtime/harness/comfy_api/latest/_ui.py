class _UIOutput:
    def as_dict(self):
        raise NotImplementedError


class PreviewText(_UIOutput):
    def __init__(self, value):
        self.value = value

    def as_dict(self):
        return {"text": [self.value]}
