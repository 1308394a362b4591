"""Policies prepared for fast evaluation: matchers built once, action results memoised.

Action names compare case-insensitively with ``*``/``?``
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
Resource ARNs compare part by part: partition, service, region and account (case-insensitive),
then the resource part, case-sensitive; each may hold wildcards and the resource part policy
variables (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
"""

from __future__ import annotations

from collections.abc import Mapping

from efs_doctor.engine.iam import values as v
from efs_doctor.engine.iam.conditions import CompiledCondition
from efs_doctor.engine.iam.context_value import ContextValue
from efs_doctor.engine.iam.model import Policy, Statement
from efs_doctor.engine.iam.principals import MatchKind, RequestPrincipal, match_principals
from efs_doctor.engine.iam.variables import compile_regex, parse_template, to_regex
from efs_doctor.engine.iam.wildcard import compile_glob


class _ResourcePattern:
    __slots__ = ("head", "static", "templates", "text")

    def __init__(self, text: str, variables_enabled: bool) -> None:
        self.text = text
        parts = v.split_arn(text)
        self.head = (
            tuple(compile_glob(part, ignore_case=True) for part in parts[1:5]) if parts else None
        )
        self.templates = parse_template(parts[5], variables_enabled) if parts else None
        self.static = (
            compile_regex(to_regex(self.templates, {}, True) or "", False)
            if self.templates is not None and not self.templates.has_variables
            else None
        )

    def matches(
        self,
        resource: str,
        resource_parts: tuple[str, ...] | None,
        context: Mapping[str, ContextValue],
    ) -> bool:
        if self.text == "*":
            return True
        if self.head is None or self.templates is None or resource_parts is None:
            return False
        for pattern, part in zip(self.head, resource_parts[1:5], strict=True):
            if pattern.fullmatch(part) is None:
                return False
        if self.static is not None:
            return self.static.fullmatch(resource_parts[5]) is not None
        source = to_regex(self.templates, context, True)
        if source is None:  # a policy variable without a value matches nothing
            return False
        return compile_regex(source, False).fullmatch(resource_parts[5]) is not None


class CompiledStatement:
    __slots__ = (
        "_action_memo",
        "_action_patterns",
        "_principal_memo",
        "_resource_memo",
        "conditions",
        "resource_patterns",
        "statement",
        "variable_keys",
    )

    def __init__(self, statement: Statement, variables_enabled: bool) -> None:
        self.statement = statement
        self._action_patterns = tuple(compile_glob(a, ignore_case=True) for a in statement.actions)
        self._action_memo: dict[str, bool] = {}
        self._resource_memo: dict[str, bool] = {}
        self._principal_memo: dict[
            tuple[str | None, str | None], tuple[MatchKind | None, str | None]
        ] = {}
        self.resource_patterns = tuple(
            _ResourcePattern(r, variables_enabled) for r in statement.resources
        )
        self.conditions = tuple(
            CompiledCondition(c, variables_enabled) for c in statement.conditions
        )
        keys: set[str] = set()
        if variables_enabled:
            for resource in statement.resources:
                keys.update(var.key for var in parse_template(resource).variables)
        self.variable_keys = frozenset(keys)

    def action_matches(self, action: str) -> bool:
        found = self._action_memo.get(action)
        if found is None:
            hit = any(p.fullmatch(action) is not None for p in self._action_patterns)
            found = hit != self.statement.not_action
            self._action_memo[action] = found
        return found

    def resource_matches(
        self,
        resource: str,
        resource_parts: tuple[str, ...] | None,
        context: Mapping[str, ContextValue],
    ) -> bool:
        statement = self.statement
        if statement.resource_missing:
            return True
        if not self.variable_keys:
            found = self._resource_memo.get(resource)
            if found is not None:
                return found
        hit = any(p.matches(resource, resource_parts, context) for p in self.resource_patterns)
        result = hit != statement.not_resource
        if not self.variable_keys:
            self._resource_memo[resource] = result
        return result

    def principal_match(self, who: RequestPrincipal) -> tuple[MatchKind | None, str | None]:
        """How ``who`` matches Principal/NotPrincipal (memoised; the element never changes)."""
        key = (who.arn, who.session_arn)  # everything else in ``who`` derives from these
        found = self._principal_memo.get(key)
        if found is None:
            found = self._match_principal(who)
            self._principal_memo[key] = found
        return found

    def _match_principal(self, who: RequestPrincipal) -> tuple[MatchKind | None, str | None]:
        statement = self.statement
        if statement.principal is not None:
            return match_principals(statement.principal, who)
        if statement.not_principal is not None:
            kind, entry = match_principals(statement.not_principal, who)
            # NotPrincipal applies to everyone it does not name (anonymous clients included).
            # An account entry names the account principal only, not its roles, sessions and
            # users: IAM checks the account, then the role, then the session, and each must be
            # listed to be spared
            # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
            return (None, entry) if kind == "direct" else ("direct", None)
        return None, None


class CompiledPolicy:
    """A policy ready to evaluate; ``referenced_keys`` are the lower-cased context keys it reads."""

    __slots__ = (
        "_by_action",
        "key_spelling",
        "label",
        "policy",
        "referenced_keys",
        "statements",
    )

    def __init__(self, policy: Policy, label: str) -> None:
        self.policy = policy
        self.label = label
        enabled = policy.variables_enabled
        self.statements = tuple(CompiledStatement(s, enabled) for s in policy.statements)
        keys: set[str] = set()
        for statement in self.statements:
            keys.update(statement.variable_keys)
            for condition in statement.conditions:
                keys.add(condition.key)
                keys.update(condition.variable_keys)
        self.referenced_keys = frozenset(keys)
        self._by_action: dict[str, tuple[CompiledStatement, ...]] = {}
        self.key_spelling = {
            c.key: c.condition.key for st in self.statements for c in st.conditions
        }

    def statements_for(self, action: str) -> tuple[CompiledStatement, ...]:
        """The statements whose Action/NotAction covers ``action`` (memoised per action)."""
        found = self._by_action.get(action)
        if found is None:
            found = tuple(s for s in self.statements if s.action_matches(action))
            self._by_action[action] = found
        return found

    def statement_at(self, index: int) -> CompiledStatement | None:
        for statement in self.statements:
            if statement.statement.index == index:
                return statement
        return None
