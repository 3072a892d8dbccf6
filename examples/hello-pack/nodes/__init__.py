import sys


class HelloCow:
    """Says a text through cowsay, from the pack's own Python."""

    CATEGORY = "examples"
    FUNCTION = "say"
    RETURN_TYPES = ("STRING",)
    RETURN_NAMES = ("text",)

    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"text": ("STRING", {"default": "hello from an isolated env"})}}

    def say(self, text):
        import cowsay

        return (cowsay.get_output_string("cow", f"{text} (Python {sys.version_info[0]}.{sys.version_info[1]})"),)


NODE_CLASS_MAPPINGS = {"HelloCow": HelloCow}
NODE_DISPLAY_NAME_MAPPINGS = {"HelloCow": "Hello Cow (isolated)"}
