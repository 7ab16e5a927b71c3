"""The entry: `python -m desktop` and the `clockify-panel` script.

It reads the arguments and hands over to a command of the command line (`desktop.cli`),
to the panel (`desktop.ui`) or to the self-test; neither the command line nor the panel
imports the other. Every failure they report (`desktop.errors.AppError`) ends here as one
line on stderr and its exit code.

Start-up speed: a launch that only summons the running panel (`--show`, `--hide`,
`--toggle`, or a second plain launch) imports nothing but `desktop.instance` and the
standard library's `_socket` before it hands over and exits: the argument parser and the
command line's modules are imported after that, inside the functions that use them. For
the panel itself, before its early read of the stored key only the parser and what it
needs are imported (the command line's modules, `desktop.options`, the connection types);
the UI modules come after that read has started.
"""

from __future__ import annotations

import sys

from desktop import instance

TYPE_CHECKING = False  # typing's constant, without importing typing (start-up time)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The program's arguments: the panel's options and the commands (`list`, `key`)."""
    import argparse
    from typing import NoReturn

    from desktop import __version__
    from desktop.cli import add_commands
    from desktop.cli.common import EXIT_USAGE, PROG, terminal_text
    from desktop.options import add_connection_options

    class Parser(argparse.ArgumentParser):
        """argparse, but a usage error is one line on stderr (and exit code 2), like every
        other error of this program; --help still shows the usage."""

        def error(self, message: str) -> NoReturn:
            self.exit(EXIT_USAGE, f"{self.prog}: {terminal_text(message)} (see --help)\n")

    parser = Parser(
        prog=PROG,
        description="A reference panel of Clockify workspaces, users and clients.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the panel on built-in demo data (no account, no network)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation on demo data (offscreen), print ok/FAIL lines, and exit",
    )
    summons = parser.add_argument_group(
        "the running panel",
        "One panel runs per user (and one demo panel): a second launch brings it to the "
        "front, with the filter focused, and exits.",
    ).add_mutually_exclusive_group()
    summons.add_argument(
        "--show",
        dest="summon",
        action="store_const",
        const="show",
        help="bring the running panel to the front (start one if none runs)",
    )
    summons.add_argument(
        "--hide",
        dest="summon",
        action="store_const",
        const="hide",
        help="hide the running panel (if none runs, do nothing)",
    )
    summons.add_argument(
        "--toggle",
        dest="summon",
        action="store_const",
        const="toggle",
        help="hide the running panel if it is in front, else show it (start one if none "
        "runs): the command to bind to a keyboard shortcut",
    )
    add_connection_options(parser)
    add_commands(parser.add_subparsers(dest="command", metavar="COMMAND"))
    return parser


#: The panel's own flags that take no value: a launch with these alone (or none) is the
#: panel's, and `panel_arguments` reads it without building the whole parser.
PANEL_FLAGS = {
    "--demo": ("demo", True),
    **{f"--{c}": ("summon", c) for c in ("show", "hide", "toggle")},
}


def panel_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """What `build_parser().parse_args(argv)` returns when `argv` is only panel flags (at
    most one summons: `--demo`, `--show`, `--hide`, `--toggle`, or nothing); else None.

    The launches of the panel (a desktop entry, the shortcut's `--toggle`) skip building the
    parser, whose commands, options and help texts (and argparse's help formatter, with
    shutil and locale) cost 10-20 ms of the panel's start; anything else, `--help` and
    every mistake included, goes to the parser. A test compares the two.
    """
    values: dict[str, object] = {"demo": False, "summon": None}
    for token in argv:
        found = PANEL_FLAGS.get(token)
        if found is None or (found[0] == "summon" and values["summon"] is not None):
            return None
        values[found[0]] = found[1]
    import argparse

    from desktop.options import DEFAULT_TIMEOUT

    return argparse.Namespace(
        demo=values["demo"],
        self_test=False,
        summon=values["summon"],
        region=None,
        base_url=None,
        timeout=DEFAULT_TIMEOUT,
        command=None,
    )


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """`argv` (without the program's name) parsed; a usage error exits (code 2)."""
    quick = panel_arguments(argv)
    if quick is not None:
        return quick
    parser = build_parser()
    args = parser.parse_args(list(argv))
    if args.summon is not None and (args.self_test or hasattr(args, "handler")):
        parser.error(f"--{args.summon} is for the panel, not for a command or --self-test")
    return args


