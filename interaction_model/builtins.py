"""What Alexa brings along: built-in intents (with what people say for them) and slot types.

Alexa recognises its built-in intents from its own phrasings; a model only lists the
extra samples it wants. The matcher uses these phrasings for the built-ins a model
declares, so "stop" or "never mind" work in rehearsal as on a device.
"""

from __future__ import annotations

BUILT_IN_SAMPLES: dict[str, tuple[str, ...]] = {
    "AMAZON.YesIntent": (
        "yes", "yeah", "yep", "yup", "yes please", "sure", "okay", "of course", "go ahead",
        "please do", "absolutely", "definitely", "i think so", "that's right", "correct",
        "uh huh", "yes we would", "yes i would", "why not", "yeah sure", "sure thing",
        "yes let's do it", "let's do it", "yep sure", "okay sure",
    ),
    "AMAZON.NoIntent": (
        "no", "nope", "nah", "no thanks", "no thank you", "not really", "i don't think so",
        "no way", "no we wouldn't", "no i wouldn't", "no not really", "nope not really",
        "no thanks not really",
    ),
    "AMAZON.StopIntent": (
        "stop", "stop it", "off", "shut up", "be quiet", "quiet", "goodbye", "bye",
        "bye bye", "that's all", "that's enough", "enough",
    ),
    "AMAZON.CancelIntent": ("cancel", "cancel that", "never mind", "forget it"),
    "AMAZON.HelpIntent": ("help", "help me", "help please", "i need help", "can you help"),
    "AMAZON.NavigateHomeIntent": ("go home", "home", "go to the home screen"),
    "AMAZON.RepeatIntent": ("repeat", "repeat that", "say that again", "what did you say"),
    "AMAZON.StartOverIntent": ("start over", "restart", "from the beginning"),
    "AMAZON.NextIntent": ("next", "next one", "skip"),
    "AMAZON.PreviousIntent": ("previous", "go back", "back"),
    "AMAZON.MoreIntent": ("more", "tell me more"),
    "AMAZON.PauseIntent": ("pause",),
    "AMAZON.ResumeIntent": ("resume", "continue", "keep going"),
    "AMAZON.FallbackIntent": (),
}
"""Each built-in intent the matcher knows, with typical things people say for it."""

REQUIRED_INTENTS = (
    "AMAZON.CancelIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent", "AMAZON.FallbackIntent",
)
"""Alexa's console requires the first four; Porch Light requires the fallback too."""

BUILT_IN_SLOT_TYPES = frozenset({
    "AMAZON.NUMBER", "AMAZON.DURATION", "AMAZON.TIME", "AMAZON.DATE", "AMAZON.DayOfWeek",
    "AMAZON.FOUR_DIGIT_NUMBER", "AMAZON.Ordinal", "AMAZON.PhoneNumber", "AMAZON.SearchQuery",
    "AMAZON.FirstName", "AMAZON.Person", "AMAZON.Color", "AMAZON.Country", "AMAZON.City",
    "AMAZON.US_CITY", "AMAZON.GB_CITY", "AMAZON.Language", "AMAZON.Month", "AMAZON.Room",
    "AMAZON.Genre", "AMAZON.Food", "AMAZON.Animal", "AMAZON.Sport", "AMAZON.Actor",
    "AMAZON.Airline", "AMAZON.Airport", "AMAZON.Artist", "AMAZON.Author", "AMAZON.Book",
    "AMAZON.Corporation", "AMAZON.DeviceType", "AMAZON.EventType", "AMAZON.Movie",
    "AMAZON.MusicGroup", "AMAZON.MusicRecording", "AMAZON.Musician", "AMAZON.Place",
    "AMAZON.PostalAddress", "AMAZON.Region", "AMAZON.Show", "AMAZON.SportsTeam",
    "AMAZON.StreetName", "AMAZON.TVSeries", "AMAZON.VideoGame", "AMAZON.AlphaNumeric",
})
"""Built-in slot types (a common subset of Alexa's catalogue)."""

PHRASE_SLOT_TYPES = frozenset({"AMAZON.SearchQuery"})
"""Slot types that capture a free phrase: their samples need carrier words around them."""

LAUNCH_WORDS = frozenset({
    "open", "start", "launch", "begin", "load", "run", "play", "use", "enable", "ask", "tell",
})
"""Words that launch a skill; an invocation name may not contain them."""

WAKE_WORDS = frozenset({"alexa", "amazon", "echo", "computer", "ziggy", "skill", "app"})
"""Wake words (and "skill"/"app"), which an invocation name may not contain."""

CONNECTING_WORDS = frozenset({"to", "from", "in", "using", "with", "about", "for", "that", "by",
                              "if", "and", "whether"})
"""Words that join an invocation to a request ("ask porch light *for* a prompt")."""
