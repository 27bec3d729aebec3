"""Workload: CAD workload and response profiles, and the seeded CAD
simulation that stands in for a department without CAD exports.
"""
