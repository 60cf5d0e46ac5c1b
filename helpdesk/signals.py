"""Signal receivers of the core (none yet beyond model wiring)."""
