"""Typed readings of condition values: numbers, dates, booleans, IP ranges, ARNs, base64.

Each parser returns ``None`` for a value it cannot read; a condition value that cannot be read
never matches (and the grammar reports it as a warning).
Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from efs_doctor.engine.iam.model import OperatorFamily

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_INTEGER = re.compile(r"[+-]?\d+\Z")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")


@lru_cache(maxsize=2048)
def parse_number(text: str) -> Decimal | None:
    if not _DECIMAL.match(text.strip()):
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


@lru_cache(maxsize=2048)
def parse_date(text: str) -> float | None:
    """Seconds since the epoch; accepts W3C/ISO 8601 dates and integer epoch seconds."""
    value = text.strip()
    if _INTEGER.match(value):
        return float(int(value))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def parse_bool(text: str) -> bool | None:
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return None


@lru_cache(maxsize=2048)
def parse_network(text: str) -> IpNetwork | None:
    """A CIDR block or a single address (taken as /32 or /128)."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=2048)
def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


# Address ranges a VPC client can have (RFC 1918, shared address space RFC 6598, link-local,
# loopback, IPv6 unique-local and link-local). The documentation ranges (RFC 5737) count as
# public here: they stand in for public addresses in examples.
_PRIVATE_RANGES = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "169.254.0.0/16",
        "127.0.0.0/8",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)


def private_overlap(network: IpNetwork) -> IpNetwork | None:
    """The private range ``network`` overlaps, if any."""
    for private in _PRIVATE_RANGES:
        if private.version == network.version and network.overlaps(private):
            return private
    return None


def split_arn(text: str) -> tuple[str, str, str, str, str, str] | None:
    """``arn:partition:service:region:account:resource`` (the resource may hold colons)."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]


def is_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def check_value(family: OperatorFamily, value: str) -> str | None:
    """Why ``value`` is not a valid policy value for the operator family, or ``None``."""
    if "${" in value and family in ("string", "arn"):
        return None  # policy variables are resolved at evaluation time
    if family == "numeric" and parse_number(value) is None:
        return f'"{value}" is not a number; this value never matches'
    if family == "date" and parse_date(value) is None:
        return f'"{value}" is not an ISO 8601 date or epoch seconds; this value never matches'
    if family == "bool" and parse_bool(value) is None:
        return f'"{value}" is not "true" or "false"; this value never matches'
    if family == "ip" and parse_network(value) is None:
        return f'"{value}" is not an IP address or CIDR block; this value never matches'
    if family == "arn" and value != "*" and split_arn(value) is None:
        return f'"{value}" is not an ARN; this value never matches'
    if family == "binary" and not is_base64(value):
        return f'"{value}" is not base64; this value never matches'
    if family == "null" and parse_bool(value) is None:
        return f'Null takes "true" (key absent) or "false" (key present), not "{value}"'
    return None
