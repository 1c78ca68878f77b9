"""Provenance: the graph judgment -> fact -> quote -> source -> edition -> reader, walked by `impact`."""
