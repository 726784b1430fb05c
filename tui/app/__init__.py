"""The Textual app (imported only to open it: the core never imports Textual).

By the time this package is imported the library is loaded: with 100,000 works that
is millions of Python objects, and every cyclic-GC pass while Textual is imported and
starts up would walk all of them (measured: 0.8 s of a 100,000-work start-up).
`gc.freeze()` moves what exists now out of the collector's view; those objects live as
long as the process anyway.
"""

import gc

gc.freeze()
