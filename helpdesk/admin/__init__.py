"""Admin of the core, one module per area."""

from . import api, knowledge, people, policy, privacy, sla  # noqa: F401
