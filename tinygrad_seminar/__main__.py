"""``python -m tinygrad_seminar tour | exercises``: walk the whole seminar, or work its exercises."""

from __future__ import annotations

import argparse
import sys

from .exercises import cli as exercises_cli
from .tour import DEFAULT_OUT, tour


def run_tour(args) -> int:
    tour(None if args.no_pictures else args.out, quick=args.quick)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tinygrad_seminar")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{tour,exercises}")
    tour_parser = commands.add_parser("tour", help="walk the seminar step by step, drawing its pictures")
    tour_parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                             help=f"the folder for the pictures and their index.html (default ./{DEFAULT_OUT})")
    tour_parser.add_argument("--quick", action="store_true", help="a short tour: fewer epochs, coarser pictures")
    tour_parser.add_argument("--no-pictures", action="store_true", help="print only; write no picture")
    tour_parser.set_defaults(run=run_tour)
    exercises_cli.add_parser(commands)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
