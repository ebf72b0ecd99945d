"""What an Echo Show displays with a prompt: the prompt in large, calm text (APL)."""

from __future__ import annotations

from typing import Any

from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

PROMPT_DOCUMENT: dict[str, Any] = {
    "type": "APL",
    "version": "2023.3",
    "theme": "dark",
    "mainTemplate": {
        "parameters": ["prompt"],
        "items": [{
            "type": "Container",
            "width": "100vw",
            "height": "100vh",
            "justifyContent": "center",
            "alignItems": "center",
            "paddingLeft": "8vw",
            "paddingRight": "8vw",
            "items": [
                {"type": "Text", "text": "${prompt.title}", "fontSize": "28dp",
                 "color": "#C9B79C", "paddingBottom": "24dp"},
                {"type": "Text", "text": "${prompt.text}", "fontSize": "44dp",
                 "textAlign": "center", "color": "#F4EDE4", "lineHeight": 1.4},
            ],
        }],
    },
}


def prompt_screen(title: str, text: str) -> RenderDocumentDirective:
    """An Echo Show screen with the prompt in large, calm text."""
    return RenderDocumentDirective(token="porchlight-prompt", document=PROMPT_DOCUMENT,
                                   datasources={"prompt": {"title": title, "text": text}})
