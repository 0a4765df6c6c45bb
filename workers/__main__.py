"""``python -m workers`` runs the ``zoufang`` command line."""

from workers.cli import main

main()
