import sys

if __name__ == "__main__":  # only then: a worker process (spawn) imports this module too
    from .cli import main

    sys.exit(main())
