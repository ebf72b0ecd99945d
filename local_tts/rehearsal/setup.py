"""Putting a rehearsal together from `porchlight rehearse` options."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from interaction_model import locales
from interaction_model.matcher import matcher_for
from local_tts.engine import DEFAULT_RATE, SpeechUnavailable, resolve_voice
from local_tts.rehearsal.alexa_stand_in import AlexaStandIn
from local_tts.rehearsal.device import RehearsalDevice
from local_tts.rehearsal.identity import identity
from local_tts.rehearsal.session import Rehearsal, Voice
from local_tts.rehearsal.transport import InProcess, OverHttp, Transport
from local_tts.speaker import make_speaker
from local_tts.wav import WavWriter
from skill.conversation.clock import SettableClock, system_clock
from skill.conversation.timezones import valid_zone
from skill.storage import HouseholdStore

STAND_IN_HOST = "127.0.0.1"
"""Where the rehearsal's stand-in for Alexa's APIs listens (the only host besides Alexa's
own that the rehearsal's skill sends a token to; a `serve --dev` server needs
PORCHLIGHT_ALEXA_API_HOSTS=127.0.0.1 for it)."""


@dataclass(frozen=True)
class Options:
    """`porchlight rehearse` options."""

    locale: str = "en-US"
    """Which model and content to rehearse."""
    user: str | None = None
    """Another household's name (default: this machine's rehearsal household)."""
    database_url: str | None = None
    """Where household state lives (default: the service's default SQLite file)."""
    at: str | None = None
    """Local time to start at, "2026-12-01 21:00", in ``timezone``."""
    timezone: str | None = None
    """The simulated device's IANA zone (default: this computer's)."""
    person: str | None = None
    """A recognised speaker's name (default: nobody recognised)."""
    endpoint: str | None = None
    """A running `porchlight serve --dev` to send the envelopes to."""
    save_wav: Path | None = None
    """A folder for one WAV file per turn."""
    speak: bool = False
    """Say the answers aloud."""
    voice: str | None = None
    """Voice for speech and WAV files."""
    rate: int | None = None
    """Base speaking rate, words per minute."""


def parse_at(text: str, zone: ZoneInfo) -> datetime:
    """ "2026-12-01 21:00" as that local time in ``zone`` (an explicit offset wins)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--at wants a local time like '2026-12-01 21:00', not {text!r}") \
            from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def device_zone(name: str | None) -> ZoneInfo:
    """``--timezone``, else this computer's own zone; ValueError names a bad one."""
    if name is None:
        import tzlocal

        name = tzlocal.get_localzone_name() or "UTC"
    zone = valid_zone(name)
    if zone is None:
        raise ValueError(f"--timezone wants an IANA time zone like 'America/Los_Angeles', "
                         f"not {name!r}")
    return zone


def open_rehearsal(options: Options) -> tuple[Rehearsal, Callable[[], None]]:
    """The rehearsal, and what to call when it ends. ValueError says what is wrong."""
    from skill.builder import build_skill
    from skill.config import load_settings
    from skill.storage import open_store

    if options.locale not in locales():
        raise ValueError(f"no model for {options.locale}; choose one of {', '.join(locales())}")
    settings = load_settings({"database_url": options.database_url})
    zone = device_zone(options.timezone)
    stand_in = AlexaStandIn(zone.key)
    store: HouseholdStore | None = None
    clock: SettableClock | None = None
    transport: Transport
    if options.endpoint:
        if options.at:
            raise ValueError("--at moves the rehearsal's clock, but a server keeps its own: "
                             "leave out --at with --endpoint")
        transport = OverHttp(options.endpoint)
        if options.database_url:
            store = open_store(settings.database_url)
    else:
        clock = SettableClock(parse_at(options.at, zone) if options.at else system_clock())
        store = open_store(settings.database_url)
        transport = InProcess(build_skill(store, settings, clock, stand_ins=(STAND_IN_HOST,)))
    user_id, device_id = identity(options.user)
    device = RehearsalDevice(clock or system_clock, user_id=user_id, device_id=device_id,
                             locale=options.locale, api_endpoint=stand_in.start())
    rehearsal = Rehearsal(matcher_for(options.locale), device, transport, zone, clock=clock,
                          store=store, voice=make_voice(options))
    if options.person:
        rehearsal.speak_as(options.person)

    def close() -> None:
        stand_in.close()
        if store is not None:
            store.close()

    return rehearsal, close


def make_voice(options: Options) -> Voice:
    """The speaker and WAV writer the options ask for; no sound here means printing only."""
    if not options.speak and options.save_wav is None:
        return Voice()
    try:
        writer = make_writer(options)
    except SpeechUnavailable:
        if options.save_wav is not None:
            raise
        print("(no speech engine here; printing only)", file=sys.stderr)
        return Voice()
    speaker = None
    if options.speak:
        try:
            speaker = make_speaker(writer)
        except SpeechUnavailable as error:
            print(f"({error}; printing only)", file=sys.stderr)
    if options.save_wav is not None:
        options.save_wav.mkdir(parents=True, exist_ok=True)
    return Voice(speaker, writer, options.save_wav)


def make_writer(options: Options) -> WavWriter:
    """The WAV writer for the options' voice and rate (SpeechUnavailable without an engine,
    VoiceNotFound for a voice that is not there)."""
    return WavWriter(resolve_voice(options.voice, options.locale), options.rate or DEFAULT_RATE)
