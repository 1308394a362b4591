"""Infrastructure-as-code inputs: Terraform plan/state JSON and CloudFormation/CDK templates.

The readers in ``sources/terraform.py`` and ``sources/cloudformation.py`` translate IaC
resources into the same AWS-CLI-shaped and Kubernetes documents the offline loaders read, so
every engine, rule and report works on them unchanged. This package holds their helpers.
"""
