"""`python -m workers`: the rq worker for push alerts, configured from the environment like the app."""

from __future__ import annotations

import argparse
import faulthandler
import logging
import signal

from app import create_app
from workers import FLUSH_SECONDS, run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m workers", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="Work until the queues are empty, then exit.")
    parser.add_argument("--fork", action="store_true", help="Run each job in a forked child process.")
    parser.add_argument("--flush-interval", type=float, default=FLUSH_SECONDS, metavar="SECONDS",
                        help="How often alerts saved while the queue was down are handed over (default 30).")
    parser.add_argument("--queue", action="append", dest="queues", metavar="NAME",
                        help="Queue to work on (repeatable; default: the app's RQ_QUEUES).")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 <pid>` prints every thread's stack: a stuck worker says where
    run(create_app(), burst=args.burst, fork=args.fork, flush_interval=args.flush_interval,
        queue_names=args.queues)


if __name__ == "__main__":
    main()
