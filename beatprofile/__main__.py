"""``python -m beatprofile`` runs the command line."""

from beatprofile.cli import main

main()
