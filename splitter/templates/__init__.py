"""Package data: the jinja2 templates the generator renders."""
