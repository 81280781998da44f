"""The search-engine boundary. Only this package imports whoosh.

The index is derived data: everything in it comes from the database and can
be rebuilt from it (``archive reindex``). It also stores what a result line
and its snippet need, so that searching never has to open the database.
"""

import functools
import sys
import types

# whoosh-reloaded takes one decorator from the cached-property backport, which
# imports asyncio on the way: 13 ms at every start of `archive search`, a
# tenth of its run. functools.cached_property (Python 3.8+) does the same job
# for Whoosh's one use, so it stands in unless the backport is already loaded.
if "cached_property" not in sys.modules:
    _stand_in = types.ModuleType("cached_property", "functools.cached_property standing in for the backport")
    _stand_in.cached_property = functools.cached_property  # type: ignore[attr-defined]
    sys.modules["cached_property"] = _stand_in
