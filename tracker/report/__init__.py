"""What tracker shows people: the console, the history views, the status, the static site.

Every rendering reads the same typed records (results, changes, messages);
none of them compares texts or writes the state folder.
"""
