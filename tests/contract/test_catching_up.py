"""What every search engine does with the database's change log: catching up, however many indexes follow it.

(The place for "a removal reaches a second index through the log" and the
other convergence tests: two engines over one database, each applying the
log from its own ``position()``. They use the ``engine_name`` fixture, as
test_writing.py does, so that every engine runs them.)
"""
