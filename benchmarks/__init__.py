"""Benchmarks of beatprofile at scale (issue 4): generator, area layer, runner."""
