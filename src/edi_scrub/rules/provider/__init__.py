"""Rules of the provider family: NPIs and taxonomy codes in the claim's provider loops."""
