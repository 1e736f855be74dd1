"""The staff admin panel (starlette-admin on the Beanie documents)."""
