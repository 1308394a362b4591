"""Structure-aware mutation: parse a JSON or YAML seed, change one field, write it back.

Byte-level mutations mostly break the syntax; these keep the document valid and change what
a field holds (null, a number, a list, a deep map, an empty string, a huge number...), which is
what reaches the model's typed reads and the engines behind them.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Sequence
from typing import Any

Path = tuple[str | int, ...]


def load_any(seed: bytes) -> tuple[Any, Callable[[Any], bytes]] | None:
    """The seed's data and a function writing data back in the seed's syntax."""
    import yaml

    text = seed.decode("utf-8", errors="replace")
    if text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text), _dump_json
        except (ValueError, RecursionError):
            return None
    try:
        documents = list(yaml.safe_load_all(text))
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    return documents, _dump_yaml


def _dump_json(data: Any) -> bytes:
    return json.dumps(data, indent=1, allow_nan=True).encode()


def _dump_yaml(documents: Any) -> bytes:
    import yaml

    return yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True).encode()


def paths(data: Any, prefix: Path = (), limit: int = 5000) -> list[Path]:
    """Every field path in ``data`` (depth first, at most ``limit``)."""
    found: list[Path] = []
    stack: list[tuple[Any, Path]] = [(data, prefix)]
    while stack and len(found) < limit:
        node, here = stack.pop()
        if here:
            found.append(here)
        if isinstance(node, dict):
            stack.extend((v, (*here, k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*here, i)) for i, v in enumerate(node))
    return found


def replace_at(data: Any, path: Path, value: Any) -> Any:
    """A copy of ``data`` with the field at ``path`` set to ``value``."""
    result = copy.deepcopy(data)
    node = result
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value  # shared, not copied: the result is written out at once
    return result


def mutate_tree(data: Any, rng: random.Random, values: Sequence[Any]) -> Any:
    candidates = paths(data)
    if not candidates:
        return rng.choice(values)
    path = rng.choice(candidates)
    choice = rng.random()
    if choice < 0.8:
        return replace_at(data, path, rng.choice(values))
    if choice < 0.9:  # a parent turned into a deep chain of maps
        deep: Any = "x"
        for _ in range(rng.choice((10, 100, 900))):
            deep = {"k": deep}
        return replace_at(data, path, deep)
    # a field copied into another place (objects that refer to each other, duplicates)
    other = rng.choice(candidates)
    node = data
    for part in other:
        node = node[part]
    return replace_at(data, path, node)
