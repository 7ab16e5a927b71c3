"""The command line: `list` for scripts, `xref` for the docs101 cross-reference and `key`
for the stored key; no Qt and no UI here.

Modules:

* `common`: exit codes, `CliError`, terminal-safe text, the --workspace parser, the
  connection a command works on (--connection NAME), the key it uses and the client it
  talks through.
* `listing`: `list workspaces|users|clients` in every format.
* `xref`: `xref`, each Clockify client matched to its docs101 customer.
* `keys`: `key set|status|clear`, each for a named connection (--name NAME).

The program's entry (`desktop.__main__`) builds the parser, adds these commands to it with
`add_commands`, and runs the handler a command sets (``args.handler``).
"""

from typing import Any

from desktop.cli.common import CliError
from desktop.cli.keys import add_key_command
from desktop.cli.listing import add_list_command
from desktop.cli.xref import add_xref_command


def add_commands(commands: Any) -> None:
    """Add `list`, `xref` and `key` to the program's subparsers (argparse's add_subparsers())."""
    add_list_command(commands)
    add_xref_command(commands)
    add_key_command(commands)


__all__ = ["CliError", "add_commands"]
