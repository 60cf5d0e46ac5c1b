"""Views of the tickets app: thin, they translate a request and call services."""
