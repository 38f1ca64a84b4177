"""The review report and the diagrams: a proposed split as pictures and one HTML file."""
