"""The email policy the desk reads with: the standard library's modern `email.policy.default`,
with two changes for speed, as parsing a header is most of the time spent reading an email:

- the standard header registry builds a new class every time a header is read
  (`HeaderRegistry.__getitem__` calls `type()`); this one builds each header's class once;
- the standard message parses a header again each time it is read (a part's Content-Type four
  times or more); this registry keeps the last few thousand parsed headers, which are immutable,
  and hands out the same one for the same name and value (Content-Type lines repeat across
  parts and emails).
"""

from email.headerregistry import BaseHeader, HeaderRegistry
from email.policy import default
from functools import lru_cache


class _ReusedHeaderClasses(HeaderRegistry):
    def __init__(self) -> None:
        super().__init__()
        self._made: dict[type, type] = {}
        self._parsed = lru_cache(maxsize=4096)(super().__call__)

    def __call__(self, name: str, value: str) -> BaseHeader:
        return self._parsed(name, value)

    def __getitem__(self, name: str) -> type:
        cls = self.registry.get(name.lower(), self.default_class)
        made = self._made.get(cls)
        if made is None:
            made = self._made[cls] = super().__getitem__(name)
        return made


POLICY = default.clone(header_factory=_ReusedHeaderClasses())
