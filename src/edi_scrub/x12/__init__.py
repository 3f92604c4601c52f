"""Bytes and structure: delimiters, the lossless lexer, the writer and the pyx12 adapter."""
