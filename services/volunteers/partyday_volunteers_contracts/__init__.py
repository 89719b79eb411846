"""What the volunteers service exposes: the bodies its RPCs take and the events it emits."""
