"""Two texts of an agreement compared: clauses, changes, figures, severities; pure functions.

``segment`` cuts a text into clauses by its own numbering; ``align`` and
``pairing`` say which old clause is which new one; ``changes`` makes the change
model (with ``facts`` and ``references``); ``severity`` weighs the changes and
fires the watches; ``identity`` and ``truncation`` tell another document and a
capture cut short from a revision; ``verdict`` says what a new text means.
"""
