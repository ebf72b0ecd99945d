// Porch Light rehearsal page: sends what is typed, shows and plays what the skill answers.
// No framework, no storage: the conversation lives in this page's DOM and nowhere else.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const stage = $("stage"), screen = $("screen"), listening = $("listening");
  const spoken = $("spoken"), notice = $("notice"), voice = $("voice"), again = $("again");
  const form = $("say-form"), input = $("say"), send = $("send"), mute = $("mute");
  const history = $("history"), historySection = $("history-section");
  let design = null;      // the Echo Show document's text styles (title, body)
  let shown = null;       // the turn on the stage, moved to "Earlier" when the next comes
  let busy = false;

  async function call(path, body) {
    const options = { cache: "no-store", credentials: "same-origin" };
    if (body !== undefined) {
      options.method = "POST";
      options.headers = { "Content-Type": "application/json" };
      options.body = JSON.stringify(body);
    }
    const answer = await fetch(path, options);
    let data = null;
    try { data = await answer.json(); } catch (_) { data = null; }
    if (!answer.ok) {
      throw new Error((data && data.error) || `The rehearsal answered ${answer.status}.`);
    }
    return data;
  }

  function say(message) {
    notice.textContent = message;
    notice.hidden = !message;
  }

  // The stage: the screen document's texts, each styled as the document says.
  function paint(texts, state) {
    screen.replaceChildren(...texts.map((text, index) => {
      const line = document.createElement("p");
      line.className = "t " + (index === 0 && texts.length > 1 ? "title" : "body");
      line.textContent = text.text;
      const set = (name, value) => { if (value !== null && value !== undefined) line.style.setProperty(name, value); };
      set("--c", text.color);
      set("--size", text.size);
      set("--align", text.align);
      set("--lh", text.line_height);
      set("--pb", text.space_after);
      return line;
    }));
    stage.dataset.state = state;
    screen.classList.remove("fresh");
    void screen.offsetWidth;  // restart the gentle fade-in
    screen.classList.add("fresh");
  }

  function styled(title, body) {
    const [t, b] = design && design.texts.length > 1 ? design.texts : [{}, {}];
    return [{ ...t, text: title }, { ...b, text: body }];
  }

  function showTurn(turn, typed) {
    if (shown) remember(shown);
    shown = turn.discreet ? null : { ...turn, typed };
    spoken.textContent = turn.said;
    spoken.classList.toggle("discreet", turn.discreet);
    if (turn.discreet) {
      paint(styled("Porch Light", ""), "quiet");   // no card, no screen: the words only below
      spoken.classList.remove("sr-only");
    } else if (turn.screen) {
      paint(turn.screen.texts, "screen");
      spoken.classList.remove("sr-only");
    } else if (turn.said) {
      paint(styled("Porch Light", turn.said), turn.said.length > 150 ? "long" : "words");
      spoken.classList.add("sr-only");
    } else {
      paint(styled("Porch Light", "Porch Light is quiet."), "idle");
      spoken.classList.add("sr-only");
    }
    listening.hidden = !turn.listening;
    say(turn.sound_error ? `No sound: ${turn.sound_error}` : "");
    play(turn.audio);
  }

  function remember(turn) {
    const item = document.createElement("li");
    if (turn.typed) {
      const you = document.createElement("p");
      you.className = "you";
      you.textContent = `You: ${turn.typed}`;
      item.append(you);
    }
    const said = document.createElement("p");
    said.className = "pl";
    said.textContent = turn.said || "(the session ended)";
    const request = document.createElement("span");
    request.className = "req";
    request.textContent = ` ${turn.request}`;
    said.append(request);
    item.append(said);
    history.prepend(item);
    historySection.hidden = false;
  }

  function play(audio) {
    voice.pause();
    if (!audio) {
      voice.removeAttribute("src");
      again.hidden = true;
      return;
    }
    voice.src = audio;
    again.hidden = false;
    if (mute.getAttribute("aria-pressed") !== "true") {
      voice.play().catch(() => {});  // only ever after the person typed or pressed something
    }
  }

  function showSituation(data) {
    $("clock").textContent = data.now;
    const chips = data.suggestions.map((suggestion) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "chip";
      button.textContent = suggestion.label;
      button.addEventListener("click", () => { input.value = suggestion.says; submit(); });
      return button;
    });
    $("suggestions").replaceChildren(...chips);
    $("try-row").hidden = chips.length === 0;
    const keeps = data.keeps.map((line) => {
      const item = document.createElement("li");
      item.textContent = line;
      return item;
    });
    if (data.keeps_note) {
      const item = document.createElement("li");
      item.textContent = data.keeps_note;
      keeps.push(item);
    }
    $("keeps").replaceChildren(...keeps);
  }

  async function work(task) {
    if (busy) return;
    busy = true;
    send.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      await task();
    } catch (error) {
      say(error.message);
    } finally {
      busy = false;
      send.disabled = false;
      form.removeAttribute("aria-busy");
    }
  }

  function submit() {
    const text = input.value.trim();
    if (!text) { input.focus(); return; }
    work(async () => {
      const data = await call("api/say", { text });
      input.value = "";
      data.turns.forEach((turn) => showTurn(turn, turn.discreet ? "" : text));
      showSituation(data);
      input.focus();
    });
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); submit(); });

  document.querySelectorAll("button.later").forEach((button) => {
    button.addEventListener("click", () => work(async () => {
      const data = await call("api/later", { span: button.dataset.span });
      data.turns.forEach((turn) => showTurn(turn, ""));
      showSituation(data);
      say(`It is now ${data.now}.`);
    }));
  });

  mute.addEventListener("click", () => {
    const muted = mute.getAttribute("aria-pressed") !== "true";
    mute.setAttribute("aria-pressed", String(muted));
    voice.muted = muted;
    if (muted) voice.pause();
  });

  again.addEventListener("click", () => {
    voice.currentTime = 0;
    voice.muted = false;
    mute.setAttribute("aria-pressed", "false");
    voice.play().catch(() => {});
  });

  work(async () => {
    const data = await call("api/hello");
    design = data.design;
    paint(styled("Porch Light", "Whenever you're ready."), "idle");
    mute.setAttribute("aria-pressed", String(Boolean(data.muted)));
    voice.muted = Boolean(data.muted);
    if (!data.clock) $("later-row").hidden = true;
    if (!data.sound && data.sound_note) say(`No sound on this computer: ${data.sound_note}`);
    showSituation(data);
  });
})();
