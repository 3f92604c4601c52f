"""``python -m edi_scrub`` runs the CLI."""

from edi_scrub.cli import main

main()
