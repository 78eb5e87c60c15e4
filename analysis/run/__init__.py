"""A run: options, computing every result once, executing the notebooks, replacing the outputs."""
