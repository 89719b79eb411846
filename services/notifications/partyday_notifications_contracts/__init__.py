"""What the notifications service exposes: the bodies its RPCs take and the events it emits (none)."""
