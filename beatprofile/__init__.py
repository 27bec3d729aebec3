"""beatprofile: beat and neighborhood profiles for community policing."""

__version__ = "0.1.0"
