"""Performance benchmark of dossier: synthetic projects at several scales, timed in fresh
processes (``python -m benchmarks --scale N --json OUT.json``)."""
