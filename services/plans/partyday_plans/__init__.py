"""The plans service: directives, activity plans and their review, deadlines, archives."""
