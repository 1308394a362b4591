"""Kubernetes quantities as apimachinery's ParseQuantity reads them
(k8s.io/apimachinery/pkg/api/resource/quantity.go; suffix table in suffix.go)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from efs_doctor.model.quantity import QUANTITY_ERROR, QuantityError, parse_quantity


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5Gi", 5 * 1024**3),
        ("1Ki", 1024),
        ("1Ei", 1024**6),
        ("10G", 10 * 10**9),
        ("1000M", 10**9),
        ("1k", 1000),
        ("500m", Fraction(1, 2)),
        ("1.5Gi", 3 * 1024**3 // 2),
        ("0.5Gi", 512 * 1024**2),
        ("1e3", 1000),
        ("1E-2", Fraction(1, 100)),
        ("123", 123),
        ("+4", 4),
        (".5", Fraction(1, 2)),
        (5, 5),
        ("1Mi", 1048576),
    ],
)
def test_values(text: str | int, value: Fraction | int) -> None:
    assert parse_quantity(text) == value


def test_binary_and_plain_bytes_compare_equal() -> None:
    assert parse_quantity("1Gi") == parse_quantity("1073741824")
    assert parse_quantity("1G") < parse_quantity("1Gi")


@pytest.mark.parametrize("text", ["", "Gi", "5 Gi", "5GB", "five", "5gi", "1.2.3", "--1"])
def test_rejected(text: str) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(text)


def test_the_regular_expression_message_is_the_api_servers() -> None:
    with pytest.raises(QuantityError) as raised:
        parse_quantity("5 Gi")
    assert str(raised.value) == QUANTITY_ERROR
    assert "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$" in QUANTITY_ERROR


@pytest.mark.parametrize("value", [True, ["5Gi"], {"storage": "5Gi"}, None])
def test_values_of_other_types_are_refused_not_raised(value: object) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(value)  # type: ignore[arg-type]
