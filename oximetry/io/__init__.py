"""Reading recordings: one module per format, behind :func:`read_recording`."""
