"""The build's commands (``edge build``, ``demo``, ``train``, ``eval``, ``calibrate``), one module
per group, attached to the ``edge`` group by name (edge.cli.ATTACHED) and imported on first use.

Each module imports only click and the runtime at the top; the heavy build libraries (torch,
transformers, peft) are imported inside the command, so a missing one surfaces as edge's
"pip install 'edge[build]'" error rather than at ``edge --help``.
"""
