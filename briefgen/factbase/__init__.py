"""Reading and checking what the desk wrote: YAML with positions, models, the fact base, quotes."""
