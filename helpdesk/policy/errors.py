"""The errors the policy engine raises: every problem found, each with the key it concerns."""

from collections.abc import Iterable, Sequence

# However many problems a document has, a person reads the first few and a count of the rest.
MAX_PROBLEMS_SHOWN = 20


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

    def shown(self) -> list[str]:
        """The problems as a person is shown them: see `shown_problems`."""
        return shown_problems(self.problems)


def shown_problems(problems: Sequence[str], limit: int = MAX_PROBLEMS_SHOWN) -> list[str]:
    """The first `limit` problems, then one line counting the rest (`... and 49,980 more
    errors`): a document with 50,000 bad entries is reported in 21 lines, not 50,000."""
    rest = len(problems) - limit
    if rest <= 0:
        return list(problems)
    return [*problems[:limit], f"... and {rest:,} more error{'s' if rest > 1 else ''}"]


class UnknownTarget(PolicyError):
    """A target name that is not in the format, or that the policy in hand does not set."""

    def __init__(self, name: str, known: Iterable[str], *, reason: str = "") -> None:
        self.name = name
        detail = f" ({reason})" if reason else ""
        super().__init__(f'unknown target "{name}"{detail}; known: {", ".join(known) or "none"}')


class UnknownCalendar(PolicyError):
    """A calendar name that the policy in hand does not define in `[calendars.NAME]`."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        super().__init__(
            f'unknown calendar "{name}"; known: {", ".join(known) or "none"} '
            "(leave it out for the default [calendar])"
        )


class UnknownLevel(PolicyError):
    """A priority or complaint severity that the format does not know."""

    def __init__(self, kind: str, value: object, known: Iterable[str]) -> None:
        self.value = value
        shown = f'"{value}"' if isinstance(value, str) else repr(value)
        super().__init__(f"{shown} is not a {kind} ({', '.join(known)})")
