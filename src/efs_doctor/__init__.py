"""efs-doctor: will this Amazon EFS volume mount in my pods, with what access, and if not, why."""

__version__ = "0.1.0"
