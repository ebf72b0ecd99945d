"""`porchlight rehearse`: typed lines → the matcher → real request envelopes → the skill.

``device`` builds envelopes as an Echo would send them, ``transport`` hands them to the
skill in process or over HTTP, ``session`` runs one turn at a time, ``household`` says
in plain words what the skill keeps, and ``repl`` reads lines and prints the answers.
"""
