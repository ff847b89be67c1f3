"""`python -m bench [--smoke] [--profile]`: measures the bridge on this machine and prints one table (bench/run.py)."""

from bench.run import main

if __name__ == "__main__":
    raise SystemExit(main())
