"""Reading and validating every input file into typed objects (findings name file, row, column)."""
