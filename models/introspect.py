"""Looking inside the documents' type annotations (to walk a dotted path through a model)."""

from __future__ import annotations

import types
import typing
from typing import Any, Union, get_args, get_origin


def unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional to reach the container or model type."""
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation
