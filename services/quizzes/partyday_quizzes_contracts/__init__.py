"""What the quizzes service exposes: the bodies its RPCs take and the events it emits."""
