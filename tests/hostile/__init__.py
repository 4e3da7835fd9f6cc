"""The hostile gallery (see README.md): answer cells (``*.py``), the part they share (``_common.py``), and the
submissions that are not an answer cell but a file or a folder (``_shapes.py``)."""
