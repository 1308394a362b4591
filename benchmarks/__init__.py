"""Benchmarks for efs-doctor (not part of the test suite): ``python -m benchmarks``.

``corpus`` generates a deterministic repository of Kubernetes manifests plus saved AWS state;
``bench_scan`` times ``efs-doctor scan`` against the YAML parsing floor and Checkov. The
standalone ``bench_*.py`` scripts beside them time one engine each.
"""
