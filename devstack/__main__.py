"""`python -m devstack`: the whole bridge on this machine, with a demo when it runs against the sandbox
(devstack/run.py)."""

from devstack.run import main

if __name__ == "__main__":
    raise SystemExit(main())
