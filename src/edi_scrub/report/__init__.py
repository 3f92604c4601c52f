"""Output: the report model and its renderers (JSON, text, HTML)."""
