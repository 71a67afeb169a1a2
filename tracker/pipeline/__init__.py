"""One check of one source, stage by stage: fetch, read, decide, record, and tell listeners.

``check`` drives the stages for ``tracker check`` and the daemon alike;
``record`` applies what ``decide`` says under the source's lock; ``bookkeeping``
keeps the state between checks; ``events`` is what listeners hear.  ``accept``,
``upgrade`` and ``dry_run`` are the same stages for a refused page, changed
settings and a trial that records nothing.  Nothing here knows a channel or a
report: listeners are handed in.
"""
