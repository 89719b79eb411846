"""What the attendance service promises to its callers and subscribers (QR codes, sign-in and sign-out, absences,
leave): the bodies its RPCs take (`rpc`) and the payloads of the events it emits (`events`). Plain pydantic models:
nothing here imports the service's own machinery, so the gateway and tests read them without loading the service."""
