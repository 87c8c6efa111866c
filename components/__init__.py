"""Component resources: each step of the guide as a resource a person recognises."""
