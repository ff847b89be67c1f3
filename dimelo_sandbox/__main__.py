"""`python -m dimelo_sandbox`: starts the sandbox, prints `SANDBOX_READY http://HOST:PORT`, stops on SIGTERM/SIGINT
(dimelo_sandbox/run.py)."""

from dimelo_sandbox.run import main

if __name__ == "__main__":
    main()
