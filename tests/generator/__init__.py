"""Tests of the generator: the deployment model and the SAM template."""
