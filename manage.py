#!/usr/bin/env python
"""Django's command-line utility; starts the embedded servers first when none is configured."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from config import embedded

    if os.environ["DJANGO_SETTINGS_MODULE"] != "config.settings.test":
        embedded.bootstrap_env()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
