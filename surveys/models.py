"""Models of the surveys channel (see DESIGN.md)."""
