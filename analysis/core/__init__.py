"""Names every layer shares: schema, vocabulary, messages, findings, exit codes, paths, precision."""
