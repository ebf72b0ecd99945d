"""Pure conversation logic: state, consent, depth and prompt selection. No ASK imports, no I/O."""
