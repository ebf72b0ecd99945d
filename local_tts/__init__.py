"""Local speech for rehearsal: Alexa SSML rendered with the computer's own voice (pyttsx3).

``ssml`` turns SSML into a plan of speech and silences, ``engine`` runs the one pyttsx3
engine of the process, ``wav`` writes a whole response to a WAV file, ``speaker`` plays
it (or prints it), and ``rehearsal`` drives the real skill from typed lines.
"""
