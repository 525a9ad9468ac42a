"""Adapters that run edge's models inside other tools (each imports its tool lazily)."""
