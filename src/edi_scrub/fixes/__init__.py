"""Change: edits, and the engine that applies, verifies and reverts them."""
