"""Tests of briefgen.distribution: readers, messages, the ledger and sending over real SMTP."""
