"""Python reference models of the IMS platform (see models/README.md)."""
