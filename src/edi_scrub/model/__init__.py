"""Meaning: frozen claims, service lines and drug details built from lexed segments."""
