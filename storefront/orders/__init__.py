"""Orders, their lines, the payment events applied to them, and the state machine."""
