"""The generator: turns a reviewed plan into Lambda services, state machines and a SAM template."""
