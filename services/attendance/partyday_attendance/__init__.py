"""The attendance service: QR codes, geofenced sign-in and sign-out, absences, leave."""
