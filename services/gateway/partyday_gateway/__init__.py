"""The HTTP gateway: the one API of the web console and phones, in front of the services."""