def _run_panel(args: argparse.Namespace) -> int:
    # The running panel of this mode takes the launch, or this process becomes the panel.
    claim = instance.start_or_summon(args.summon or "show", instance.mode_of(args.demo))
    if claim is None:
        return 0
    # No collector passes while the modules and the window are made (15-20 ms of the
    # start): what they make lives as long as the panel. `run_panel` freezes it once the
    # window is built and turns the collector back on (desktop.ui.app.tune_process).
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        # Imported here, in this order: the stored key is read while the UI modules load.
        from desktop.ui.stored import early_start

        early = early_start(args)
        import desktop.ui.pyside_start  # noqa: F401  (PySide6, a start-up cost taken out)
        from desktop.ui.app import run_panel

        return run_panel(args, early, claim)
    finally:
        if collecting:
            gc.enable()
        claim.release()


def _run_self_test(_args: argparse.Namespace) -> int:
    from desktop.selftest import run_self_test

    return run_self_test()


def _handler(args: argparse.Namespace) -> Callable[[argparse.Namespace], int]:
    """What the arguments ask for: the self-test, a command, or else the panel."""
    if args.self_test:
        return _run_self_test
    handler: Callable[[argparse.Namespace], int] = getattr(args, "handler", _run_panel)
    return handler


def dispatch(args: argparse.Namespace) -> int:
    """Run what the parsed `args` ask for; its exit code.

    The command line's modules (`desktop.cli.common`: its program name, its terminal-safe
    text) are imported when a failure is reported: the panel's start does not need them.
    """
    from desktop.errors import AppError

    handler = _handler(args)
    try:
        return handler(args)
    except AppError as exc:
        from desktop.cli.common import PROG, terminal_text

        print(f"{PROG}: {terminal_text(exc.message)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        from desktop.cli.common import PROG

        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `clockify-panel list users | head`: the reader left; that is not an error.
        from desktop.cli.common import EXIT_OK

        sys.stderr.close()
        return EXIT_OK


def run(argv: Sequence[str]) -> int:
    """Parse `argv` (without the program's name) and run it in this process; the exit code.

    The process is left as it was: this is what tests and benchmarks call, once or many
    times. `main` is the program itself.
    """
    return dispatch(parse_arguments(argv))


def is_command(args: argparse.Namespace) -> bool:
    """Whether `args` ask for a command of the command line (not the panel or self-test)."""
    return not args.self_test and hasattr(args, "handler")


def tune_command_process() -> None:
    """Set the garbage collector for a command-line process; called once, by `main`.

    A command's process ends when the command does, and what it builds (a list is trees of
    JSON, with no cycles) lives until then: the cyclic collector would only cost time
    (about 12 ms for 10,000 users), so it is switched off. What is left at exit is frozen
    first, so that the interpreter's last full collection skips it (35 ms with requests
    loaded). Registered once however often this is called.
    """
    import atexit
    import gc

    gc.disable()
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def main(argv: Sequence[str] | None = None) -> int:
    """The program: parse the arguments (default: sys.argv), set up the process for what
    they ask, run it, and return the exit code.

    A launch of the panel alone (`instance.summon_request`) first tries the running panel,
    before anything else is imported: if it answered, that was all.
    """
    arguments = sys.argv[1:] if argv is None else list(argv)
    summons = instance.summon_request(arguments)
    if summons is not None and instance.send(*summons):
        return 0
    args = parse_arguments(arguments)
    if is_command(args):
        tune_command_process()  # the panel tunes its own process (desktop.ui.app)
    return dispatch(args)


if __name__ == "__main__":
    sys.exit(main())
