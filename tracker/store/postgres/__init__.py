"""PostgreSQL as the store, for several machines sharing one history (the ``postgresql`` extra).

``database`` connects and keeps the schema current, ``records`` answers the store
interface of :mod:`tracker.store.base`, ``outbox`` keeps the queue as tables.
"""
