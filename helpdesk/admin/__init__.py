"""Admin of the core, one module per area."""

from . import api, knowledge, people, policy, sla  # noqa: F401
