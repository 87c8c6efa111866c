"""The stack config: its model, the rules every value follows, where API settings come from, and preflight."""
