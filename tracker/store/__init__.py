"""The state folder: recorded versions, each source's state, written so a kill tears nothing.

``layout`` says where everything lives, ``files`` writes atomically, ``versions``
reads a source's history, ``source`` records versions and state under a lock.
"""
