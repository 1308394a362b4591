"""Checks specific to EFS file system policies, each with the place in the policy and a fix.

Severity ``error``/``warning`` findings make ``policy check`` exit 1; ``info`` findings
(console preset recognised) are reported but do not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from efs_doctor.engine.iam import catalogue, facts
from efs_doctor.engine.iam import values as v
from efs_doctor.engine.iam.model import Condition, JsonPath, Statement, format_json_path
from efs_doctor.engine.iam.parsed import MAX_POLICY_CHARS, ParsedPolicy
from efs_doctor.engine.iam.presets import recognise_preset
from efs_doctor.engine.iam.variables import parse_template
from efs_doctor.engine.iam.wildcard import glob_match
from efs_doctor.model.problems import one_line

LintSeverity = Literal["error", "warning", "info"]

_VIA_MOUNT_TARGET_FIX = (
    'add "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}}'
)


@dataclass(frozen=True, slots=True)
class LintFinding:
    code: str
    severity: LintSeverity
    message: str
    path: JsonPath
    fix: str | None = None
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:  # messages quote policy text: keep them one line
        object.__setattr__(self, "message", one_line(self.message))
        if self.fix is not None:
            object.__setattr__(self, "fix", one_line(self.fix))

    @property
    def json_path(self) -> str:
        return format_json_path(self.path)

    def to_json(self, source: str | None) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
            "location": {
                "path": source,
                "line": self.line,
                "column": self.column,
                "json_path": self.json_path,
            },
        }


def _covers(statement: Statement, action: str) -> bool:
    hit = any(glob_match(pattern, action, ignore_case=True) for pattern in statement.actions)
    return hit != statement.not_action


def _could_be_file_system(resource: str) -> bool:
    # Client actions have the file-system resource type only
    # (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticfilesystem.html).
    parts = v.split_arn(resource)
    if resource == "*" or parts is None:
        return True
    kind = parts[5].split("/", 1)[0]
    return glob_match(parts[2], "elasticfilesystem", ignore_case=True) and glob_match(
        kind, "file-system"
    )


def _admits_anyone(statement: Statement) -> bool:
    if statement.principal is not None:
        return statement.principal.anyone
    return statement.not_principal is not None


class _Linter:
    def __init__(self, parsed: ParsedPolicy) -> None:
        self.parsed = parsed
        self.findings: list[LintFinding] = []

    def add(
        self,
        code: str,
        severity: LintSeverity,
        message: str,
        path: JsonPath,
        fix: str | None = None,
    ) -> None:
        position = self.parsed.position(path)
        line, column = position if position else (None, None)
        self.findings.append(LintFinding(code, severity, message, path, fix, line, column))

    def run(self) -> list[LintFinding]:
        parsed = self.parsed
        for problem in parsed.problems:
            if problem.severity == "warning":
                self.add("policy-grammar", "warning", problem.message, problem.path)
        self.size()
        statements = parsed.policy.statements
        for statement in statements:
            self.statement(statement)
        if parsed.kind == "resource":
            self.policy_level(statements)
        return self.findings

    def size(self) -> None:
        # EFS limits a policy to 20,000 characters (efs-semantics.md §4.4) without saying whether
        # whitespace counts: over the limit without it is an error, only with it a warning.
        parsed = self.parsed
        compact = len(json.dumps(parsed.document, separators=(",", ":"), ensure_ascii=False))
        if compact > MAX_POLICY_CHARS:
            severity: LintSeverity = "error"
            message = f"the policy has {compact:,} characters even without whitespace"
        elif parsed.size > MAX_POLICY_CHARS:
            severity = "warning"
            message = (
                f"the policy text has {parsed.size:,} characters ({compact:,} without "
                "whitespace); EFS does not document whether whitespace counts"
            )
        else:
            return
        self.add(
            "policy-too-large",
            severity,
            f"{message}; EFS accepts at most {MAX_POLICY_CHARS:,}",
            (),
            "merge statements (lists of actions, principals and resources) or remove whitespace",
        )

    def statement(self, statement: Statement) -> None:
        for i, action in enumerate(statement.actions):
            if catalogue.action_known(action) is False:
                where = (*statement.path, "NotAction" if statement.not_action else "Action")
                self.add(
                    "unknown-action",
                    "warning",
                    f'"{action}" matches no known IAM action ({catalogue.data_version()})',
                    (*where, i) if len(statement.actions) > 1 else where,
                    'check the spelling; EFS clients need "elasticfilesystem:ClientMount", '
                    '"elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"',
                )
        if (
            self.parsed.kind == "resource"
            and statement.not_principal is not None
            and statement.effect == "Allow"
        ):
            self.add(
                "allow-with-not-principal",
                "warning",
                "Allow with NotPrincipal grants to everyone not listed, anonymous clients included",
                statement.not_principal.path,
                "name the principals to allow in Principal instead",
            )
        for condition in statement.conditions:
            self.condition(statement, condition)
        if self.parsed.kind != "resource" or statement.effect != "Allow":
            return
        self.resource_kind(statement)
        grants_other = _covers(statement, facts.CLIENT_WRITE) or _covers(
            statement, facts.CLIENT_ROOT
        )
        if grants_other and not _covers(statement, facts.CLIENT_MOUNT):
            self.add(
                "allow-without-client-mount",
                "warning",
                f"statement {statement.label} allows ClientWrite/ClientRootAccess but not "
                "ClientMount: without ClientMount a client cannot mount at all, so these grants "
                "only help principals that get ClientMount elsewhere",
                (*statement.path, "Action"),
                'add "elasticfilesystem:ClientMount" to Action (it gives read-only access)',
            )
        self.public(statement)

    def resource_kind(self, statement: Statement) -> None:
        if statement.not_resource or statement.resource_missing:
            return
        if not any(_covers(statement, action) for action in facts.CLIENT_ACTIONS):
            return
        if any(_could_be_file_system(resource) for resource in statement.resources):
            return
        self.add(
            "resource-not-file-system",
            "warning",
            f"statement {statement.label} grants or denies Client actions on resources that are "
            "not file systems: EFS authorises ClientMount, ClientWrite and ClientRootAccess on "
            "the file system ARN (also for access point mounts), so the statement never applies",
            (*statement.path, "Resource"),
            "use the file system ARN (arn:aws:elasticfilesystem:<region>:<account>:file-system/"
            "<id>) and restrict access points with elasticfilesystem:AccessPointArn",
        )

    def public(self, statement: Statement) -> None:
        if not _admits_anyone(statement) or not any(
            _covers(statement, action) for action in facts.CLIENT_ACTIONS
        ):
            return
        # "From anywhere": an anonymous client that does not come through a mount target,
        # with or without TLS. If the conditions still hold, the statement is public
        # (efs-semantics.md §4.5; efs-ug access-control-block-public-access.md).
        compiled = self.parsed.compiled.statement_at(statement.index)
        if compiled is None:
            return
        for tls in ("true", "false"):
            context = {facts.SECURE_TRANSPORT: tls, facts.VIA_MOUNT_TARGET: "false"}
            if all(c.evaluate(context).matched for c in compiled.conditions):
                self.add(
                    "public-policy",
                    "warning",
                    f"statement {statement.label} admits anonymous clients that do not come "
                    "through a mount target: EFS treats the policy as public",
                    statement.path,
                    _VIA_MOUNT_TARGET_FIX,
                )
                return

    def condition(self, statement: Statement, condition: Condition) -> None:
        enforced = facts.enforced_keys()
        keys = [condition.key]
        if self.parsed.policy.variables_enabled and condition.family in ("string", "arn"):
            keys += [
                var.key for value in condition.values for var in parse_template(value).variables
            ]
        known = catalogue.condition_key_known(condition.key)
        if known is False:
            self.add(
                "unknown-condition-key",
                "warning",
                f'"{condition.key}" is not a known condition key ({catalogue.data_version()})',
                condition.path,
                "check the spelling against the IAM service authorization reference",
            )
        # EFS evaluates identity policies for Client* actions with the same request context.
        if self.parsed.kind == "resource" or any(
            _covers(statement, action) for action in facts.CLIENT_ACTIONS
        ):
            for key in dict.fromkeys(k.lower() for k in keys):
                if key not in enforced:
                    self.unenforced(statement, condition, key)
        if condition.family == "ip" and condition.key_lower == facts.SOURCE_IP:
            self.private_ranges(condition)

    def unenforced(self, statement: Statement, condition: Condition, key: str) -> None:
        shown = condition.key if key == condition.key_lower else key
        absent_true = (
            condition.negated or condition.if_exists or condition.set_operator == "ForAllValues"
        )
        if condition.family == "null":
            absent_true = "true" in (value.lower() for value in condition.values)
        effect = (
            "is true for anonymous clients, so it does not restrict them"
            if absent_true
            else "is false for anonymous clients"
        )
        # efs-semantics.md §4.5
        message = (
            f"EFS does not enforce {shown} for NFS clients: the key is "
            f"absent for anonymous clients, so this {condition.operator} condition {effect}; "
            "for IAM clients EFS does not document whether it is evaluated, so access is "
            "indeterminate"
        )
        self.add(
            "unenforced-condition-key",
            "warning",
            message,
            condition.path,
            self._fix(statement, condition, key),
        )

    @staticmethod
    def _fix(statement: Statement, condition: Condition, key: str) -> str:
        principal_keys = ("aws:principalarn", "aws:userid", "aws:username", "aws:principalaccount")
        arns = [
            value
            for value in condition.values
            if value.startswith("arn:") and "*" not in value and "?" not in value
        ]
        if key in principal_keys and arns and not condition.negated and statement.effect == "Allow":
            listed = json.dumps(arns if len(arns) > 1 else arns[0])
            return (
                f'name the role(s) in Principal instead: "Principal": {{"AWS": {listed}}}, '
                f"drop the {condition.operator} condition, and mount with the iam option"
            )
        return (
            'name the role in Principal ("Principal": {"AWS": '
            '"arn:aws:iam::<account>:role/<name>"}) and mount with the iam option, or restrict '
            "with elasticfilesystem:AccessPointArn"
        )

    def private_ranges(self, condition: Condition) -> None:
        for i, value in enumerate(condition.values):
            network = v.parse_network(value)
            if network is None or network.prefixlen == 0 or v.private_overlap(network) is None:
                continue  # a /0 covers public addresses too
            self.add(
                "private-source-ip",
                "warning",
                f"aws:SourceIp range {value} is private: EFS matches aws:SourceIp only against "
                "public address ranges, and in-VPC NFS clients use private addresses, so this "
                f"{condition.operator} condition never matches them as intended",
                (*condition.path, i) if condition.value_is_list else condition.path,
                "restrict clients with the mount target security groups, or with "
                "elasticfilesystem:AccessPointArn",
            )

    def policy_level(self, statements: tuple[Statement, ...]) -> None:
        if not statements:
            return
        if all(s.effect == "Deny" for s in statements):
            self.add(
                "deny-only-policy",
                "warning",
                "the policy has only Deny statements: it replaces the default policy, so no "
                "anonymous client can mount and IAM principals only through same-account "
                "identity policies",  # efs-semantics.md §4.2
                ("Statement",),
                'add an Allow for the clients that should mount, e.g. {"Effect": "Allow", '
                '"Principal": {"AWS": "*"}, "Action": ["elasticfilesystem:ClientMount", '
                '"elasticfilesystem:ClientWrite"], "Condition": {"Bool": '
                '{"elasticfilesystem:AccessedViaMountTarget": "true"}}}',
            )
        elif not any(s.effect == "Allow" and _covers(s, facts.CLIENT_MOUNT) for s in statements):
            self.add(
                "no-client-mount",
                "warning",
                "no Allow statement grants elasticfilesystem:ClientMount: anonymous clients cannot "
                "mount; IAM principals only with ClientMount from a same-account identity policy",
                ("Statement",),
                'add "elasticfilesystem:ClientMount" to the Allow statement for the clients '
                "that mount",
            )
        preset = recognise_preset(self.parsed.policy)
        if preset is not None:
            if preset.options:
                names = "; ".join(
                    f'"{t}" ({e})' for t, e in zip(preset.titles, preset.effects, strict=True)
                )
                message = f"matches the EFS console policy options: {names}"
            else:
                message = (
                    "matches the EFS console policy with no options selected: full access for any "
                    "client through a mount target"
                )
            if "prevent-anonymous-access" in preset.options:
                message += (
                    "; this is also the policy AWS CDK sets by default "
                    "(https://github.com/aws/aws-cdk/issues/30753)"
                )
            else:
                message += '; it keeps {"AWS": "*"}, so anonymous clients can still mount'
            self.add("console-preset", "info", message, ("Statement",))


def lint_policy(parsed: ParsedPolicy) -> list[LintFinding]:
    """Lint a parsed policy (grammar errors are in ``parsed.errors``, not repeated here).

    Findings come in file order (those without a position first)."""
    findings = _Linter(parsed).run()
    return sorted(findings, key=lambda f: (f.line or 0, f.column or 0))
