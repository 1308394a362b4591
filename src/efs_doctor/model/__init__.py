"""Frozen, typed objects for everything efs-doctor reads (Kubernetes, AWS, inventory, chains)."""
