"""Real WAV files through pyttsx3 and espeak-ng: lengths, pauses, no empty files.

These tests need a working speech engine. `make install` provides espeak-ng; where it
cannot run, they fail with the reason rather than being skipped.
"""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from local_tts import engine
from local_tts.ssml import Speech, plan_speech
from local_tts.wav import WavWriter, read_wav
from skill.content import content_for
from skill.handlers.common import prompt_ssml


@pytest.fixture(scope="module")
def writer() -> WavWriter:
    try:
        engine.engine()
    except engine.SpeechUnavailable as error:
        pytest.fail(f"no speech engine: {error} (run `make install`, which installs espeak-ng)")
    assert engine.driver_name() == "espeak", "these tests measure espeak-ng's output"
    return WavWriter()


def seconds(path: Path) -> float:
    with wave.open(str(path)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        return audio.getnframes() / audio.getframerate()


def test_duration_grows_with_text(writer: WavWriter, tmp_path: Path) -> None:
    short = writer.render("Hello.", tmp_path / "short.wav")
    long = writer.render("Hello. What's a small comfort you reach for at the end of a long "
                         "day? One of you first, then swap.", tmp_path / "long.wav")
    assert 0.2 < short.seconds < long.seconds
    assert long.seconds > 3 * short.seconds
    assert seconds(long.path) == pytest.approx(long.seconds)


def test_a_two_second_break_adds_about_two_seconds(writer: WavWriter, tmp_path: Path) -> None:
    plain = writer.render("Hello there. How are you?", tmp_path / "plain.wav")
    paused = writer.render('Hello there. <break time="2s"/> How are you?', tmp_path / "b.wav")
    assert paused.seconds - plain.seconds == pytest.approx(2.0, abs=0.3)


def test_slower_prosody_takes_longer(writer: WavWriter, tmp_path: Path) -> None:
    text = "Take your time, there is no rush at all tonight."
    normal = writer.render(text, tmp_path / "normal.wav")
    slow = writer.render(f'<prosody rate="60%">{text}</prosody>', tmp_path / "slow.wav")
    assert slow.seconds > normal.seconds * 1.3


def test_a_faster_base_rate_is_shorter(tmp_path: Path, writer: WavWriter) -> None:
    text = "Here is a sentence long enough to hear the pace of it."
    quick = WavWriter(rate=300).render(text, tmp_path / "quick.wav")
    assert quick.seconds < writer.render(text, tmp_path / "normal.wav").seconds * 0.8


def test_no_line_the_skill_says_renders_empty(writer: WavWriter, tmp_path: Path) -> None:
    content = content_for("en-US")
    lines = [v.replace("{until}", "Friday") for vs in content.lines.values() for v in vs]
    lines += [prompt_ssml(prompt) for prompt in content.prompts[:20]]
    for index, ssml in enumerate(lines):
        rendering = writer.render(f"<speak>{ssml}</speak>", tmp_path / f"line-{index}.wav")
        words = sum(len(s.text.split()) for s in plan_speech(ssml) if isinstance(s, Speech))
        assert rendering.seconds > 0.15 * words, ssml
        assert rendering.path.stat().st_size > 44 + 22050


def test_whispered_and_emphasised_text_renders(writer: WavWriter, tmp_path: Path) -> None:
    whispered = writer.render('<amazon:effect name="whispered">just between us</amazon:effect>',
                              tmp_path / "whisper.wav")
    spoken = writer.render("just between us", tmp_path / "spoken.wav")
    assert whispered.seconds > 0.3
    assert read_wav(whispered.path).frames != read_wav(spoken.path).frames
    assert writer.render('<emphasis level="strong">really</emphasis>',
                         tmp_path / "emphasis.wav").seconds > 0.2


def test_a_response_of_silence_is_silence(writer: WavWriter, tmp_path: Path) -> None:
    rendering = writer.render('<speak><break time="1s"/></speak>', tmp_path / "silence.wav")
    assert (rendering.seconds, rendering.spoken) == (1.0, 0)
    assert set(read_wav(rendering.path).frames) == {0}


def test_segments_are_rendered_once(writer: WavWriter, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    writer.render("A line said twice.", tmp_path / "first.wav")
    monkeypatch.setattr(engine, "save", lambda *a, **k: pytest.fail("rendered again"))
    again = writer.render("A line said twice.", tmp_path / "second.wav")
    assert again.path.read_bytes() == (tmp_path / "first.wav").read_bytes()


def test_a_voice_can_be_chosen(tmp_path: Path) -> None:
    voice = engine.resolve_voice("en-us")
    assert voice is not None and voice.endswith("en-us")
    assert engine.resolve_voice("English (America)") == voice
    assert engine.resolve_voice(None, "en-US") == voice
    assert WavWriter(voice).render("Hello.", tmp_path / "voice.wav").seconds > 0.2


def test_an_unknown_voice_lists_real_ones() -> None:
    with pytest.raises(engine.VoiceNotFound, match=r"no voice matches 'elvish'; try one of: "):
        engine.resolve_voice("elvish")


def test_the_engine_is_started_once(writer: WavWriter) -> None:
    assert engine.engine() is engine.engine()


def test_the_engine_prints_nothing(writer: WavWriter, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    writer.render("Nothing printed, please.", tmp_path / "quiet.wav")
    assert "Audio saved" not in capsys.readouterr().out


def test_a_file_that_is_not_wav_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "speech.aiff"
    path.write_bytes(b"FORM\x00\x00\x00\x04AIFF")
    with pytest.raises(engine.SpeechFailed, match="macOS voices write AIFF"):
        read_wav(path)
