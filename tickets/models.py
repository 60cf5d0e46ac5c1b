"""Models of the tickets channel (see DESIGN.md)."""
