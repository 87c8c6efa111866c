"""Emulators of the Twilio and LiveAgent REST APIs, run as local HTTP servers for tests and the demo.

Nothing in the product imports this package.
"""
