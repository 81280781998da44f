"""Words in every language, as every search engine indexes, queries and highlights them.

No search library's index is used here: the Whoosh and PostgreSQL engines
both index ``analysis.stemmed_positions`` and mark snippets with
``highlight``. (``languages`` takes English's Porter stemmer and stop words
from ``whoosh.lang``: plain functions and lists, which keep an English index
exactly as it has always been.)
"""
