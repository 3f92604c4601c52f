"""Rules of the envelope family."""
