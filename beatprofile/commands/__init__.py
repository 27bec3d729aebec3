"""The CLI's commands, one module per group; ``beatprofile/cli.py`` registers them.
Shared options, consoles and report printing live in ``beatprofile/shared.py``."""
