"""The source map of an object read from infrastructure as code, and how to tell one.

Apart from the IaC readers (``common.py``) and fixes (``fixes.py``): the fix builders ask
of every object they edit whether it came from IaC, and the answer needs neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from efs_doctor.model.source import Location, SourceMap


@dataclass(eq=False, slots=True)
class IacSourceMap(SourceMap):
    """A source map whose locations name the IaC object: the Terraform resource address or
    the CloudFormation logical id, whatever object name the caller passes."""

    address: str = ""

    def location(self, *field_path: str | int, object_name: str | None = None) -> Location:
        return SourceMap.location(self, *field_path, object_name=self.address or object_name)


def iac_source(obj: Any) -> IacSourceMap | None:
    """The object's IaC source map, or None when it was not read from IaC."""
    source = getattr(obj, "source", None)
    return source if isinstance(source, IacSourceMap) else None
