"""Rules of the claim family."""
