"""How close a tolerant match must be, by kind of intent (calibrated on data:
``interaction_model.calibrate``; a test keeps these constants equal to its result)."""

from __future__ import annotations

from dataclasses import dataclass

THRESHOLD = 0.525
"""Lowest tolerant score that still counts as a match (calibrated: interaction_model.calibrate)."""
CLOSE_THRESHOLD = 0.725
"""Lowest tolerant score for an intent with a consequence (calibrated the same way)."""
CONSEQUENTIAL_INTENTS = frozenset({
    "ForgetEverythingIntent", "StopRemindersIntent", "SetReminderIntent", "SetBoundaryIntent",
    "RemoveBoundaryIntent", "PauseIntent", "ResumeIntent", "RememberWeatherIntent",
    "AMAZON.YesIntent", "AMAZON.NoIntent",
})
"""Intents that change something (forget data, reminders, boundaries, pauses, a yes or no
to an offer): a tolerant match selects them only when it is close."""
SAFETY_THRESHOLD = 0.8
"""Lowest tolerant score for a safety intent from its samples alone (the screen reads the
line too); calibrated against false alarms on ordinary phrasings."""
SAFETY_INTENTS = frozenset({
    "CrisisIntent", "AbuseIntent", "DangerIntent", "DistressIntent", "NeedHelpIntent",
})
"""The intents that give the crisis or distress answer."""


@dataclass(frozen=True)
class Thresholds:
    """The lowest tolerant scores that still count as a match, by kind of intent."""

    ordinary: float
    """Any intent without a consequence."""
    close: float
    """An intent with a consequence (``CONSEQUENTIAL_INTENTS``)."""
    safety: float
    """A safety intent reached from its samples (not from the screen)."""

    def needed(self, intent: str | None, score: float) -> float:
        """The score a match to ``intent`` needs; a sample said word for word always counts."""
        if score >= 1.0:
            return 0.0
        if intent in CONSEQUENTIAL_INTENTS:
            return self.close
        return self.safety if intent in SAFETY_INTENTS else self.ordinary
