"""JSON API (/api/v1): the same permission engine and write path as the panel."""
