"""From fact base and templates to the brief model: specs, sandboxed templating, the composer."""
