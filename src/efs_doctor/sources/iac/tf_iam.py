"""Terraform IAM and EKS identity resources -> the IAM shapes the snapshot loader reads
(get-account-authorization-details role details, managed policies, Pod Identity
associations). Attribute names: AWS provider documentation (aws_iam_role,
aws_iam_role_policy, aws_iam_role_policy_attachment, aws_iam_policy,
aws_eks_pod_identity_association, aws_eks_addon, data aws_caller_identity).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from efs_doctor.sources.iac.helm import ADDON, ADDON_NAMESPACE, efs_csi_addon_service_accounts
from efs_doctor.sources.iac.tf_aws import Mapper, as_list, get_or_report
from efs_doctor.sources.iac.tf_context import TfContext, Unlinked
from efs_doctor.sources.iac.tf_plan import TfResource


def _policy_json(ctx: TfContext, res: TfResource, attribute: str) -> Mapping[str, Any] | None:
    text = get_or_report(ctx, res, attribute, what="the policy is unknown")
    if not isinstance(text, str) or not text:
        return None
    try:
        document = json.loads(text)
    except ValueError as error:
        ctx.problem(res, f"{attribute} is not valid JSON: {error}", path=(attribute,))
        return None
    return document if isinstance(document, Mapping) else None


def iam_role(ctx: TfContext, res: TfResource) -> None:
    name = ctx.attribute(res, ("name",))
    arn = ctx.attribute(res, ("arn",))
    if not isinstance(name, str) or not isinstance(arn, str):
        ctx.problem(res, "role name is known only after apply (name_prefix?); role not checked")
        return
    inline = []
    for block in as_list(res.value(("inline_policy",))):
        if isinstance(block, Mapping) and isinstance(block.get("policy"), str):
            try:
                document = json.loads(block["policy"])
            except ValueError:
                continue
            inline.append({"PolicyName": block.get("name") or "inline", "PolicyDocument": document})
    try:
        arns = ctx.get(res, ("managed_policy_arns",))
    except Unlinked:
        reason = f"{res.address}: managed_policy_arns is known only after apply and not linked"
        ctx.builder.mark_incomplete(name, ctx.location(res), reason)
        arns = []
    attached = [
        {"PolicyArn": a, "PolicyName": a.rsplit("/", 1)[-1]}
        for a in as_list(arns)
        if isinstance(a, str)
    ]
    raw = {
        "RoleName": name,
        "Arn": arn,
        "Path": res.value(("path",)) or "/",
        "AssumeRolePolicyDocument": _policy_json(ctx, res, "assume_role_policy"),
        "RolePolicyList": inline,
        "AttachedManagedPolicies": attached,
    }
    fields = {("AssumeRolePolicyDocument",): ("assume_role_policy",)}
    ctx.builder.role(raw, ctx.source_for(res, fields))


def _policy_role(ctx: TfContext, res: TfResource) -> str | None:
    """The role name a policy/attachment resource is for; when it cannot be linked, any role
    of the plan may miss the policy, so none is checked."""
    try:
        role = ctx.get(res, ("role",))
    except Unlinked:
        reason = f"{res.address}: role is known only after apply and not linked"
        ctx.builder.mark_incomplete("*role", ctx.location(res), reason)
        return None
    return role.rsplit("/", 1)[-1] if isinstance(role, str) else None


def iam_role_policy(ctx: TfContext, res: TfResource) -> None:
    role = _policy_role(ctx, res)
    if role is None:
        return
    document = _policy_json(ctx, res, "policy")
    if document is None:
        reason = f"{res.address}: its policy is known only after apply"
        ctx.builder.mark_incomplete(role, ctx.location(res), reason)
        return
    name = res.value(("name",)) or res.name
    ctx.builder.role_policy(role, str(name), document, ctx.source_for(res))


def iam_role_policy_attachment(ctx: TfContext, res: TfResource) -> None:
    role = _policy_role(ctx, res)
    if role is None:
        return
    try:
        arn = ctx.get(res, ("policy_arn",))
    except Unlinked:
        arn = None
    if not isinstance(arn, str):
        reason = f"{res.address}: policy_arn is known only after apply and not linked"
        ctx.builder.mark_incomplete(role, ctx.location(res), reason)
        return
    ctx.builder.role_attachment(role, arn, ctx.source_for(res))


def iam_policy(ctx: TfContext, res: TfResource) -> None:
    arn = ctx.attribute(res, ("arn",))
    if not isinstance(arn, str):
        return
    document = _policy_json(ctx, res, "policy")
    ctx.builder.managed_policy(arn, res.value(("name",)), document, ctx.source_for(res))


def pod_identity_association(ctx: TfContext, res: TfResource) -> None:
    role = get_or_report(ctx, res, "role_arn", what="the association is not checked")
    if not isinstance(role, str):
        return
    raw = {
        "clusterName": get_or_report(ctx, res, "cluster_name"),
        "namespace": res.value(("namespace",)),
        "serviceAccount": res.value(("service_account",)),
        "roleArn": role,
        "associationId": res.value(("association_id",)),
    }
    ctx.builder.pod_identity(raw, ctx.source_for(res, {("roleArn",): ("role_arn",)}))


def eks_addon(ctx: TfContext, res: TfResource) -> None:
    """``aws_eks_addon`` for the EFS CSI driver: its ``service_account_role_arn`` on both of the
    driver's service accounts, each ``pod_identity_association`` block an association
    (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_addon)."""
    if res.value(("addon_name",)) != ADDON:
        return
    source = ctx.source_for(res, {(): ("service_account_role_arn",)})
    associations = res.value(("pod_identity_association",)) or []
    for block in associations if isinstance(associations, list) else ():
        account = block.get("service_account") if isinstance(block, Mapping) else None
        if not isinstance(account, str):
            continue
        role = block.get("role_arn")
        if not isinstance(role, str):
            role = _link_association_role(ctx, res, account)
        if role is None:
            continue
        raw = {
            "clusterName": get_or_report(ctx, res, "cluster_name"),
            "namespace": ADDON_NAMESPACE,
            "serviceAccount": account,
            "roleArn": role,
        }
        ctx.builder.pod_identity(
            raw, ctx.source_for(res, {("roleArn",): ("pod_identity_association",)})
        )
    role = None
    if res.value(("service_account_role_arn",)) is not None or res.is_unknown(
        ("service_account_role_arn",)
    ):
        role = get_or_report(
            ctx, res, "service_account_role_arn", what="the driver's role is not checked"
        )
        if not isinstance(role, str):
            return
    for manifest in efs_csi_addon_service_accounts(role):
        ctx.builder.kubernetes(manifest, source)


def _link_association_role(ctx: TfContext, res: TfResource, account: str) -> str | None:
    """``pod_identity_association`` is a set: the plan orders its blocks by value, the
    configuration by source, so the block's role is linked through the configuration block
    whose ``service_account`` is the same constant."""
    expressions = res.config.get("expressions") if res.config else None
    blocks = (
        expressions.get("pod_identity_association") if isinstance(expressions, Mapping) else None
    )
    for index, block in enumerate(blocks if isinstance(blocks, list) else ()):
        named = block.get("service_account") if isinstance(block, Mapping) else None
        if isinstance(named, Mapping) and named.get("constant_value") == account:
            try:
                linked = ctx.link(res, ("pod_identity_association", index, "role_arn")).value
            except Unlinked:
                break
            return linked if isinstance(linked, str) else None
    ctx.problem(
        res,
        f"the role of the pod identity association for {account} is known only after apply "
        "and not linked; that association is not checked",
        path=("pod_identity_association",),
    )
    return None


def caller_identity(ctx: TfContext, res: TfResource) -> None:
    account = res.value(("account_id",))
    if isinstance(account, str):
        arn = res.value(("arn",))
        ctx.builder.caller(account, arn if isinstance(arn, str) else None, ctx.source_for(res))


MAPPERS: dict[tuple[str, str], Mapper] = {
    ("managed", "aws_iam_role"): iam_role,
    ("managed", "aws_iam_role_policy"): iam_role_policy,
    ("managed", "aws_iam_role_policy_attachment"): iam_role_policy_attachment,
    ("managed", "aws_iam_policy"): iam_policy,
    ("managed", "aws_eks_pod_identity_association"): pod_identity_association,
    ("managed", "aws_eks_addon"): eks_addon,
    ("data", "aws_caller_identity"): caller_identity,
}
