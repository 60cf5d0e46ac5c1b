"""The errors the policy engine raises: every problem found, each with the key it concerns."""

from collections.abc import Iterable


class PolicyError(ValueError):
    """A policy that cannot be used, with every problem found at once.

    `problems` holds one line per problem, each `key.path: message`; `str()` joins them with
    newlines so a command can print the error as it stands.
    """

    def __init__(self, *problems: str | Iterable[str]) -> None:
        flat: list[str] = []
        for problem in problems:
            if isinstance(problem, str):
                flat.append(problem)
            else:
                flat.extend(problem)
        self.problems: tuple[str, ...] = tuple(flat)
        super().__init__("\n".join(self.problems))

    def __str__(self) -> str:
        return "\n".join(self.problems)


class UnknownTarget(PolicyError):
    """A target name that is not in the format, or that the policy in hand does not set."""

    def __init__(self, name: str, known: Iterable[str], *, reason: str = "") -> None:
        self.name = name
        detail = f" ({reason})" if reason else ""
        super().__init__(f'unknown target "{name}"{detail}; known: {", ".join(known) or "none"}')
