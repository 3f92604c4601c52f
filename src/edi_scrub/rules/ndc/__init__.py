"""Rules of the ndc family."""
