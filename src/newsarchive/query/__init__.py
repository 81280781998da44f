"""Our query language: the text a user types, parsed once into an engine-neutral tree that each engine compiles."""
