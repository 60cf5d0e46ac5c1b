"""How people read a target's name: `email.first_response` is "First response (email)"."""

# The words of the target names the policy knows; any other name is read from its own words.
_NAMES = {
    "acknowledge": "Acknowledgement",
    "first_response": "First response",
    "resolution": "Resolution",
    "follow_up": "Follow-up",
    "review": "Review",
}
_SECTIONS = {
    "chat": "chat",
    "email": "email",
    "phone": "phone",
    "complaints": "complaint",
    "surveys": "survey",
    "policy": "policy",
}


def target_label(target: str) -> str:
    """A target as the desk and notifications print it: the promise, then its channel."""
    section, _, name = target.partition(".")
    if not name:
        return _NAMES.get(section, section.replace("_", " ").capitalize())
    words = _NAMES.get(name, name.replace("_", " ").capitalize())
    return f"{words} ({_SECTIONS.get(section, section.replace('_', ' '))})"
