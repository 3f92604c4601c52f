"""Loaders for the data in ``maps/``: drug codes and NDC packages, payer profiles.

Maps are XML validated against an XSD shipped beside them; a bad map is a
:class:`~edi_scrub.errors.ConfigError` naming the file and line, never a traceback.
"""
