"""``python -m tinygrad_seminar tour``: walk the whole seminar in one command."""

from __future__ import annotations

import argparse
import sys

from .tour import tour


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tinygrad_seminar")
    parser.add_argument("command", choices=["tour"], help="tour: walk the seminar step by step")
    args = parser.parse_args(argv)
    if args.command == "tour":
        tour()
    return 0


if __name__ == "__main__":
    sys.exit(main())
