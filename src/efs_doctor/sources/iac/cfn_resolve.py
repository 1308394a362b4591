"""Evaluating CloudFormation intrinsic functions as far as a template alone allows.

``Ref`` and ``Fn::GetAtt`` of a resource in the template give its stand-in id (or ARN, role
name...) so references link resources by logical id; parameters give their ``Default``;
``Fn::Join``, ``Fn::Sub``, ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap`` and ``Fn::Base64``
are computed when their arguments are known. What is known only at deploy time
(``AWS::AccountId``, ``AWS::Region``, an imported value, a condition) is :data:`UNKNOWN`.
Return values: each resource type's "Return values" section in the CloudFormation User Guide
(e.g. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-efs-filesystem.html).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from efs_doctor.sources.iac.common import (
    access_point_arn,
    file_system_arn,
    placeholder_id,
    role_arn,
)


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
NO_VALUE: Any = object()  # AWS::NoValue: the property is removed

ID_PREFIXES = {
    "AWS::EFS::FileSystem": "fs",
    "AWS::EFS::AccessPoint": "fsap",
    "AWS::EFS::MountTarget": "fsmt",
    "AWS::EC2::SecurityGroup": "sg",
    "AWS::EC2::Subnet": "subnet",
    "AWS::EC2::VPC": "vpc",
}
PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": NO_VALUE}
_SUB = re.compile(r"\$\{([^}]*)\}")


class BadIntrinsic(ValueError):
    """An intrinsic function with malformed arguments (one line saying which)."""


@dataclass(slots=True)
class Resolver:
    """Evaluates expressions of one template (``key`` makes its stand-in ids unique)."""

    key: str
    resources: Mapping[str, Any]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    mappings: Mapping[str, Any] = field(default_factory=dict)
    account: str | None = None  # from a CDK stack's environment, when it names one
    region: str | None = None

    def type_of(self, logical_id: str) -> str | None:
        resource = self.resources.get(logical_id)
        kind = resource.get("Type") if isinstance(resource, Mapping) else None
        return kind if isinstance(kind, str) else None

    def properties(self, logical_id: str) -> Mapping[str, Any]:
        resource = self.resources.get(logical_id)
        props = resource.get("Properties") if isinstance(resource, Mapping) else None
        return props if isinstance(props, Mapping) else {}

    def resource_id(self, logical_id: str) -> str:
        prefix = ID_PREFIXES.get(self.type_of(logical_id) or "", "res")
        return placeholder_id(prefix, f"{self.key}#{logical_id}")

    def role_name(self, logical_id: str) -> str:
        """``RoleName``, else the logical id standing for the name CloudFormation generates."""
        name = self.resolve(self.properties(logical_id).get("RoleName"))
        return name if isinstance(name, str) else logical_id

    # ---- Ref and GetAtt ------------------------------------------------------------
    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise BadIntrinsic("Ref takes a logical id or parameter name")
        if name in PSEUDO:
            return PSEUDO[name]
        if name == "AWS::AccountId" and self.account:
            return self.account
        if name == "AWS::Region" and self.region:
            return self.region
        if name.startswith("AWS::"):
            return UNKNOWN  # AccountId, Region, StackName, StackId, NotificationARNs
        if name in self.parameters:
            parameter = self.parameters[name]
            default = parameter.get("Default") if isinstance(parameter, Mapping) else None
            return default if default is not None else UNKNOWN
        kind = self.type_of(name)
        if kind is None:
            raise BadIntrinsic(f"Ref to {name}, which is not a resource or parameter")
        if kind in ID_PREFIXES:
            return self.resource_id(name)
        if kind == "AWS::IAM::Role":
            return self.role_name(name)
        if kind == "AWS::IAM::ManagedPolicy":
            return self.managed_policy_arn(name)
        return UNKNOWN

    def get_att(self, arguments: Any) -> Any:
        if isinstance(arguments, str):
            arguments = arguments.split(".", 1)
        if not (isinstance(arguments, list) and len(arguments) == 2):
            raise BadIntrinsic("Fn::GetAtt takes [LogicalId, Attribute]")
        logical_id = arguments[0]
        attribute = self.resolve(arguments[1])
        if not isinstance(logical_id, str) or not isinstance(attribute, str):
            raise BadIntrinsic("Fn::GetAtt takes [LogicalId, Attribute]")
        kind = self.type_of(logical_id)
        if kind is None:
            raise BadIntrinsic(f"Fn::GetAtt of {logical_id}, which is not a resource")
        if kind == "AWS::EFS::FileSystem":
            fs_id = self.resource_id(logical_id)
            arn = file_system_arn(fs_id, self.region, self.account)
            return {"FileSystemId": fs_id, "Arn": arn}.get(attribute, UNKNOWN)
        if kind == "AWS::EFS::AccessPoint":
            ap_id = self.resource_id(logical_id)
            arn = access_point_arn(ap_id, self.region, self.account)
            return {"AccessPointId": ap_id, "Arn": arn}.get(attribute, UNKNOWN)
        if kind == "AWS::EC2::SecurityGroup" and attribute == "GroupId":
            return self.resource_id(logical_id)
        if kind == "AWS::EC2::Subnet" and attribute == "SubnetId":
            return self.resource_id(logical_id)
        if kind == "AWS::EC2::Subnet" and attribute == "AvailabilityZone":
            zone = self.resolve(self.properties(logical_id).get("AvailabilityZone"))
            return zone if isinstance(zone, str) else UNKNOWN
        if kind == "AWS::EC2::VPC" and attribute == "VpcId":
            return self.resource_id(logical_id)
        if kind == "AWS::EC2::VPC" and attribute == "CidrBlock":
            cidr = self.resolve(self.properties(logical_id).get("CidrBlock"))
            return cidr if isinstance(cidr, str) else UNKNOWN
        if kind == "AWS::IAM::Role" and attribute == "Arn":
            return self.role_arn(logical_id)
        return UNKNOWN

    def role_arn(self, logical_id: str) -> str:
        path = self.resolve(self.properties(logical_id).get("Path"))
        name = self.role_name(logical_id)
        return role_arn(name, path if isinstance(path, str) else None, self.account)

    def managed_policy_arn(self, logical_id: str) -> str:
        props = self.properties(logical_id)
        name = self.resolve(props.get("ManagedPolicyName"))
        path = self.resolve(props.get("Path"))
        name = name if isinstance(name, str) else logical_id
        path = path if isinstance(path, str) else "/"
        return f"arn:aws:iam::{self.account or ''}:policy{path}{name}"

    # ---- everything ----------------------------------------------------------------
    def resolve(self, value: Any, depth: int = 0) -> Any:
        """The value with every intrinsic evaluated (UNKNOWN where it cannot be)."""
        if depth > 64:
            raise BadIntrinsic("expression nested too deeply")
        if isinstance(value, list):
            items = [self.resolve(v, depth + 1) for v in value]
            return [i for i in items if i is not NO_VALUE]
        if not isinstance(value, Mapping):
            return value
        if len(value) == 1:
            ((name, argument),) = value.items()
            if name == "Ref":
                return self.ref(argument)
            if isinstance(name, str) and name.startswith("Fn::"):
                return self._function(name[4:], argument, depth)
            if name == "Condition":
                return UNKNOWN
        out = {}
        for key, item in value.items():
            resolved = self.resolve(item, depth + 1)
            if resolved is not NO_VALUE:
                out[key] = resolved
        return out

    def _function(self, name: str, argument: Any, depth: int) -> Any:
        if name == "GetAtt":
            return self.get_att(argument)
        if name == "Join":
            return self._join(argument, depth)
        if name == "Sub":
            return self._sub(argument, depth)
        if name == "Select":
            return self._select(argument, depth)
        if name == "Split":
            if not (isinstance(argument, list) and len(argument) == 2):
                raise BadIntrinsic("Fn::Split takes [delimiter, string]")
            delimiter, text = argument[0], self.resolve(argument[1], depth + 1)
            if not isinstance(delimiter, str):
                raise BadIntrinsic("Fn::Split delimiter must be a string")
            return text.split(delimiter) if isinstance(text, str) else UNKNOWN
        if name == "FindInMap":
            return self._find_in_map(argument, depth)
        if name == "Base64":
            text = self.resolve(argument, depth + 1)
            if isinstance(text, str):
                return base64.b64encode(text.encode("utf-8")).decode("ascii")
            return UNKNOWN
        if name in (
            "If",
            "ImportValue",
            "GetAZs",
            "Cidr",
            "Transform",
            "Equals",
            "Not",
            "And",
            "Or",
            "ToJsonString",
            "Length",
        ):
            return UNKNOWN
        raise BadIntrinsic(f"unknown intrinsic function Fn::{name}")

    def _join(self, argument: Any, depth: int) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise BadIntrinsic("Fn::Join takes [delimiter, [values]]")
        delimiter = argument[0]
        parts = self.resolve(argument[1], depth + 1)
        if not isinstance(delimiter, str):
            raise BadIntrinsic("Fn::Join delimiter must be a string")
        if parts is UNKNOWN:
            return UNKNOWN
        if not isinstance(parts, list):
            raise BadIntrinsic("Fn::Join takes a list of values")
        if any(p is UNKNOWN for p in parts):
            return UNKNOWN
        if not all(isinstance(p, str | int | float) and not isinstance(p, bool) for p in parts):
            raise BadIntrinsic("Fn::Join values must be strings")
        return delimiter.join(str(p) for p in parts)

    def _sub(self, argument: Any, depth: int) -> Any:
        variables: Mapping[str, Any] = {}
        if isinstance(argument, list):
            if len(argument) != 2 or not isinstance(argument[1], Mapping):
                raise BadIntrinsic("Fn::Sub takes a string or [string, {variables}]")
            argument, variables = argument[0], argument[1]
        if not isinstance(argument, str):
            raise BadIntrinsic("Fn::Sub takes a string")
        unknown = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal unknown
            name = match.group(1).strip()
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                value = self.resolve(variables[name], depth + 1)
            elif "." in name and not name.startswith("AWS::"):
                value = self.get_att(name.split(".", 1))
            else:
                value = self.ref(name)
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                unknown = True
                return ""
            return str(value)

        text = _SUB.sub(substitute, argument)
        return UNKNOWN if unknown else text

    def _select(self, argument: Any, depth: int) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise BadIntrinsic("Fn::Select takes [index, list]")
        index = self.resolve(argument[0], depth + 1)
        items = self.resolve(argument[1], depth + 1)
        if index is UNKNOWN or items is UNKNOWN:
            return UNKNOWN
        try:
            position = int(index)
        except (TypeError, ValueError) as error:
            raise BadIntrinsic("Fn::Select index must be a number") from error
        if not isinstance(items, list) or not 0 <= position < len(items):
            raise BadIntrinsic("Fn::Select index out of range")
        return items[position]

    def _find_in_map(self, argument: Any, depth: int) -> Any:
        if not (isinstance(argument, list) and len(argument) == 3):
            raise BadIntrinsic("Fn::FindInMap takes [map, key, key]")
        keys = [self.resolve(a, depth + 1) for a in argument]
        if any(k is UNKNOWN for k in keys):
            return UNKNOWN
        node: Any = self.mappings
        for key in keys:
            if not isinstance(node, Mapping) or key not in node:
                raise BadIntrinsic(f"Fn::FindInMap: no {key} in the template's Mappings")
            node = node[key]
        return node


def contains_unknown(value: Any) -> list[str]:
    """Dotted paths of UNKNOWN values inside ``value``."""
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        current, path = stack.pop()
        if current is UNKNOWN:
            found.append(path or "(value)")
        elif isinstance(current, Mapping):
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in current.items())
        elif isinstance(current, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(current))
    return sorted(found)
