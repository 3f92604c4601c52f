"""Rules of the modifiers family."""
