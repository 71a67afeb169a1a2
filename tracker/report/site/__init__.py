"""The static report: an index, a page per source and per change, and Atom feeds.

``data`` reads the state folder, ``markup`` and ``pages`` write HTML,
``feed`` writes Atom, and ``build`` writes a whole site and switches it in
one rename.  ``tracker report --out DIR`` builds it on demand;
``[tracker] report_dir`` refreshes it after every check.
"""
