"""One module per ``msgc`` sub-command; each exposes a click ``command``."""
