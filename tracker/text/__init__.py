"""From a page to the agreement's text, and the text to its comparison form; pure functions.

``decode`` finds the page's encoding, ``extract`` (with ``html_text``) reads the
agreement out of the HTML as a browser would show it, in the small Markdown
``dialect``; ``markdown`` reads Markdown files (baselines, histories) into the same
dialect; ``normalise`` and ``links`` say what a reader could tell apart.
"""
