"""The rendered stacks as IAM sees them: principals with their identity policies, resources with theirs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.integration.iam.render import ACCOUNT, PARTITION
from tests.integration.iam.simulator import Request

Resource = dict[str, Any]


@dataclass(frozen=True)
class Principal:
    """Who calls: an ARN (role session, role, account), a service principal, or `anonymous`."""

    arn: str
    policies: tuple[Mapping[str, Any], ...] = ()
    context: Mapping[str, str] = field(default_factory=dict)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _account_of(arn: str) -> str:
    # S3 ARNs carry no account, and "*" (actions without a resource type) none either: both are ours
    # (the CDK assets bucket belongs to this account too).
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else ACCOUNT


class Deployment:
    """Lookups over the rendered templates of all stack units."""

    def __init__(self, rendered: Mapping[str, dict[str, Any]]) -> None:
        self.rendered = rendered

    def resources(self, resource_type: str) -> Iterator[tuple[str, str, Resource]]:
        """(unit, logical id, resource) of every resource of a type."""
        for unit, template in self.rendered.items():
            for logical_id, resource in template["Resources"].items():
                if resource["Type"] == resource_type:
                    yield unit, logical_id, resource

    def one(self, unit: str, resource_type: str, id_prefix: str) -> Resource:
        """The single resource of a type in a unit whose logical id starts with the construct path."""
        found = [
            resource
            for found_unit, logical_id, resource in self.resources(resource_type)
            if found_unit == unit and logical_id.startswith(id_prefix)
        ]
        assert len(found) == 1, f"expected one {resource_type} {id_prefix}* in {unit}, found {len(found)}"
        return found[0]

    @staticmethod
    def ref(resource: Resource) -> str:
        return str(resource["Metadata"]["Cloud-Radar"]["ref"])

    @staticmethod
    def attribute(resource: Resource, name: str = "Arn") -> str:
        return str(resource["Metadata"]["Cloud-Radar"]["attribute-values"][name])

    @staticmethod
    def identifiers(resource: Resource) -> set[str]:
        """Everything that may name the resource elsewhere: its Ref and every attribute value."""
        values = resource["Metadata"]["Cloud-Radar"]
        return {str(values["ref"]), *map(str, values["attribute-values"].values())}

    def role_session(self, unit: str, id_prefix: str, session: str) -> Principal:
        """A session of a role in the templates, holding every identity policy attached to the role."""
        role = self.one(unit, "AWS::IAM::Role", id_prefix)
        name, arn = self.ref(role), self.attribute(role)
        return Principal(
            arn=f"arn:{PARTITION}:sts::{ACCOUNT}:assumed-role/{name}/{session}",
            policies=tuple(self._role_policies(role)),
            context={"aws:PrincipalArn": arn, "aws:PrincipalAccount": ACCOUNT},
        )

    def managed_policy(self, unit: str, id_prefix: str) -> Mapping[str, Any]:
        return dict(self.one(unit, "AWS::IAM::ManagedPolicy", id_prefix)["Properties"]["PolicyDocument"])

    def _role_policies(self, role: Resource) -> Iterator[Mapping[str, Any]]:
        name, props = self.ref(role), role["Properties"]
        yield from (inline["PolicyDocument"] for inline in props.get("Policies", []))
        managed = {self.ref(policy): policy for _, _, policy in self.resources("AWS::IAM::ManagedPolicy")}
        for policy_arn in props.get("ManagedPolicyArns", []):
            assert policy_arn in managed, (
                f"{policy_arn} is not in the templates; the simulation cannot see it"
            )
            yield managed[policy_arn]["Properties"]["PolicyDocument"]
        for resource_type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for _, _, policy in self.resources(resource_type):
                if name in policy["Properties"].get("Roles", []):
                    yield policy["Properties"]["PolicyDocument"]

    def resource_policy(self, arn: str) -> Mapping[str, Any] | None:
        """The resource-based policy in force on an ARN (bucket, key, topic, queue, repository), if any."""
        if not arn.startswith("arn:"):
            return None  # "*": actions without a resource type have no resource policy either
        service = arn.split(":")[2]
        if service == "s3":
            bucket = arn.split(":::")[1].split("/", maxsplit=1)[0]
            return self._attached("AWS::S3::BucketPolicy", "Bucket", bucket)
        if service == "sns":
            return self._attached("AWS::SNS::TopicPolicy", "Topics", arn)
        if service == "sqs":
            _, _, queue = self._with_arn("AWS::SQS::Queue", arn) or (None, None, None)
            return self._attached("AWS::SQS::QueuePolicy", "Queues", self.ref(queue)) if queue else None
        owned = {
            "kms": ("AWS::KMS::Key", "KeyPolicy"),
            "ecr": ("AWS::ECR::Repository", "RepositoryPolicyText"),
        }
        if service in owned:
            resource_type, policy_property = owned[service]
            found = self._with_arn(resource_type, arn)
            return found[2]["Properties"].get(policy_property) if found else None
        return None

    def _with_arn(self, resource_type: str, arn: str) -> tuple[str, str, Resource] | None:
        return next((r for r in self.resources(resource_type) if self.attribute(r[2]) == arn), None)

    def _attached(self, policy_type: str, target_property: str, target: str) -> Mapping[str, Any] | None:
        documents = [
            policy["Properties"]["PolicyDocument"]
            for _, _, policy in self.resources(policy_type)
            if target in _listed(policy["Properties"][target_property])
        ]
        assert len(documents) <= 1, f"{len(documents)} {policy_type} on {target}: merge them to simulate"
        return documents[0] if documents else None

    def request(
        self,
        who: Principal,
        action: str,
        resource: str,
        *,
        context: Mapping[str, str | list[str]] | None = None,
        secure_transport: bool = True,
    ) -> Request:
        """A call as it reaches AWS: the caller's policies plus the resource's own policy."""
        return Request(
            principal=who.arn,
            action=action,
            resource=resource,
            resource_account=_account_of(resource),
            context={
                "aws:SecureTransport": str(secure_transport).lower(),
                **who.context,
                **(context or {}),
            },
            identity_policies=who.policies,
            resource_policy=self.resource_policy(resource),
        )
