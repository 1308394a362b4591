"""Values in a request context.

A key holds one string or, for multivalued keys such as ``aws:TagKeys``, a tuple of strings.
:class:`Opaque` marks a key that is present but whose value no policy value can match: EFS
documents that ``aws:SourceIp`` "can only be used for public IP address ranges", so the
private address of an in-VPC NFS client never matches an ``IpAddress`` range
(efs-semantics.md §4.5).
"""

from __future__ import annotations


class Opaque(str):
    """A present context value that matches no policy value (negated operators are true)."""

    __slots__ = ()


ContextValue = str | tuple[str, ...]
