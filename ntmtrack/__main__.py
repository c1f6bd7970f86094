"""`python -m ntmtrack`."""

from .cli import main

main()
