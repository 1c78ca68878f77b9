"""The curator's tools: source capture, quote finder, listing, watch."""
