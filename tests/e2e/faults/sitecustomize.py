"""Take the shell port of the first kernel of a run before the kernel binds it.

Imported by every Python process of a run when this folder is on ``PYTHONPATH``
(see :func:`tests.faults.port_taken`); it acts only in a kernel
(``ipykernel_launcher -f CONNECTION_FILE``) and only in the first one to create
the marker file named by ``ANALYSIS_FAULT_PORT_TAKEN``. That kernel reads the
port our run chose for it, a listening TCP socket takes it, and ipykernel's own
bind then fails with ZMQ's 「Address already in use」 — exactly what happens when
another program takes the port between the run choosing it and the kernel binding
it. The socket is held until the kernel process ends.
"""

from __future__ import annotations

import json
import os
import socket
import sys

_HELD: list[socket.socket] = []


def _connection_file(argv: list[str]) -> str | None:
    if "ipykernel_launcher" not in argv or "-f" not in argv:
        return None
    index = argv.index("-f") + 1
    return argv[index] if index < len(argv) else None


def _first(marker: str) -> bool:
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _take_shell_port(connection_file: str) -> None:
    with open(connection_file, encoding="utf-8") as handle:
        info = json.load(handle)
    taker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    taker.bind((info["ip"], int(info["shell_port"])))
    taker.listen()
    _HELD.append(taker)


_marker = os.environ.get("ANALYSIS_FAULT_PORT_TAKEN")
_connection = _connection_file(list(sys.orig_argv))
if _marker and _connection and _first(_marker):
    _take_shell_port(_connection)
