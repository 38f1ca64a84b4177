"""The analyzer: reads source files (never imports or runs them) into a call graph and data map."""
