"""The media service: uploads, their review, the detail score and duplicate detection."""
