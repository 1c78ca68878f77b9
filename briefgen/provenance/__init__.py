"""Provenance: the graph judgment -> fact -> quote -> source -> edition -> reader (`impact`)."""
