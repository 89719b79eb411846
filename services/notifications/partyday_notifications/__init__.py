"""The notifications service: who is told what, in the inbox, by text message and by e-mail."""
