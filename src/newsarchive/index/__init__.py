"""The search-engine boundary. Only this package imports whoosh.

The index is derived data: everything in it comes from the database and can
be rebuilt from it (``archive reindex``). It also stores what a result line
and its snippet need, so that searching never has to open the database.
"""
