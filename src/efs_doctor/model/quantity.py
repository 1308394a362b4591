"""Kubernetes resource quantities (``5Gi``, ``1000M``, ``1.5e3``), parsed exactly.

The grammar and suffixes are apimachinery's ``resource.Quantity``
(k8s.io/apimachinery/pkg/api/resource/quantity.go, ``ParseQuantity``): a signed decimal
number followed by a binary suffix (Ki Mi Gi Ti Pi Ei, powers of 1024), a decimal SI suffix
(n u m k M G T P E, powers of 1000) or a decimal exponent (``e3``, ``E-2``). The API server
refuses anything else with the message of :data:`QUANTITY_ERROR` (seen verbatim in
"PersistentVolumeClaim in version "v1" cannot be handled as a PersistentVolumeClaim:
quantities must match the regular expression ...").

Values are :class:`fractions.Fraction`, so ``1Gi`` and ``1073741824`` compare equal and
``0.5Gi`` is exact. The PV controller compares capacity and request as quantities
(``volumeQty.Cmp(requestedQty)``, component-helpers storage/volume/pv_helpers.go).
"""

from __future__ import annotations

import re
from fractions import Fraction

QUANTITY_PATTERN = r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
QUANTITY_ERROR = f"quantities must match the regular expression '{QUANTITY_PATTERN}'"
NUMERIC_ERROR = "unable to parse quantity's numeric part"
SUFFIX_ERROR = "unable to parse quantity's suffix"

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_EXPONENT = re.compile(r"[eE]([-+]?[0-9]+)")


class QuantityError(ValueError):
    """Not a quantity the API server accepts."""


def parse_quantity(text: str | int | float) -> Fraction:
    """The exact value of a quantity; :class:`QuantityError` when the API server would refuse
    it. A YAML number (``storage: 5``) is read as its decimal text, as the API server does."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise QuantityError(QUANTITY_ERROR)  # a list or a mapping is no quantity either
    if isinstance(text, int | float):
        text = repr(text) if isinstance(text, float) else str(text)
    text = text.strip()
    if not re.fullmatch(QUANTITY_PATTERN, text):
        raise QuantityError(QUANTITY_ERROR)
    number = _NUMBER.match(text)
    if number is None:
        raise QuantityError(NUMERIC_ERROR)
    value = Fraction(number.group(0))
    suffix = text[number.end() :]
    if suffix in _BINARY:
        return value * Fraction(1024) ** _BINARY[suffix]
    if suffix in _DECIMAL:
        return value * Fraction(10) ** _DECIMAL[suffix]
    exponent = _EXPONENT.fullmatch(suffix)
    if exponent is not None:
        return value * Fraction(10) ** int(exponent.group(1))
    raise QuantityError(NUMERIC_ERROR if suffix[:1] in ".0123456789" else SUFFIX_ERROR)


def quantity_or_none(text: str | None) -> Fraction | None:
    """The value, or None for an absent or unreadable quantity (reported elsewhere, by the
    API validation of the object)."""
    if text is None:
        return None
    try:
        return parse_quantity(text)
    except QuantityError:
        return None
