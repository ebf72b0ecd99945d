"""`porchlight rehearse --web`: the rehearsal on a calm local page that speaks.

``app`` is the small Flask app the page talks to (loopback only, a per-run token in every
URL), ``screen`` reads the Echo Show document a response carries, ``suggest`` says what
can be said right now, ``serve`` runs it all; ``static/`` holds the hand-written page.
Every line typed still takes the rehearsal's one path: matcher, envelope, the same skill.
"""
