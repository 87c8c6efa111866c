"""Runs `pulumi preview/up/refresh/destroy` on this project through the real Pulumi CLI (Automation API)."""
