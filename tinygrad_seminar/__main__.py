"""``python -m tinygrad_seminar tour``: walk the whole seminar in one command."""

from __future__ import annotations

import argparse
import sys

from .tour import DEFAULT_OUT, tour


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tinygrad_seminar")
    parser.add_argument("command", choices=["tour"], help="tour: walk the seminar step by step, drawing its pictures")
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                        help=f"the folder for the pictures and their index.html (default ./{DEFAULT_OUT})")
    parser.add_argument("--quick", action="store_true", help="a short tour: fewer epochs, coarser pictures")
    parser.add_argument("--no-pictures", action="store_true", help="print only; write no picture")
    args = parser.parse_args(argv)
    if args.command == "tour":
        tour(None if args.no_pictures else args.out, quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
