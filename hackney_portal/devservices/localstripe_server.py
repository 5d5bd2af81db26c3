"""Run localstripe with its store somewhere of our choosing.

localstripe pickles its whole store to the fixed path /tmp/localstripe.pickle on every write, so two
instances on one machine (a `make run` and a `make test`) would overwrite each other's state. This wrapper
points each instance at its own file, or keeps a test instance in memory only.
"""

import argparse
import pickle
import sys
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--store", type=Path)
    group.add_argument("--memory", action="store_true")
    args = parser.parse_args()

    from localstripe import resources, server

    store_cls = type(resources.store)
    if args.memory:
        store_cls.dump_to_disk = lambda self: None
        store_cls.try_load_from_disk = lambda self: None
    else:
        path: Path = args.store

        def dump(self):
            tmp = path.with_suffix(".tmp")
            with open(tmp, "wb") as f:
                pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)

        def load(self):
            if path.exists():
                with open(path, "rb") as f:
                    old = pickle.load(f)  # noqa: S301 - our own file, written by dump() above
                dict.clear(self)
                dict.update(self, old)

        store_cls.dump_to_disk = dump
        store_cls.try_load_from_disk = load

    sys.argv = [sys.argv[0], "--port", str(args.port)]
    server.start()


if __name__ == "__main__":
    main()
