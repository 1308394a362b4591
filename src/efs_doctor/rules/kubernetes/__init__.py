"""Rules about the Kubernetes objects before anything mounts: binding, API validation."""
